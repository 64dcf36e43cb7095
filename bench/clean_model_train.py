"""Fit the cleaner's second opinion (service/stages/clean_model.py) and say how well it holds on unseen data.

    .venv/bin/python bench/clean_model_train.py            # figures only
    .venv/bin/python bench/clean_model_train.py --write    # also write service/stages/data/clean_model.json

The lines the rules leave out only for where they sit or how they look (clean.lines_in_doubt)
are labelled from the shared dev sets: on the fundus pages (boilerplate_news, boilerplate_multi)
a line is body when the publisher's body has it word for word; on boilerplate_snippets when it
holds text that must stay (body) or text that must go (not body), else it is not used. A logistic
model (numpy, Newton's method, L2) is fitted; the probability above which a line goes back is
chosen on the training pages by the end-to-end score. Figures (issue 27, item 3):
- in set: fitted on all three sets, scored on each;
- datasets held out: fitted on the fundus pages, scored on boilerplate_snippets, and the other way;
- folds by site: 5 folds of all pages grouped by site (host name), fitted on four, scored on the fifth;
- the trade-off (--frontier): kept/dropped and F1 at every threshold, the model fitted on all sets.
  On 2026-12-07 snippets kept 0.95 came only with dropped near 0.68 (threshold 0.05), so the
  goal kept >= 0.95 / dropped >= 0.85 is out of this model's reach on these signals. Gradient
  boosting (scikit-learn's HistGradientBoostingClassifier, depth 2-4) raised the in-set figure
  to 0.870-0.949 kept but left both datasets-held-out figures where the logistic model has them
  (fundus -> snippets 0.818-0.821 kept; snippets -> fundus F1 0.897-0.922): it learnt the pages,
  not the signals, so it does not ship and scikit-learn is not a dependency.
The evaluation data is read from ../shared/evaldata and never copied into the project.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

REPO = Path(__file__).resolve().parent.parent
EVALDATA = REPO.parent / "shared" / "evaldata"
MODEL_FILE = REPO / "service" / "stages" / "data" / "clean_model.json"
sys.path.insert(0, str(REPO))

from service.stages import clean as cleaner  # noqa: E402
from service.stages.clean_model import LineModel  # noqa: E402

THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
FRONTIER = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.45, 0.55)
L2 = 1.0
NEVER = LineModel(weights={}, bias=-30.0, threshold=0.5)  # the rules alone


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _folded(text: str) -> str:
    return " ".join(text.split()).lower()


@dataclass
class Page:
    """One dev page: its rules-only body, its lines in doubt with signals, and what the scorer checks."""

    dataset: str  # "fundus" or "snippets"
    site: str
    body: str
    doubt: list[tuple[str, dict[str, float]]]
    gold: str = ""  # fundus: the publisher's body
    present: tuple[str, ...] = ()  # snippets: text that must stay / must go
    absent: tuple[str, ...] = ()

    def labels(self) -> list[tuple[dict[str, float], int, float]]:
        """(signals, 1 body / 0 not, weight) for each line in doubt that the data can label."""
        rows = []
        if self.dataset == "fundus":
            gold = " " + " ".join(_tokens(self.gold)) + " "
            for line, signals in self.doubt:
                tokens = _tokens(line)
                if tokens:
                    rows.append((signals, int(f" {' '.join(tokens)} " in gold), float(len(tokens))))
            return rows
        for line, signals in self.doubt:
            folded = _folded(line)
            if any(_folded(snippet) in folded for snippet in self.present):
                rows.append((signals, 1, 1.0))
            elif any(_folded(snippet) in folded for snippet in self.absent):
                rows.append((signals, 0, 1.0))
        return rows

    def output(self, back: list[bool]) -> str:
        return "\n".join([self.body, *(line for (line, _), keep in zip(self.doubt, back) if keep)])


def _rules_only(text: str) -> str:
    original = cleaner.trained_model
    cleaner.trained_model = lambda: NEVER
    try:
        return cleaner.clean(text).body_text()
    finally:
        cleaner.trained_model = original


def load_pages() -> list[Page]:
    pages = []
    for name in ("boilerplate_news.jsonl", "boilerplate_multi.jsonl"):
        for row in map(json.loads, (EVALDATA / name).open(encoding="utf-8")):
            if not row.get("gold_body"):
                continue  # a page kept for its snippets only (the scorer skips it too)
            doubt = [(line, signals) for line, _, signals in cleaner.lines_in_doubt(row["raw_text"])]
            pages.append(Page("fundus", urlparse(row.get("url", "")).netloc or row["id"], _rules_only(row["raw_text"]),
                              doubt, gold=row["gold_body"]))
    for row in map(json.loads, (EVALDATA / "boilerplate_snippets.jsonl").open(encoding="utf-8")):
        doubt = [(line, signals) for line, _, signals in cleaner.lines_in_doubt(row["text"])]
        pages.append(Page("snippets", urlparse(row.get("url", "")).netloc or row["id"], _rules_only(row["text"]), doubt,
                          present=tuple(row["expected_present"]), absent=tuple(row["expected_absent"])))
    return pages


def fit(pages: list[Page]) -> LineModel:
    """Fit the logistic model on the pages' labelled lines; choose its threshold by their end-to-end score."""
    rows = [row for page in pages for row in page.labels()]
    names = sorted({name for signals, _, _ in rows for name in signals})
    x = np.array([[signals.get(name, 0.0) for name in names] + [1.0] for signals, _, _ in rows])
    y = np.array([label for _, label, _ in rows], dtype=float)
    # each dataset weighs the same, whatever its count of lines
    share = Counter(page.dataset for page in pages for _ in page.labels())
    owner = [page.dataset for page in pages for _ in page.labels()]
    w = np.array([weight for _, _, weight in rows]) / np.array([share[name] for name in owner])
    w = w / w.mean()
    beta = np.zeros(x.shape[1])
    penalty = L2 * np.eye(x.shape[1])
    penalty[-1, -1] = 0.0
    for _ in range(30):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -30, 30)))
        gradient = x.T @ (w * (p - y)) + penalty @ beta
        hessian = (x * (w * p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    model = LineModel(weights={name: round(float(value), 6) for name, value in zip(names, beta[:-1])},
                      bias=round(float(beta[-1]), 6), threshold=0.5)
    best = max(THRESHOLDS, key=lambda threshold: _objective(pages, _with_threshold(model, threshold)))
    return _with_threshold(model, best)


def _with_threshold(model: LineModel, threshold: float) -> LineModel:
    return LineModel(weights=model.weights, bias=model.bias, threshold=threshold)


def scores(pages: list[Page], model: LineModel) -> dict[str, tuple[float, ...]]:
    """fundus: mean token (P, R, F1); snippets: (kept, dropped)."""
    figures: dict[str, tuple[float, ...]] = {}
    fundus = [page for page in pages if page.dataset == "fundus"]
    if fundus:
        totals = np.zeros(3)
        for page in fundus:
            out = Counter(_tokens(page.output(_back(page, model))))
            gold = Counter(_tokens(page.gold))
            common = sum((out & gold).values())
            precision, recall = common / max(1, sum(out.values())), common / max(1, sum(gold.values()))
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            totals += (precision, recall, f1)
        figures["fundus"] = tuple(totals / len(fundus))
    snippets = [page for page in pages if page.dataset == "snippets"]
    if snippets:
        kept = dropped = present = absent = 0
        for page in snippets:
            out = _folded(page.output(_back(page, model)))
            kept += sum(_folded(s) in out for s in page.present)
            dropped += sum(_folded(s) not in out for s in page.absent)
            present, absent = present + len(page.present), absent + len(page.absent)
        figures["snippets"] = (kept / present, dropped / absent)
    return figures


def _back(page: Page, model: LineModel) -> list[bool]:
    return [model.probability(signals) >= model.threshold for _, signals in page.doubt]


def _objective(pages: list[Page], model: LineModel) -> float:
    """The fundus pages' F1 and the mean of the snippets' kept and dropped: a line goes back only when it is
    more likely body than not (a lower threshold bought kept with dropped below the 0.85 goal, 2026-12-06)."""
    figures = scores(pages, model)
    parts = []
    if "fundus" in figures:
        parts.append(figures["fundus"][2])
    if "snippets" in figures:
        parts.append(sum(figures["snippets"]) / 2)
    return sum(parts) / len(parts)


def describe(figures: dict[str, tuple[float, ...]]) -> str:
    out = []
    if "fundus" in figures:
        out.append("fundus P/R/F1 {:.3f} / {:.3f} / {:.3f}".format(*figures["fundus"]))
    if "snippets" in figures:
        out.append("snippets kept/dropped {:.3f} / {:.3f}".format(*figures["snippets"]))
    return ";  ".join(out)


def by_site_folds(pages: list[Page], folds: int = 5) -> list[dict[str, tuple[float, ...]]]:
    sites = sorted({page.site for page in pages})
    fold_of = {site: index % folds for index, site in enumerate(sites)}
    results = []
    for fold in range(folds):
        train = [page for page in pages if fold_of[page.site] != fold]
        test = [page for page in pages if fold_of[page.site] == fold]
        results.append(scores(test, fit(train)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="write the model fitted on all sets to the project")
    parser.add_argument("--frontier", action="store_true", help="also print the figures at every threshold")
    arguments = parser.parse_args()
    if not EVALDATA.is_dir():
        print(f"{EVALDATA} not found: the second opinion is fitted on the shared evaluation data")
        return
    pages = load_pages()
    fundus = [page for page in pages if page.dataset == "fundus"]
    snippets = [page for page in pages if page.dataset == "snippets"]
    print(f"{len(fundus)} fundus pages, {len(snippets)} snippets pages; "
          f"{sum(len(page.labels()) for page in pages)} labelled lines in doubt")
    print(f"rules alone:                    {describe(scores(pages, NEVER))}")
    model = fit(pages)
    print(f"in set (fitted on all):         {describe(scores(pages, model))}  (threshold {model.threshold})")
    print(f"held out: fundus -> snippets:   {describe(scores(snippets, fit(fundus)))}")
    print(f"held out: snippets -> fundus:   {describe(scores(fundus, fit(snippets)))}")
    if arguments.frontier:
        for threshold in FRONTIER:
            print(f"  at threshold {threshold:<4}:           {describe(scores(pages, _with_threshold(model, threshold)))}")
    folds = by_site_folds(pages)
    for name in ("fundus", "snippets"):
        values = np.array([fold[name] for fold in folds if name in fold])
        print(f"5 folds by site, {name:8s}:      " + " / ".join(f"{v:.3f} ± {s:.3f}" for v, s in
                                                             zip(values.mean(axis=0), values.std(axis=0))))
    if arguments.write:
        MODEL_FILE.write_text(json.dumps({"weights": model.weights, "bias": model.bias, "threshold": model.threshold,
                                          "fitted_on": "boilerplate_news, boilerplate_multi, boilerplate_snippets "
                                                       "(bench/clean_model_train.py --write)"},
                                         indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE.relative_to(REPO)}")


if __name__ == "__main__":
    main()
