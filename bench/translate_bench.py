"""Measure translate() against raw CTranslate2 on the same tokens, and start-up cost.

    .venv/bin/python bench/translate_bench.py [--rounds 7] [--beams 4 1] [--sentences 20] [--sweep]

Builds (once, cached in bench/out/packs/) en->ar, en->de and en->ru packs of
Transformer-base cost the same way the tests build theirs (tests/argospack.py): 6+6
layers, d_model 512, 8 heads, FFN 2048, 16k vocabulary, int8 like Argos's packs. They
are copy models, so each sentence's output ends at </s> after as many pieces as a real
model would write, and the script checks that both sides produce exactly that copy.

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

from service import translation  # noqa: E402

from service.translation import packs as langpacks
from service.config import Settings  # noqa: E402
from service.translation.decoding import ARGOS_LENGTH_PENALTY  # noqa: E402
from tests.argospack import build_base_pack  # noqa: E402

OUT = REPO / "bench" / "out"
PACKS = OUT / "packs"
TARGETS = ("ar", "de", "ru")
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


def bench_settings(**overrides) -> Settings:
    return Settings.load(overrides={"packages_dir": OUT / "packages", "langpacks_dir": REPO / "langpacks",
                                    "download_missing": False, **overrides})


def install_packs(corpus: list[str], targets=TARGETS) -> None:
    """Build (once) and install the base-cost en->X packs."""
    settings = bench_settings()
    for number, target in enumerate(targets):
        archive = PACKS / f"translate-en_{target}-1_0.argosmodel"
        if not archive.exists():
            started = time.perf_counter()
            build_base_pack(PACKS, "en", target, corpus, seed=number)
            print(f"built {archive.name} in {time.perf_counter() - started:.1f} s")
        langpacks.install_archive(archive, settings)


def raw_call(loaded, tokens, settings: Settings, **extra):
    """CTranslate2 alone: one translate_batch with the options translate() uses (and ``extra``
    ones, such as asynchronous=True)."""
    cap = math.ceil(settings.decoding_ratio * max(map(len, tokens))) + settings.decoding_extra
    return loaded.translator.translate_batch(
        tokens, beam_size=settings.beam_size, max_batch_size=settings.max_batch_size, batch_type="examples",
        max_decoding_length=cap, length_penalty=ARGOS_LENGTH_PENALTY, replace_unknowns=True, **extra)


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def summary(values: list[float]) -> str:
    return f"min {min(values):8.1f}  median {statistics.median(values):8.1f}  max {max(values):8.1f} ms"


def alternate(rounds: int, **functions) -> dict[str, list[float]]:
    """Time each function once per round, in an order that flips every round."""
    times = {name: [] for name in functions}
    steps = list(functions.items())
    for round_number in range(rounds):
        for name, function in steps if round_number % 2 == 0 else reversed(steps):
            times[name].append(timed(function))
    return times


def ratio_line(ours: list[float], raw: list[float]) -> str:
    ratios = [o / r for o, r in zip(ours, raw)]
    return (f"ratio of medians {statistics.median(ours) / statistics.median(raw):.3f}  (per-round: "
            f"median {statistics.median(ratios):.3f}, min {min(ratios):.3f}, max {max(ratios):.3f})")


def compare(settings: Settings, sentences: list[str], rounds: int) -> None:
    """translate() against one raw translate_batch of the same pieces."""
    loaded = translation.load_pack("en", "de", settings)
    tokens = [loaded.tokenizer.encode(s) for s in sentences]
    ours_output = translation.translate(sentences, "en", "de", settings)
    raw_output = [r.hypotheses[0] for r in raw_call(loaded, tokens, settings)]
    assert ours_output == [f"<de> {s}" for s in sentences], "translate() did not copy"
    assert raw_output == [["<de>", *t] for t in tokens], "raw CTranslate2 did not copy"
    times = alternate(rounds, raw=lambda: raw_call(loaded, tokens, settings),
                      ours=lambda: translation.translate(sentences, "en", "de", settings))
    print(f"  raw ctranslate2 translate_batch : {summary(times['raw'])}")
    print(f"  service.translation.translate() : {summary(times['ours'])}")
    print(f"  {ratio_line(times['ours'], times['raw'])}")
    print(f"  input pieces: {sum(map(len, tokens))}, output pieces: {sum(len(h) for h in raw_output)}")


def bench_article(corpus: list[str]) -> str:
    """A title and 18 NTREX sentences in 6 paragraphs (the issue's article size)."""
    paragraphs = [" ".join(corpus[i : i + 3]) for i in range(20, 38, 3)]
    return "Port strike ends in Rotterdam\n\n" + "\n\n".join(paragraphs)


def pipeline_vs_raw(corpus: list[str], rounds: int) -> None:
    """The full job (clean, split, summarize, translate) against raw CTranslate2 on its sentences."""
    from service.pipeline import process

    settings = bench_settings(beam_size=4, cache_sentences=0)  # a cache would time itself, not the model
    article = bench_article(corpus)
    result = process(article, targets=list(TARGETS), settings=settings, source="en")
    segments = [s for s in (result.article.title, result.article.teaser, *result.article.headings,
                            *result.sentences) if s.strip()]
    packs = {t: translation.load_pack("en", t, settings) for t in TARGETS}
    tokens = {t: [packs[t].tokenizer.encode(s) for s in segments] for t in TARGETS}
    print(f"\nfull job: clean + split + summarize + translate {len(segments)} segments "
          f"({sum(map(len, tokens['de']))} pieces), beam 4, sentence cache off, {rounds} rounds:")
    for target in TARGETS:
        times = alternate(rounds, raw=lambda: raw_call(packs[target], tokens[target], settings),
                          ours=lambda: process(article, targets=[target], settings=settings, source="en"))
        print(f"  en->{target}: raw one batch {statistics.median(times['raw']):7.1f} ms, "
              f"process() {statistics.median(times['ours']):7.1f} ms, {ratio_line(times['ours'], times['raw'])}")

    def raw_all() -> None:
        for target in TARGETS:
            raw_call(packs[target], tokens[target], settings)

    times = alternate(rounds, raw=raw_all, ours=lambda: process(article, targets=list(TARGETS), settings=settings, source="en"))
    print(f"  ar+de+ru: raw 3 batches in turn {statistics.median(times['raw']):7.1f} ms, process() (a thread per "
          f"language) {statistics.median(times['ours']):7.1f} ms, {ratio_line(times['ours'], times['raw'])}")


def cache_cost(corpus: list[str], rounds: int) -> None:
    """What a re-sent and a re-edited article cost once their sentences are cached."""
    from service.pipeline import process

    settings = bench_settings(beam_size=4)
    article = bench_article(corpus)
    edited = article.replace(corpus[20], corpus[20].replace(" ", " also ", 1))  # one sentence changed
    new = timed(lambda: process(article, targets=["de"], settings=settings, source="en"))
    resent = statistics.median(timed(lambda: process(article, targets=["de"], settings=settings, source="en"))
                               for _ in range(rounds))
    changed = timed(lambda: process(edited, targets=["de"], settings=settings, source="en"))
    stats = translation.sentence_cache(settings).stats()
    print(f"\nsentence cache (en->de, beam 4): new article {new:.1f} ms, the same article again {resent:.1f} ms "
          f"(median of {rounds}), with one sentence edited {changed:.1f} ms; cache {stats}")


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
        if len(parts) == 3 and parts[2] in {"service", "service.cli", "click", "service.translation.packs"}:
            print(f"  -X importtime {parts[2]:18s}: cumulative {int(parts[1]) / 1000:6.1f} ms")


SWEEP = [  # (intra_threads, max_batch_size, beam_size); the first is the default
    (1, 64, 4), (0, 64, 4), (2, 64, 4), (1, 32, 4), (1, 16, 4), (1, 8, 4), (1, 64, 2), (1, 64, 1),
]


def probe(intra_threads: int, max_batch_size: int, beam: int, rounds: int) -> None:
    """One sweep point, in a fresh process: median ms for the article into de, and peak RSS."""
    import resource

    from service.pipeline import process

    corpus, _ = english_text()
    settings = bench_settings(beam_size=beam, cache_sentences=0, intra_threads=intra_threads,
                              max_batch_size=max_batch_size)
    article = bench_article(corpus)
    process(article, targets=["de"], settings=settings, source="en")  # load and warm up
    median = statistics.median(timed(lambda: process(article, targets=["de"], settings=settings, source="en"))
                               for _ in range(rounds))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"median_ms": round(median, 1), "peak_rss_mb": round(peak)}))


def sweep(rounds: int) -> None:
    """Each setting that matters, for one article into de, each point in its own process."""
    print(f"\nsweep: the bench article into de, sentence cache off, median of {rounds}, one process per point "
          f"(compare within this run only):")
    baseline = None
    for intra_threads, max_batch_size, beam in SWEEP:
        output = subprocess.run([sys.executable, __file__, "--probe", str(intra_threads), str(max_batch_size), str(beam),
                                 "--rounds", str(rounds)], capture_output=True, text=True, check=True).stdout
        point = json.loads(output.splitlines()[-1])
        baseline = baseline or point["median_ms"]
        print(f"  intra_threads {intra_threads}  max_batch_size {max_batch_size:2d}  beam {beam}: "
              f"{point['median_ms']:7.1f} ms ({point['median_ms'] / baseline:.2f}x the default), "
              f"peak RSS {point['peak_rss_mb']} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sentences", type=int, default=20)
    parser.add_argument("--beams", type=int, nargs="+", default=[4, 1])
    parser.add_argument("--sweep", action="store_true", help="also time the settings in SWEEP")
    parser.add_argument("--probe", type=int, nargs=3, help=argparse.SUPPRESS)  # one sweep point (internal)
    args = parser.parse_args()
    if args.probe:
        return probe(*args.probe, rounds=args.rounds)
    corpus, origin = english_text()
    sentences = corpus[: args.sentences]
    print(f"sentences: the first {len(sentences)} of {origin}")
    install_packs(corpus)
    for beam in args.beams:
        settings = bench_settings(beam_size=beam, cache_sentences=0)
        print(f"\ntranslate {len(sentences)} sentences en->de, beam {beam}, "
              f"intra_threads {settings.intra_threads}, {args.rounds} rounds:")
        compare(settings, sentences, args.rounds)
    pipeline_vs_raw(corpus, args.rounds)
    cache_cost(corpus, args.rounds)
    if args.sweep:
        sweep(args.rounds)
    print("\nstart-up:")
    start_up()


if __name__ == "__main__":
    main()
