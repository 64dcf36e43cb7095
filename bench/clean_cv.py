"""Cross-validate the cleaner on the shared boilerplate pages, folded by publisher.

    .venv/bin/python bench/clean_cv.py [--folds 5] [--evaldata ../shared/evaldata]

For each file (boilerplate_multi.jsonl, boilerplate_news.jsonl) the publishers are
shuffled with a fixed seed and dealt into folds, so no publisher is on both sides.
Each fold is scored twice, on its held-out pages only:
- "fixed": the cleaner as shipped (service.stages.clean.DEFAULT_TUNING);
- "tuned": the tuning from TUNING_GRID with the best mean F1 (recall >= 0.98 preferred)
  on the other folds' pages, so a threshold is never chosen on the pages it is scored on.
Token P/R/F1 come from boilerplate_eval.py itself (its toks()), read at run time; no
evaluation text is copied into the repository.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import random
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from service.stages.clean import DEFAULT_TUNING, Tuning, clean  # noqa: E402

FILES = ("boilerplate_multi.jsonl", "boilerplate_news.jsonl")
SEED = 13
# Small on purpose: each point is a whole pass over the training pages.
TUNING_GRID = [
    Tuning(max_gap=gap, prose_words=words)
    for gap in (6, 8, 10)
    for words in (8, 10, 12)
]


def load_rows(path: Path) -> list[dict]:
    """Read the pages that have a gold body (the scorer skips the others too) from one JSONL file."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    return [row for row in rows if row.get("gold_body")]


def deal_folds(rows: list[dict], folds: int) -> list[list[dict]]:
    """Deal the publishers (shuffled with a fixed seed) into `folds` groups of pages."""
    publishers = sorted({row["publisher"] for row in rows})
    random.Random(SEED).shuffle(publishers)
    fold_of = {publisher: i % folds for i, publisher in enumerate(publishers)}
    return [[row for row in rows if fold_of[row["publisher"]] == k] for k in range(folds)]


def score(rows: list[dict], tuning: Tuning, toks) -> tuple[float, float, float]:
    """Mean token (P, R, F1) of the cleaned body against the gold body, as boilerplate_eval.py counts."""
    totals = [0.0, 0.0, 0.0]
    for row in rows:
        out, gold = toks(clean(row["raw_text"], tuning=tuning).body_text()), toks(row["gold_body"])
        common = sum((out & gold).values())
        p = common / max(1, sum(out.values()))
        r = common / max(1, sum(gold.values()))
        f = 2 * p * r / (p + r) if p + r else 0.0
        totals = [totals[0] + p, totals[1] + r, totals[2] + f]
    return tuple(total / max(1, len(rows)) for total in totals)


def pick_tuning(rows: list[dict], toks) -> Tuning:
    """The grid point with the best F1 on these pages, among those with recall >= 0.98 when any."""
    scored = [(score(rows, tuning, toks), tuning) for tuning in TUNING_GRID]
    recall_ok = [item for item in scored if item[0][1] >= 0.98] or scored
    return max(recall_ok, key=lambda item: item[0][2])[1]


def cross_validate(path: Path, folds: int, toks) -> None:
    """Print held-out P/R/F1 per fold, fixed and tuned, then the mean and spread of F1."""
    groups = deal_folds(load_rows(path), folds)
    print(f"== {path.name}: {sum(map(len, groups))} pages, {folds} folds by publisher")
    fixed_f1, tuned_f1 = [], []
    for k, held_out in enumerate(groups):
        training = [row for j, group in enumerate(groups) if j != k for row in group]
        tuning = pick_tuning(training, toks)
        fixed, tuned = score(held_out, DEFAULT_TUNING, toks), score(held_out, tuning, toks)
        fixed_f1.append(fixed[2])
        tuned_f1.append(tuned[2])
        print(f"fold {k} ({len(held_out):2d} pages)  fixed P={fixed[0]:.3f} R={fixed[1]:.3f} F1={fixed[2]:.3f}"
              f"   tuned P={tuned[0]:.3f} R={tuned[1]:.3f} F1={tuned[2]:.3f}  ({_describe(tuning)})")
    for name, values in (("fixed", fixed_f1), ("tuned", tuned_f1)):
        print(f"held-out F1 {name}: mean {statistics.mean(values):.3f} ± {statistics.pstdev(values):.3f}"
              f" (min {min(values):.3f}, max {max(values):.3f})")


def _describe(tuning: Tuning) -> str:
    return ", ".join(f"{f.name}={getattr(tuning, f.name)}" for f in dataclasses.fields(tuning))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--evaldata", type=Path, default=REPO.parent / "shared" / "evaldata")
    args = parser.parse_args(argv)
    if not (args.evaldata / "boilerplate_eval.py").is_file():
        print(f"no evaluation data at {args.evaldata}: nothing to cross-validate", file=sys.stderr)
        return 1
    sys.path.insert(0, str(args.evaldata))
    toks = importlib.import_module("boilerplate_eval").toks
    for name in FILES:
        cross_validate(args.evaldata / name, args.folds, toks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
