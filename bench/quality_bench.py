"""Print the pipeline's quality figures with the shared scorers in ../shared/evaldata.

    .venv/bin/python bench/quality_bench.py        (`make bench` installs rouge-score first)

Every row of issue 13's and issue 27's tables, each on the full set and, where anything was
tuned, cross-validated (tuned on the training folds, scored on the held-out one) and, for the
cleaner's learned second opinion, with whole datasets held out:
1. cleaning scraped text: boilerplate_eval.py on real pages in 19 languages and on the
   English news pages (token P/R/F1 against the publishers' bodies); goal F1 >= 0.95
   with recall >= 0.98; boilerplate_snippets (pages of many kinds) with snippets_eval.py;
   bench/clean_cv.py gives the held-out folds, bench/clean_model_train.py the second
   opinion's figures (fitted on the fundus pages and scored on the snippets, and back);
2. the .html path (trafilatura + newsdesk's cleaning) side by side with trafilatura
   alone on the same saved pages and on boilerplate_snippets' HTML; bench/html_cv.py gives the
   held-out folds;
3. sentences: sbd_stream_eval.py on running news text (goal F1 >= 0.98 for de, ru, ar;
   bench/sentences_cv.py gives the folds), and sbd_eval.py on the golden rules;
4. summaries: summ_eval.py on CNN/DailyMail human highlights and the BBC set, the news
   default against lead-3 and lead-N, and bench/summary_cv.py's 5-fold cross-validation
   with paired bootstrap intervals (goal: never below lead-3);
5. every summary method, and sentence splitting, timed on a 2,000-sentence document.
The evaluation data is not part of the project; without ../shared/evaldata the script
says so and times the summary methods only.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVALDATA = REPO.parent / "shared" / "evaldata"
sys.path.insert(0, str(REPO))

STREAMS = ("sbd_stream_de.jsonl", "sbd_stream_ru.jsonl", "sbd_stream_ar.jsonl")


def scorer(script: str, *args: str) -> str:
    """Run one of the shared scorers on newsdesk's code; its table, or why it failed."""
    return _run([str(EVALDATA / script), *args, "--path", str(REPO)], cwd=EVALDATA)


def cross_validation(script: str) -> str:
    """Run one of bench/'s cross-validation scripts."""
    return _run([str(REPO / "bench" / script)], cwd=REPO)


def _run(arguments: list[str], cwd: Path) -> str:
    done = subprocess.run([sys.executable, *arguments], capture_output=True, text=True, cwd=cwd)
    if done.returncode:
        return f"{Path(arguments[0]).name} failed:\n{done.stderr[-2000:]}"
    return done.stdout.rstrip()


def quality() -> None:
    print("== cleaning scraped text (boilerplate_eval.py -c service.stages.clean:clean_text)")
    for data in ("boilerplate_multi.jsonl", "boilerplate_news.jsonl"):
        print(f"-- {data}")
        print(scorer("boilerplate_eval.py", "--data", data, "-c", "service.stages.clean:clean_text"))
    print("-- boilerplate_snippets.jsonl (pages of many kinds: share of must-stay text kept, of must-go text dropped)")
    print(scorer("snippets_eval.py", "-c", "service.stages.clean:clean_text"))
    print("-- held-out folds (bench/clean_cv.py)")
    print(cross_validation("clean_cv.py"))
    print("-- the second opinion on lines left out in doubt: in set, datasets held out, folds by site "
          "(bench/clean_model_train.py)")
    print(cross_validation("clean_model_train.py"))

    print("\n== .html pages: newsdesk (trafilatura + cleaning) against trafilatura alone (boilerplate_eval.py --html)")
    for data in ("boilerplate_multi.jsonl", "boilerplate_news.jsonl"):
        print(f"-- {data}")
        print(scorer("boilerplate_eval.py", "--data", data, "--html", "-c", "service.stages.documents:html_article_text",
                     "-c", "boilerplate_eval:trafilatura_extract"))
    print("-- boilerplate_snippets.jsonl --html")
    print(scorer("snippets_eval.py", "--html", "-c", "service.stages.documents:html_article_text",
                 "-c", "snippets_eval:trafilatura_extract"))
    print("-- held-out folds (bench/html_cv.py)")
    print(cross_validation("html_cv.py"))

    print("\n== sentences in running text (sbd_stream_eval.py -s service.stages.sentences:split_sentences)")
    print(scorer("sbd_stream_eval.py", *STREAMS, "-s", "service.stages.sentences:split_sentences"))
    print("-- held-out folds (bench/sentences_cv.py)")
    print(cross_validation("sentences_cv.py"))
    print("-- golden rules (sbd_eval.py)")
    for lang in ("en", "de", "ru", "ar"):
        print(scorer("sbd_eval.py", f"sbd_golden_{lang}.jsonl", "-s", "service.stages.sentences:split_sentences",
                     "--lang", lang).splitlines()[-1])

    print("\n== summaries (summ_eval.py, length = reference sentences)")
    for data in ("news_summ_cnndm.jsonl", "news_summ.jsonl"):
        print(f"-- {data}")
        print(scorer("summ_eval.py", data, "--systems", "lead3,leadN", "--summarizer", "bench.adapters:summarize_news"))
    print("-- 5-fold cross-validation against lead-3 with paired bootstrap intervals, and BBC against lead-N "
          "(bench/summary_cv.py)")
    print(cross_validation("summary_cv.py"))


def method_times() -> None:
    from service.stages.summary import METHODS, summarize

    ntrex = EVALDATA / "parallel_ntrex.jsonl"
    if ntrex.is_file():
        rows = [json.loads(line)["en"] for line in ntrex.open(encoding="utf-8")]
        origin = "NTREX English sentences"
    else:
        rows = [f"Report {i} says the port of city {i % 37} handled {i * 7} containers on day {i % 11}." for i in range(2000)]
        origin = "generated sentences"
    sentences = (rows * 2)[:2000]
    print(f"\n== summary methods on a 2,000-sentence document ({origin}), 10 sentences")
    for method in METHODS:
        started = time.perf_counter()
        summarize(sentences, "en", 10, method)
        print(f"  {method:10s} {time.perf_counter() - started:6.2f} s")


def splitting_times() -> None:
    """Sentence splitting is linear: one 2,000-sentence paragraph per language."""
    from service.stages.sentences import split_sentences

    samples = {
        "en": 'He said: "Port {} will not close." The talks went on, e.g. in Rotterdam.',
        "de": "„Wir bleiben“, sagte er am {}. März. Die Zahl steht auf Seite 12.",
        "ru": "Он сказал: «Мы не уйдём {}». Штраф составил 200 тыс. руб.",
        "ar": 'قال الوزير، في بيان: "لن نتوقف {}." وأضاف أن الميناء مغلق.',
    }
    print("\n== sentence splitting of one 2,000-sentence paragraph")
    for lang, sentence in samples.items():
        text = " ".join(sentence.format(i % 28 + 1) for i in range(1000))
        started = time.perf_counter()
        count = len(split_sentences(text, lang))
        print(f"  {lang}  {count} sentences  {time.perf_counter() - started:6.2f} s")


def main() -> None:
    if EVALDATA.is_dir():
        quality()
    else:
        print(f"{EVALDATA} not found: quality figures need the shared evaluation data")
    method_times()
    splitting_times()


if __name__ == "__main__":
    main()
