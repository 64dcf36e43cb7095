"""Measure translate() against raw CTranslate2 on the same tokens, and start-up cost.

    .venv/bin/python bench/translate_bench.py [--rounds 7] [--beam 4] [--sentences 20]

Builds (once, cached in bench/out/) an en->de pack of Transformer-base cost the same way
the tests build theirs: 6+6 layers, d_model 512, 8 heads, FFN 2048, 16k vocabulary, int8
like Argos's packs, random weights. Random weights produce noise, so every sentence
decodes up to the length cap: both sides use the same cap and options, and the script
checks that they produce the same output.

The two are timed alternately in one process (never the same call twice in a row) and
reported as min / median / max with the ratio of medians. Sentences are NTREX news
sentences from ../shared/evaldata when that folder is present, else built-in ones.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from service import langpacks, translation  # noqa: E402
from service.config import Settings  # noqa: E402
from tests.argospack import build_random_pack  # noqa: E402

OUT = REPO / "bench" / "out"
NTREX = REPO.parent / "shared" / "evaldata" / "parallel_ntrex.jsonl"
FALLBACK = [
    f"Dock workers in port number {i} ended a {i}-day strike after unions accepted a new pay offer from operators."
    for i in range(1, 101)
]


def english_text() -> tuple[list[str], str]:
    """All English sentences to train the tokenizer on, and where they came from."""
    if NTREX.is_file():
        with NTREX.open(encoding="utf-8") as handle:
            return [json.loads(line)["en"] for line in handle], f"NTREX-128 English ({NTREX})"
    return FALLBACK, "built-in sentences (../shared/evaldata not found)"


def prepare(beam: int, corpus: list[str]) -> Settings:
    archive = OUT / "translate-en_de-1_0.argosmodel"
    if not archive.exists():
        started = time.perf_counter()
        build_random_pack(OUT, "en", "de", corpus)
        print(f"built {archive.name} in {time.perf_counter() - started:.1f} s")
    # A random model never chooses </s>: cap its output at the input's length, about
    # what a real en->de model writes, on both sides alike.
    settings = Settings.load(overrides={"packages_dir": OUT / "packages", "langpacks_dir": REPO / "langpacks",
                                        "beam_size": beam, "download_missing": False,
                                        "decoding_ratio": 1.0, "decoding_extra": 0})
    langpacks.install_archive(archive, settings)
    return settings


def raw_call(loaded, tokens, settings: Settings):
    """CTranslate2 alone: one translate_batch with the options translate() uses."""
    cap = math.ceil(settings.decoding_ratio * max(map(len, tokens))) + settings.decoding_extra
    return loaded.translator.translate_batch(
        tokens, beam_size=settings.beam_size, max_batch_size=settings.max_batch_size, batch_type="examples",
        max_decoding_length=cap, length_penalty=translation.ARGOS_LENGTH_PENALTY, replace_unknowns=True)


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def summary(values: list[float]) -> str:
    return f"min {min(values):8.1f}  median {statistics.median(values):8.1f}  max {max(values):8.1f} ms"


def compare(settings: Settings, sentences: list[str], rounds: int) -> None:
    loaded = translation.load_pack("en", "de", settings)
    tokens = [loaded.tokenizer.encode(s) for s in sentences]
    ours_output = translation.translate(sentences, "en", "de", settings)
    raw_output = [r.hypotheses[0] for r in raw_call(loaded, tokens, settings)]
    capped = [translation._clean_output(h, len(t), loaded, settings) for h, t in zip(raw_output, tokens)]
    assert ours_output == capped, "translate() and raw CTranslate2 disagree"
    raw_times, ours_times = [], []
    for round_number in range(rounds):
        pair = [("raw", lambda: raw_call(loaded, tokens, settings)),
                ("ours", lambda: translation.translate(sentences, "en", "de", settings))]
        for name, function in pair if round_number % 2 == 0 else reversed(pair):
            (raw_times if name == "raw" else ours_times).append(timed(function))
    print(f"  raw ctranslate2 translate_batch : {summary(raw_times)}")
    print(f"  service.translation.translate() : {summary(ours_times)}")
    ratios = [o / r for o, r in zip(ours_times, raw_times)]
    print(f"  ratio of medians {statistics.median(ours_times) / statistics.median(raw_times):.3f}  "
          f"(per-round ratios: median {statistics.median(ratios):.3f}, min {min(ratios):.3f}, max {max(ratios):.3f})")
    print(f"  input pieces: {sum(map(len, tokens))}, output pieces: {sum(len(h) for h in raw_output)}")


def pipeline_vs_raw(corpus: list[str], rounds: int) -> None:
    """process() on one article into ar, de, ru against raw CTranslate2, one batch per language."""
    from service.pipeline import process

    settings = None
    for target in ("ar", "de", "ru"):
        archive = OUT / f"translate-en_{target}-1_0.argosmodel"
        if not archive.exists():
            build_random_pack(OUT, "en", target, corpus, seed=len(target) + ord(target[0]))
        settings = Settings.load(overrides={"packages_dir": OUT / "packages", "langpacks_dir": REPO / "langpacks",
                                            "beam_size": 4, "download_missing": False,
                                            "decoding_ratio": 1.0, "decoding_extra": 0})
        langpacks.install_archive(archive, settings)
    paragraphs = [" ".join(corpus[i : i + 3]) for i in range(20, 38, 3)]  # 18 sentences, 6 paragraphs
    article = "Port strike ends in Rotterdam\n\n" + "\n\n".join(paragraphs)
    result = process(article, ["ar", "de", "ru"], settings=settings, source="en")
    segments = [result.article.title, result.article.teaser, *result.article.headings, *result.sentences]
    packs = {t: translation.load_pack("en", t, settings) for t in ("ar", "de", "ru")}
    tokens = {t: [packs[t].tokenizer.encode(s) for s in segments if s.strip()] for t in packs}

    def raw_all() -> None:
        for target, loaded in packs.items():
            raw_call(loaded, tokens[target], settings)

    raw_times, ours_times = [], []
    for round_number in range(rounds):
        steps = [("raw", raw_all), ("ours", lambda: process(article, ["ar", "de", "ru"], settings=settings, source="en"))]
        for name, function in steps if round_number % 2 == 0 else reversed(steps):
            (raw_times if name == "raw" else ours_times).append(timed(function))
    print(f"\nfull job: clean + split + summarize + translate {len(result.sentences)} sentences into ar, de, ru "
          f"(beam 4, {rounds} rounds):")
    print(f"  raw ctranslate2, 3 batches in turn : {summary(raw_times)}")
    print(f"  pipeline.process (3 threads)       : {summary(ours_times)}")
    print(f"  ratio of medians {statistics.median(ours_times) / statistics.median(raw_times):.3f}")


def start_up(runs: int = 5) -> None:
    """Time `import service` and `newsdesk --help` in fresh interpreters, and -X importtime."""
    python = sys.executable

    def wall(code: str) -> float:
        times = [timed(lambda: subprocess.run([python, "-c", code], check=True, capture_output=True))
                 for _ in range(runs)]
        return statistics.median(times)

    baseline = wall("pass")
    print(f"  python -c pass                  : median {baseline:6.1f} ms")
    print(f"  python -c 'import service'      : median {wall('import service'):6.1f} ms")
    help_code = "from service.cli import main; main(['--help'])"
    print(f"  newsdesk --help (in-process)    : median {wall(help_code):6.1f} ms")
    trace = subprocess.run([python, "-X", "importtime", "-c", "import service.cli"], capture_output=True, text=True).stderr
    for line in trace.splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] in {"service", "service.cli", "click", "service.langpacks"}:
            print(f"  -X importtime {parts[2]:18s}: cumulative {int(parts[1]) / 1000:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sentences", type=int, default=20)
    parser.add_argument("--beams", type=int, nargs="+", default=[4, 1])
    args = parser.parse_args()
    corpus, origin = english_text()
    sentences = corpus[: args.sentences]
    print(f"sentences: the first {len(sentences)} of {origin}")
    for beam in args.beams:
        settings = prepare(beam, corpus)
        print(f"\ntranslate {len(sentences)} sentences en->de, beam {beam}, "
              f"intra_threads {settings.intra_threads}, {args.rounds} rounds:")
        compare(settings, sentences, args.rounds)
    pipeline_vs_raw(corpus, args.rounds)
    print("\nstart-up:")
    start_up()


if __name__ == "__main__":
    main()
