"""Show that a lone request uses every core while many requests still share batches (issue 33).

    .venv/bin/python bench/scale_bench.py [--parts articles small jobs] [--rounds 7]
        [--small-rounds 2] [--small-seconds 15] [--job-articles 12] [--job-rounds 2] [--job-targets de ar,de,ru]

On the Transformer-base-cost packs bench/translate_bench.py builds (bench/out/packs; built
here if missing), sentence caches off, all in one run:

- articles: translate_bench's article (a title and 18 NTREX sentences) through
  pipeline.process() into de, then into ar, de and ru, against raw CTranslate2 on every
  core, both ways: raw A, each language's pieces as one batch on a translator with
  intra_threads = cores; raw B, each language's batch dealt (deal_by_length, as the service
  deals it) over inter_threads = cores single-thread replicas; every language's batches
  posted asynchronously at once. Also process() with inter_threads=1, one replica: what a
  lone request had before it was dealt over the idle lanes. Alternated rounds; medians and
  process() over the faster raw set-up.
- small: 16 clients each POSTing one new NTREX sentence to /translate on the gunicorn
  service with its defaults (bench/serve_bench.py's load), against raw CTranslate2 decoding
  batches of 16, cores batches at a time; the two alternate, the rounds' medians.
- jobs: batch-job throughput, articles/s, with 1 and 2 `newsdesk worker` processes on one
  embedded Redis (bench/jobs_bench.py), and 2 with NEWSDESK_INTER_THREADS = cores / 2 (two
  processes that each deal an article over every core would share each core between two
  replicas); alternated rounds, medians.

Timings on a shared machine are noisy: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.jobs_bench import CLAIM_SECONDS, throughput  # noqa: E402
from bench.serve_bench import article, raw_ctranslate2, small_requests  # noqa: E402
from bench.translate_bench import (TARGETS, alternate, bench_article, bench_settings, english_text,  # noqa: E402
                                   install_packs, ratio_line, raw_call, summary)
from service import translation  # noqa: E402
from service.translation.batching import deal_by_length  # noqa: E402

CORES = os.cpu_count() or 1
PARTS = ("articles", "small", "jobs")


def translated_segments(result) -> list[str]:
    """The texts process() sends to the model: title, teaser, headings and sentences."""
    article_parts = result.article
    return [text for text in (article_parts.title, article_parts.teaser, *article_parts.headings, *result.sentences)
            if text.strip()]


def raw_one_batch(packs: dict, tokens: dict, settings) -> dict:
    """Raw A: each language's pieces as one batch, every language posted at once."""
    posted = {target: raw_call(packs[target], pieces, settings, asynchronous=True) for target, pieces in tokens.items()}
    return {target: [waiting.result() for waiting in results] for target, results in posted.items()}


def raw_dealt(packs: dict, tokens: dict, settings, lanes: int) -> dict:
    """Raw B: each language's batch dealt in ``lanes`` groups, every group posted at once; in order."""
    posted = {target: [(group, raw_call(packs[target], [pieces[index] for index in group], settings,
                                        asynchronous=True))
                       for group in deal_by_length([len(part) for part in pieces], groups=lanes)]
              for target, pieces in tokens.items()}
    results = {}
    for target, groups in posted.items():
        ordered = [None] * len(tokens[target])
        for group, waiting in groups:
            for index, item in zip(group, waiting):
                ordered[index] = item.result()
        results[target] = ordered
    return results


def check_copies(results: dict, tokens: dict, name: str) -> None:
    """The bench packs copy: both raw set-ups must write exactly the tag and the input pieces."""
    for target, found in results.items():
        assert [result.hypotheses[0] for result in found] == [[f"<{target}>", *pieces] for pieces in tokens[target]], \
            f"{name} did not copy into {target}"


def articles(corpus: list[str], rounds: int) -> None:
    from service.pipeline import process

    text = bench_article(corpus)
    ours = bench_settings(cache_sentences=0)
    one_replica = bench_settings(cache_sentences=0, inter_threads=1)
    raw_a = bench_settings(cache_sentences=0, inter_threads=1, intra_threads=CORES)
    raw_b = bench_settings(cache_sentences=0, inter_threads=CORES, intra_threads=1)
    first = process(text, targets=TARGETS, settings=ours, source="en")
    segments = translated_segments(first)
    print(f"\n(a) one article ({len(segments)} segments), {CORES} cores, beam {ours.beam_size}, sentence cache off; "
          f"process() with inter_threads {ours.inter_threads}, intra_threads {ours.intra_threads}; "
          f"{rounds} rounds, alternated:")
    for targets in (("de",), TARGETS):
        packs_a = {target: translation.load_pack("en", target, raw_a) for target in targets}
        packs_b = {target: translation.load_pack("en", target, raw_b) for target in targets}
        tokens = {target: [packs_a[target].tokenizer.encode(segment) for segment in segments] for target in targets}
        check_copies(raw_one_batch(packs_a, tokens, raw_a), tokens, "raw A")
        check_copies(raw_dealt(packs_b, tokens, raw_b, CORES), tokens, "raw B")
        for settings in (ours, one_replica):  # load and warm up
            translations = process(text, targets=targets, settings=settings, source="en").translations
            assert all(item.sentences == tuple(f"<{target}> {sentence}" for sentence in first.sentences)
                       for target, item in translations.items()), "process() did not copy"
        times = alternate(
            rounds,
            raw_a=lambda: raw_one_batch(packs_a, tokens, raw_a),
            raw_b=lambda: raw_dealt(packs_b, tokens, raw_b, CORES),
            ours=lambda: process(text, targets=targets, settings=ours, source="en"),
            one_replica=lambda: process(text, targets=targets, settings=one_replica, source="en"))
        faster = min(("raw_a", "raw_b"), key=lambda name: statistics.median(times[name]))
        print(f"  into {','.join(targets)}:")
        print(f"    raw A, one batch per language, intra_threads {CORES}      : {summary(times['raw_a'])}")
        print(f"    raw B, dealt over {CORES} single-thread replicas          : {summary(times['raw_b'])}")
        print(f"    process(), the defaults                              : {summary(times['ours'])}")
        print(f"    process(), inter_threads 1 (a lone request before)   : {summary(times['one_replica'])}")
        print(f"    process() / raw {faster[-1].upper()} (the faster): {ratio_line(times['ours'], times[faster])}")
        print(f"    process() / process() on one replica: {ratio_line(times['ours'], times['one_replica'])}")


def small(corpus: list[str], rounds: int, seconds: float, clients: int) -> None:
    # The Procfile's defaults: one gunicorn worker of 32 threads (service/http/gunicorn_conf.py).
    args = argparse.Namespace(workers="1", threads="32", small_clients=clients, small_seconds=seconds)
    print(f"\n(b) {clients} clients, one NTREX sentence each per POST /translate (en->de), the service's defaults, "
          f"sentence cache off, {seconds:g} s a run; raw CTranslate2 in batches of 16, {CORES} at a time; "
          f"{rounds} rounds, alternated:")
    rates: dict[str, list[float]] = {"newsdesk": [], "raw": []}
    for round_number in range(rounds):
        for name in ("newsdesk", "raw") if round_number % 2 == 0 else ("raw", "newsdesk"):
            if name == "raw":
                rate = raw_ctranslate2(corpus, seconds, batch=16, threads=CORES)
                print(f"  round {round_number + 1}: raw CTranslate2 {rate:.1f} sentences/s")
            else:
                run = small_requests(args, corpus)
                rate = run["rate"]
                print(f"  round {round_number + 1}: newsdesk {rate:.1f} sentences/s, errors {run['errors']}; latency "
                      f"p50 {run['many']['p50'] * 1000:.0f} ms, p90 {run['many']['p90'] * 1000:.0f} ms; a lone "
                      f"client p50 {run['alone']['p50'] * 1000:.1f} ms")
            rates[name].append(rate)
    ours, raw = statistics.median(rates["newsdesk"]), statistics.median(rates["raw"])
    per_round = [mine / theirs for mine, theirs in zip(rates["newsdesk"], rates["raw"])]
    print(f"  medians: newsdesk {ours:.1f}, raw {raw:.1f} sentences/s: newsdesk / raw {ours / raw:.2f}x "
          f"(per round {', '.join(f'{value:.2f}' for value in per_round)})")


def jobs(corpus: list[str], count: int, rounds: int, target_sets: list[tuple[str, ...]]) -> None:
    from service import batch
    from service.stores import redis_server

    settings = bench_settings(cache_sentences=0, jobs_dir=Path(tempfile.mkdtemp(prefix="newsdesk-scale-bench-")),
                              job_claim_seconds=CLAIM_SECONDS)
    url = redis_server.embedded_redis(settings).url
    connection = redis_server.connect(settings, socket_timeout=None)
    texts = [article(corpus, number) for number in range(count)]
    print(f"\n(c) batch jobs: {count} articles of 18 sentences, `newsdesk worker` processes on one embedded Redis, "
          f"sentence caches off, {CORES} cores; {rounds} rounds, alternated:")
    # (workers, NEWSDESK_INTER_THREADS): the default replicas, then two workers sharing the cores.
    runs = [(1, None), (2, None), (2, str(max(1, CORES // 2)))]
    try:
        for targets in target_sets:
            print(f"  targets {','.join(targets)}:")
            seconds: dict[tuple, list[float]] = {run: [] for run in runs}
            for round_number in range(rounds):
                for workers, inter_threads in runs if round_number % 2 == 0 else runs[::-1]:
                    if inter_threads:
                        print(f"  (NEWSDESK_INTER_THREADS={inter_threads})", end="")
                    with _environment(NEWSDESK_INTER_THREADS=inter_threads):
                        seconds[workers, inter_threads].append(
                            throughput(connection, settings, url, texts, targets, workers))
            rates = {run: count / statistics.median(values) for run, values in seconds.items()}
            one = rates[runs[0]]
            print(f"  targets {','.join(targets)}, medians: " + "; ".join(
                f"{workers} worker{'s' if workers > 1 else ''}"
                f"{f' with NEWSDESK_INTER_THREADS={inter_threads}' if inter_threads else ''} {rate:.3f} articles/s "
                f"({rate / one:.2f}x 1 worker)" for (workers, inter_threads), rate in rates.items()))
    finally:
        batch.stop()


@contextlib.contextmanager
def _environment(**values: str | None):
    """These environment variables (None: left as they are) while the block runs, for the workers it starts."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update({name: value for name, value in values.items() if value is not None})
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS), help="which parts to run")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of the article timings")
    parser.add_argument("--small-rounds", type=int, default=2)
    parser.add_argument("--small-seconds", type=float, default=15)
    parser.add_argument("--small-clients", type=int, default=16)
    parser.add_argument("--job-articles", type=int, default=12)
    parser.add_argument("--job-rounds", type=int, default=2)
    parser.add_argument("--job-targets", nargs="+", default=["de", "ar,de,ru"],
                        help="target sets of the batch jobs, each comma-separated")
    args = parser.parse_args()
    corpus, origin = english_text()
    print(f"sentences: {origin}")
    install_packs(corpus)
    if "articles" in args.parts:
        articles(corpus, args.rounds)
    if "small" in args.parts:
        small(corpus, args.small_rounds, args.small_seconds, args.small_clients)
    if "jobs" in args.parts:
        jobs(corpus, args.job_articles, args.job_rounds,
             [tuple(code for code in targets.split(",") if code) for targets in args.job_targets])


if __name__ == "__main__":
    main()
