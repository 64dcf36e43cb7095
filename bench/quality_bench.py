"""Print the pipeline's quality figures with the shared scorers in ../shared/evaldata.

    .venv/bin/python bench/quality_bench.py        (`make bench` installs rouge-score first)

1. cleaning: boilerplate_eval.py on real scraped pages (token P/R/F1 against the
   publishers' bodies); goal F1 >= 0.95 with recall >= 0.98;
2. sentences: sbd_eval.py on the golden rules; goal en >= 47/48, de/ru/ar all but one;
3. summaries: summ_eval.py on CNN/DailyMail human highlights, the news default against
   lead-3 (length = the reference's sentence count); goal: beat lead-3 on ROUGE-1 and -2;
4. every summary method timed on a 2,000-sentence document.
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


def scorer(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(EVALDATA / script), *args, "--path", str(REPO)],
                          capture_output=True, text=True, cwd=EVALDATA)
    if done.returncode:
        return f"{script} failed:\n{done.stderr[-2000:]}"
    return done.stdout.rstrip()


def quality() -> None:
    print("== cleaning (boilerplate_eval.py -c service.clean:clean_text)")
    print(scorer("boilerplate_eval.py", "-c", "service.clean:clean_text"))
    print("\n== sentences (sbd_eval.py -s service.sentences:split_sentences)")
    for lang in ("en", "de", "ru", "ar"):
        print(scorer("sbd_eval.py", f"sbd_golden_{lang}.jsonl", "-s", "service.sentences:split_sentences",
                     "--lang", lang).splitlines()[-1])
    print("\n== summaries (summ_eval.py news_summ_cnndm.jsonl, length = reference sentences)")
    print(scorer("summ_eval.py", "news_summ_cnndm.jsonl", "--systems", "lead3,leadN",
                 "--summarizer", "bench.adapters:summarize_news"))


def method_times() -> None:
    from service.summary import METHODS, summarize

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


def main() -> None:
    if EVALDATA.is_dir():
        quality()
    else:
        print(f"{EVALDATA} not found: quality figures need the shared evaluation data")
    method_times()


if __name__ == "__main__":
    main()
