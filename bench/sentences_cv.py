"""Cross-validate sentence splitting on running news text (../shared/evaldata/sbd_stream_*.jsonl).

    .venv/bin/python bench/sentences_cv.py                     per-fold and overall F1, de/ru/ar
    .venv/bin/python bench/sentences_cv.py --failures-of 4     the training folds' failures for fold 4

Each stream file is cut into 5 contiguous folds (neighbouring paragraphs often come from
the same article, so contiguous folds keep them together). A fold's F1 is boundary F1 as
`sbd_stream_eval.py` counts it (non-space characters before each boundary, micro-averaged).
The rules in service/stages/sentences.py were designed by reading only the failures that
`--failures-of 4` prints (folds 0-3); fold 4 was never inspected, so it is the clean
held-out figure, and the spread over folds says how much the score moves between texts.
The data is read at run time and never copied into the project.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVALDATA = REPO.parent / "shared" / "evaldata"
LANGUAGES = ("de", "ru", "ar")
FOLDS = 5
sys.path.insert(0, str(REPO))


def boundaries(sentences: list[str]) -> set[int]:
    """Return the boundaries of a sentence list as counts of non-space characters before them."""
    marks, count = set(), 0
    for sentence in sentences[:-1]:
        count += sum(not c.isspace() for c in sentence)
        marks.add(count)
    return marks


def load_folds(lang: str) -> list[list[dict]]:
    """Return the stream file's rows cut into FOLDS contiguous folds."""
    rows = [json.loads(line) for line in (EVALDATA / f"sbd_stream_{lang}.jsonl").open(encoding="utf-8")]
    size = len(rows) / FOLDS
    return [rows[round(k * size):round((k + 1) * size)] for k in range(FOLDS)]


def score(rows: list[dict], lang: str) -> tuple[int, int, int, list[tuple[dict, set, set]]]:
    """Return true/false positives, false negatives and the failing rows (row, missed, extra)."""
    from service.stages.sentences import split_sentences

    tp = fp = fn = 0
    failures = []
    for row in rows:
        gold = boundaries(row["sentences"])
        got = boundaries([s for s in split_sentences(row["text"], lang=lang) if s.strip()])
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
        if gold != got:
            failures.append((row, gold - got, got - gold))
    return tp, fp, fn, failures


def f1(tp: int, fp: int, fn: int) -> float:
    """Return the F1 of boundary counts."""
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def report() -> None:
    """Print per-fold F1, their mean and spread, and the F1 over the whole file, per language."""
    print(f"{'lang':4s} " + " ".join(f"fold{k:<2d}" for k in range(FOLDS)) + "   mean ± sd    all")
    for lang in LANGUAGES:
        totals = [0, 0, 0]
        scores = []
        for rows in load_folds(lang):
            tp, fp, fn, _ = score(rows, lang)
            scores.append(f1(tp, fp, fn))
            totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        print(f"{lang:4s} " + " ".join(f"{s:6.3f}" for s in scores)
              + f"   {statistics.mean(scores):.3f} ± {statistics.stdev(scores):.3f}  {f1(*totals):.3f}")


def show_training_failures(fold: int, limit: int) -> None:
    """Print up to ``limit`` failures per language from every fold except ``fold``."""
    for lang in LANGUAGES:
        rows = [row for k, part in enumerate(load_folds(lang)) if k != fold for row in part]
        *_, failures = score(rows, lang)
        print(f"== {lang}: {len(failures)} failing paragraphs in the training folds of fold {fold}")
        for row, missed, extra in failures[:limit]:
            print(f"-- {row['id']} missed {sorted(missed)} extra {sorted(extra)}")
            for mark in sorted(missed | extra):
                print("   ", "MISSED" if mark in missed else "EXTRA ", _around(row["text"], mark))


def _around(text: str, mark: int, width: int = 60) -> str:
    seen = 0
    for index, char in enumerate(text):
        if seen == mark:
            return f"{text[max(0, index - width):index]} ‖ {text[index:index + width]}"
        seen += not char.isspace()
    return text[-width:] + " ‖"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures-of", type=int, metavar="FOLD",
                        help="print the failures in the training folds of FOLD instead of the scores")
    parser.add_argument("--limit", type=int, default=15, help="failures shown per language")
    args = parser.parse_args()
    if not EVALDATA.is_dir():
        sys.exit(f"{EVALDATA} not found: the cross-validation needs the shared evaluation data")
    if args.failures_of is None:
        report()
    else:
        show_training_failures(args.failures_of, args.limit)


if __name__ == "__main__":
    main()
