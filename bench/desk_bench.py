"""What the glossary and the translation memory cost the translation step (issue 16).

    .venv/bin/python bench/desk_bench.py [--rounds 7]

1. glossary: a 20-sentence article (NTREX news sentences) translated through
   ``desk.translating.translate_detailed`` on a Transformer-base-cost copy pack, with no glossary and
   with a stored 1,000-term glossary (the corpus's proper nouns, so that some terms are found):
   the whole path, loading the glossary from its SQLite file and compiling it included.
   Goal: at most 5 % slower. Rounds alternate, medians compared in the same run.
2. memory: ``memory.lookup_many`` for a 20-sentence article against 10,000 stored corrections
   (half of the article's sentences among them), SQLite and a local Redis.

Needs ../shared/evaldata (parallel_ntrex.jsonl). Prints the figures.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from service import translation  # noqa: E402
from service.desk import glossary, memory, translating  # noqa: E402
from service.config import Settings  # noqa: E402
from service.translation import packs  # noqa: E402
from tests.argospack import build_base_pack  # noqa: E402

NTREX = REPO.parent / "shared" / "evaldata" / "parallel_ntrex.jsonl"


def glossary_cost(rounds: int) -> None:
    english = [json.loads(line)["en"] for line in NTREX.open(encoding="utf-8")]
    article = english[100:120]
    names = Counter(name for sentence in english
                    for name in re.findall(r"(?<=[a-z,] )[A-Z][a-z]+(?: [A-Z][a-z]+)*", sentence))
    terms = [name for name, _ in names.most_common(1000)]
    folder = Path(tempfile.mkdtemp())
    plain = Settings.load(environ={}, overrides={
        "packages_dir": folder / "packages", "langpacks_dir": folder, "download_missing": False,
        "cache_sentences": 0, "cache_redis_url": "off", "glossary_db": folder / "none.sqlite3",
        "memory_db": folder / "memory.sqlite3"})
    with_terms = replace(plain, glossary_db=folder / "glossary.sqlite3")
    glossary.replace_all(with_terms.glossary_db, translation.Glossary(by_target={"de": {t: t + "X" for t in terms}}))
    packs.install_archive(build_base_pack(folder / "build", "en", "de", english), plain)
    found = sum(len(translation.terms.protect(s, translation.terms.term_table(
        glossary.load(with_terms.glossary_db), "de")).replacements) for s in article)
    translating.translate_detailed(article, "en", "de", plain)  # warm up: the pack loads
    translating.translate_detailed(article, "en", "de", with_terms)  # and the glossary compiles
    times = {"none": [], "1,000 terms": []}
    for _ in range(rounds):
        for label, settings in (("none", plain), ("1,000 terms", with_terms)):
            started = time.perf_counter()
            translating.translate_detailed(article, "en", "de", settings)
            times[label].append(time.perf_counter() - started)
    base, terms_time = statistics.median(times["none"]), statistics.median(times["1,000 terms"])
    print(f"glossary: 20 sentences, Transformer-base-cost en->de pack, beam {plain.beam_size}, {rounds} rounds each; "
          f"{found} of the 1,000 terms found in the article")
    print(f"  no glossary {base * 1000:.0f} ms, 1,000-term glossary {terms_time * 1000:.0f} ms (median): "
          f"{(terms_time / base - 1) * 100:+.1f} %  (goal: at most +5 %)")


def memory_cost(runs: int = 2000) -> None:
    corrections = [memory.Correction("en", "de", f"Sentence number {i} of the stored corrections, as fixed.",
                                     f"Satz Nummer {i} der gespeicherten Korrekturen.") for i in range(10_000)]
    article = [f"Sentence number {i * 487} of the stored corrections, as fixed." if i % 2 else
               f"An unknown sentence {i} that the model must translate." for i in range(20)]
    folder = Path(tempfile.mkdtemp())
    base = Settings.load(environ={})

    def measure(settings: Settings, label: str) -> None:
        memory.put_many(settings, corrections=corrections)
        assert sum(found is not None for found in memory.lookup_many(
            settings, source="en", target="de", sentences=article)) == 10
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            memory.lookup_many(settings, source="en", target="de", sentences=article)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        print(f"  {label:6} median {median * 1e6:6.0f} µs per article, {median / 20 * 1e6:5.1f} µs per sentence")

    print("memory: 10,000 stored corrections, a 20-sentence article (10 of them stored), one lookup per article")
    measure(replace(base, memory_db=folder / "memory.sqlite3", redis_url=""), "SQLite")
    server = shutil.which("redis-server")
    if server is None:
        print("  Redis: not measured (no redis-server here)")
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly",
                                "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        measure(replace(base, redis_url=f"redis://127.0.0.1:{port}/0"), "Redis")
    finally:
        process.terminate()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    glossary_cost(args.rounds)
    memory_cost()


if __name__ == "__main__":
    main()
