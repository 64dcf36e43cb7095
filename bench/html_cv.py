"""Cross-validate how .html uploads are read, on the shared fundus pages, folded by publisher.

    .venv/bin/python bench/html_cv.py [--folds 5] [--evaldata ../shared/evaldata] [--path DIR]

What is scored is what a user gets from an HTML upload: the cleaned article body,
``clean(page.text, main_content=page.main_content).body_text()`` of ``read_page(html, reading=...)``
(service.stages.documents.html_article_text with the shipped choices), against the publisher's gold body, with boilerplate_eval.py's
own token counting (read at run time). trafilatura alone (boilerplate_eval's
trafilatura_extract) is scored on the same folds.

The choices in service.stages.documents.Reading (trafilatura's focus, tables, newsdesk's teaser
and captions) are a small grid. Every page of both files (boilerplate_multi.jsonl,
boilerplate_news.jsonl) is read once per grid point; the publishers are then shuffled
with a fixed seed and dealt into folds, so no publisher is on both sides. Per fold:
- "tuned": the grid point with the best mean F1 on the other folds' pages, scored on
  this fold's pages only;
- "shipped": service.stages.documents.READING, as it is;
- "trafilatura": trafilatura.extract alone.
Held-out figures are the mean over folds, with the spread (standard deviation) across
them, per file. No evaluation text is copied into the repository. ``--path`` puts a
folder first on sys.path (another checkout, to measure against its cleaner).
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import importlib
import json
import logging
import random
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FILES = {"multi": "boilerplate_multi.jsonl", "en": "boilerplate_news.jsonl"}
SEED = 13


def grid(reading_class) -> list:
    """The choices tried: trafilatura's focus and tables, newsdesk's teaser and captions."""
    return [reading_class(focus=focus, tables=tables, teaser=teaser, captions=captions)
            for focus in ("balanced", "recall", "precision")
            for tables in (True, False)
            for teaser in (True, False)
            for captions in (True, False)]


def load_pages(evaldata: Path) -> list[dict]:
    """The rows with a gold body and a saved page, each with its file's short name and its HTML."""
    pages = []
    for name, file in FILES.items():
        for line in (evaldata / file).open(encoding="utf-8"):
            row = json.loads(line) if line.strip() else {}
            saved = evaldata / "pages" / f"{row.get('id')}.html.gz"
            if row.get("gold_body") and saved.exists():
                pages.append(dict(row, set=name, html=gzip.open(saved).read()))
    return pages


def deal_folds(pages: list[dict], folds: int) -> list[int]:
    """The fold of each page: publishers shuffled with a fixed seed, dealt round."""
    publishers = sorted({page["publisher"] for page in pages})
    random.Random(SEED).shuffle(publishers)
    fold_of = {publisher: i % folds for i, publisher in enumerate(publishers)}
    return [fold_of[page["publisher"]] for page in pages]


def f1(out: str, gold: str, toks) -> float:
    """Token F1 of ``out`` against ``gold``, as boilerplate_eval.py counts it."""
    o, g = toks(out), toks(gold)
    common = sum((o & g).values())
    precision, recall = common / max(1, sum(o.values())), common / max(1, sum(g.values()))
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def held_out(scores: list[float], pages: list[dict], fold_of: list[int], folds: int, name: str) -> list[float]:
    """Mean score of each fold's pages of one file (a fold without pages of that file left out)."""
    per_fold = [[s for s, page, k in zip(scores, pages, fold_of) if k == fold and page["set"] == name]
                for fold in range(folds)]
    return [statistics.mean(fold) for fold in per_fold if fold]


def describe(reading) -> str:
    return ", ".join(f"{field.name}={getattr(reading, field.name)}" for field in dataclasses.fields(reading))



def _article_body(page, clean) -> str:
    """The cleaned body of a page read as the .html path reads it (its main content trusted)."""
    return clean(page.text, main_content=page.main_content).body_text()

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--evaldata", type=Path, default=REPO.parent / "shared" / "evaldata")
    parser.add_argument("--path", type=Path, help="put this folder first on sys.path (another checkout)")
    args = parser.parse_args(argv)
    if not (args.evaldata / "boilerplate_eval.py").exists():
        print(f"{args.evaldata} not found: this benchmark needs the shared evaluation data")
        return 1
    sys.path[:0] = [str(args.path or REPO), str(args.evaldata)]
    logging.disable(logging.WARNING)  # trafilatura logs every page it finds little on
    documents = importlib.import_module("service.stages.documents")
    clean = importlib.import_module("service.stages.clean").clean
    scorer = importlib.import_module("boilerplate_eval")

    pages = load_pages(args.evaldata)
    fold_of = deal_folds(pages, args.folds)
    readings = grid(documents.Reading)
    if documents.READING not in readings:
        readings.append(documents.READING)
    scores = {}
    for reading in readings:
        scores[reading] = [f1(_article_body(documents.read_page(page["html"], reading=reading), clean),
                              page["gold_body"], scorer.toks) for page in pages]
    reference = [f1(scorer.trafilatura_extract(page["html"]), page["gold_body"], scorer.toks) for page in pages]

    counts = ", ".join(f"{name} {sum(page['set'] == name for page in pages)}" for name in FILES)
    publishers = len({page["publisher"] for page in pages})
    print(f"{len(pages)} pages ({counts}), {publishers} publishers, {args.folds} folds by publisher\n")
    print(f"{'all pages (in-sample, for reference)':60s}" + "   ".join(f"{n:>5s} F1" for n in FILES))
    for reading in readings:
        mark = "  <- shipped" if reading == documents.READING else ""
        print(f"  {describe(reading):58s}" + "   ".join(
            f"{statistics.mean(s for s, p in zip(scores[reading], pages) if p['set'] == n):8.3f}" for n in FILES) + mark)

    tuned = [0.0] * len(pages)
    print("\nper fold: the choice with the best mean F1 on the other folds")
    for fold in range(args.folds):
        train = [i for i, k in enumerate(fold_of) if k != fold]
        best = max(readings, key=lambda r: statistics.mean(scores[r][i] for i in train))
        print(f"  fold {fold}: {describe(best)}")
        for i, k in enumerate(fold_of):
            if k == fold:
                tuned[i] = scores[best][i]

    print("\nheld-out F1, mean ± spread across folds")
    for label, values in (("tuned", tuned), ("shipped", scores[documents.READING]), ("trafilatura alone", reference)):
        cells = []
        for name in FILES:
            per_fold = held_out(values, pages, fold_of, args.folds, name)
            cells.append(f"{name} {statistics.mean(per_fold):.3f} ± {statistics.stdev(per_fold):.3f}")
        print(f"  {label:18s} " + "   ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
