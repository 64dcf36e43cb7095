"""Cross-validate the news summary default against lead-3 on CNN/DailyMail human highlights.

    .venv/bin/python bench/summary_cv.py     (needs rouge-score and ../shared/evaldata)

The default's four parameters (service.stages.summary.NewsWeights) are picked from GRID. Scoring
it on the articles it was tuned on flatters it, so each of 5 folds tunes on 80 articles
(the grid point with the best mean ROUGE-1 + ROUGE-2) and scores that point on the held-out
20; lead-3 is scored on the same 20. Article i is in fold i % 5. ROUGE and lead-3 are
summ_eval.py's own: rouge-score's RougeScorer with use_stemmer=True, F1 x 100, the summary
sentences joined by spaces, and lead-3 from summ_eval.run_builtin with its pysbd splitter.
Our summary length is the reference's sentence count (n_ref_sentences), as in summ_eval.py.
The held-out differences to lead-3 are paired per article, with a 95 % bootstrap interval (issue 27),
and the shipped weights are scored on the BBC set, never tuned on, against lead-N.
The data is read from ../shared/evaldata at run time and never copied into the project.
"""

from __future__ import annotations

import itertools
import json
import random
import statistics
import sys
from dataclasses import dataclass, fields
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVALDATA = REPO.parent / "shared" / "evaldata"
CNNDM = EVALDATA / "news_summ_cnndm.jsonl"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from service.stages.sentences import split_sentences  # noqa: E402
from service.stages.summary import NEWS_WEIGHTS, NewsSummarizer, NewsWeights  # noqa: E402

FOLDS = 5
# Few values per parameter, so the choice can hold on articles nobody tuned on.
GRID = {
    "position_decay": (0.6, 0.75),
    "length_exponent": (1.0, 2.0),
    "density_exponent": (0.5, 1.0),
    "leaning_weight": (0.2,),  # the last round's choice, not tuned again: fewer choices, less to overfit
}
BBC = EVALDATA / "news_summ.jsonl"  # never tuned on: the second news set, scored against lead-N
BOOTSTRAP_SAMPLES = 2000


@dataclass(frozen=True)
class Article:
    """One evaluation article: its sentences, the reference highlights and lead-3's summary."""

    sentences: tuple[str, ...]
    reference: str
    count: int
    lead3: tuple[str, ...]


@dataclass(frozen=True)
class Scores:
    """Mean ROUGE-1 and ROUGE-2 F1 x 100."""

    rouge1: float
    rouge2: float


class Scorer:
    """summ_eval.py's ROUGE, cached per article and chosen sentences (a grid repeats many choices)."""

    def __init__(self) -> None:
        from rouge_score import rouge_scorer

        self._rouge = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
        self._cache: dict[tuple[str, tuple[str, ...]], tuple[float, float]] = {}

    def score(self, reference: str, summary: tuple[str, ...]) -> tuple[float, float]:
        """ROUGE-1 and ROUGE-2 F1 x 100 of one summary, as summ_eval.py computes them."""
        key = (reference, summary)
        if key not in self._cache:
            scores = self._rouge.score(reference, " ".join(sentence.strip() for sentence in summary))
            self._cache[key] = (100 * scores["rouge1"].fmeasure, 100 * scores["rouge2"].fmeasure)
        return self._cache[key]

    def mean(self, articles: list[Article], summaries: list[tuple[str, ...]]) -> Scores:
        """Mean scores of ``summaries`` against the articles' references."""
        pairs = [self.score(article.reference, summary) for article, summary in zip(articles, summaries)]
        return Scores(statistics.mean(r1 for r1, _ in pairs), statistics.mean(r2 for _, r2 in pairs))


def load_articles(path: Path = CNNDM, lang: str = "en") -> list[Article]:
    """Read the articles, split them with newsdesk's splitter and take summ_eval.py's lead-3."""
    sys.path.insert(0, str(path.parent))
    import baseline_splitters
    import summ_eval

    tokenizer = summ_eval.SplitterTokenizer(baseline_splitters.pysbd_split, lang)
    articles = []
    for number, row in enumerate(json.loads(line) for line in path.open(encoding="utf-8") if line.strip()):
        count = row.get("n_ref_sentences") or len(row["reference_sentences"])
        lead3 = summ_eval.run_builtin("lead3", row["body"], count, tokenizer, lang, doc_seed=number)
        articles.append(Article(tuple(split_sentences(row["body"], lang)), row["reference_summary"], count,
                                tuple(lead3)))
    return articles


def grid_weights() -> list[NewsWeights]:
    """Every combination of GRID's values."""
    names = [field.name for field in fields(NewsWeights)]
    return [NewsWeights(**dict(zip(names, values))) for values in itertools.product(*(GRID[name] for name in names))]


def summaries(articles: list[Article], weights: NewsWeights, lang: str = "en") -> list[tuple[str, ...]]:
    """The news default's summary of each article, with ``weights``."""
    summarizer = NewsSummarizer(lang, weights)
    return [tuple(article.sentences[i] for i in summarizer.choose(list(article.sentences), article.count))
            for article in articles]


def tune(articles: list[Article], scorer: Scorer) -> NewsWeights:
    """The grid point with the best mean ROUGE-1 + ROUGE-2 on ``articles`` (the first of equals)."""
    def total(weights: NewsWeights) -> float:
        scores = scorer.mean(articles, summaries(articles, weights))
        return scores.rouge1 + scores.rouge2

    return max(grid_weights(), key=total)


@dataclass(frozen=True)
class Fold:
    """One fold: the weights tuned on the other folds, and both systems' held-out scores."""

    weights: NewsWeights
    default: Scores
    lead3: Scores
    differences: tuple[float, ...]  # ROUGE-1 of the default minus lead-3's, per held-out article


def run_folds(articles: list[Article], scorer: Scorer, folds: int = FOLDS) -> list[Fold]:
    """Tune on all folds but one and score on that one, for each fold."""
    results = []
    for fold in range(folds):
        held_out = [article for number, article in enumerate(articles) if number % folds == fold]
        training = [article for number, article in enumerate(articles) if number % folds != fold]
        weights = tune(training, scorer)
        chosen = summaries(held_out, weights)
        differences = tuple(scorer.score(article.reference, summary)[0] - scorer.score(article.reference, article.lead3)[0]
                            for article, summary in zip(held_out, chosen))
        results.append(Fold(weights, scorer.mean(held_out, chosen),
                            scorer.mean(held_out, [article.lead3 for article in held_out]), differences))
    return results


def paired_bootstrap(differences: list[float], samples: int = BOOTSTRAP_SAMPLES) -> str:
    """Mean paired difference with its 95 % bootstrap interval, and the articles won and lost."""
    draw = random.Random(0)
    means = sorted(statistics.mean(draw.choices(differences, k=len(differences))) for _ in range(samples))
    won, lost = sum(d > 0 for d in differences), sum(d < 0 for d in differences)
    return (f"{statistics.mean(differences):+.2f} ROUGE-1 (95 % interval {means[int(0.025 * samples)]:+.2f} to "
            f"{means[int(0.975 * samples)]:+.2f}), {won} articles won, {lost} lost")


def against_lead_n(path: Path, scorer: Scorer) -> list[str]:
    """The shipped weights on a set they were never tuned on, paired against lead-N (N = the reference's count)."""
    if not path.is_file():
        return [f"{path} not found"]
    articles = load_articles(path)
    chosen = summaries(articles, NEWS_WEIGHTS)
    lead_n = [article.sentences[: article.count] for article in articles]
    ours, theirs = scorer.mean(articles, chosen), scorer.mean(articles, lead_n)
    differences = [scorer.score(a.reference, x)[0] - scorer.score(a.reference, y)[0]
                   for a, x, y in zip(articles, chosen, lead_n)]
    return [f"{path.name} ({len(articles)} articles, never tuned on): default R1 {ours.rouge1:.2f} R2 {ours.rouge2:.2f}, "
            f"lead-N R1 {theirs.rouge1:.2f} R2 {theirs.rouge2:.2f}; paired: {paired_bootstrap(differences)}"]


def _spread(values: list[float]) -> str:
    return f"{statistics.mean(values):6.2f} ± {statistics.stdev(values):4.2f} [{min(values):5.2f}, {max(values):5.2f}]"


def _describe(weights: NewsWeights) -> str:
    return " ".join(f"{field.name}={getattr(weights, field.name)}" for field in fields(weights))


def cross_validate(path: Path = CNNDM, folds: int = FOLDS) -> list[str]:
    """Return printable rows: per-fold and mean ± std [min, max] held-out ROUGE-1/2, default vs lead-3."""
    if not path.is_file():
        return [f"{path} not found: the cross-validated summary scores need the shared evaluation data"]
    articles = load_articles(path)
    scorer = Scorer()
    results = run_folds(articles, scorer, folds)
    header = (f"{len(articles)} articles from {path.name}, {folds} folds (article i in fold i % {folds}), "
              f"each tuned on the others by mean R1+R2 over {len(grid_weights())} grid points; held-out ROUGE F1 x 100")
    differences = [difference for fold in results for difference in fold.differences]
    return [header, *_fold_rows(results), *_mean_rows(results),
            f"held-out default vs lead-3, paired over all {len(differences)} articles: {paired_bootstrap(differences)}",
            _full_set_row(articles, scorer), *against_lead_n(BBC, scorer)]


def _fold_rows(results: list[Fold]) -> list[str]:
    rows = [f"{'fold':>4s} {'default R1':>10s} {'R2':>6s}  {'lead-3 R1':>9s} {'R2':>6s}  weights tuned on the other folds"]
    for number, fold in enumerate(results, 1):
        rows.append(f"{number:4d} {fold.default.rouge1:10.2f} {fold.default.rouge2:6.2f}  {fold.lead3.rouge1:9.2f} "
                    f"{fold.lead3.rouge2:6.2f}  {_describe(fold.weights)}")
    return rows


def _mean_rows(results: list[Fold]) -> list[str]:
    rows = []
    for label, pick in (("default", lambda fold: fold.default), ("lead-3", lambda fold: fold.lead3)):
        rouge1 = _spread([pick(fold).rouge1 for fold in results])
        rouge2 = _spread([pick(fold).rouge2 for fold in results])
        rows.append(f"{label:8s} R1 {rouge1}   R2 {rouge2}   (mean ± std [min, max] over folds)")
    return rows


def _full_set_row(articles: list[Article], scorer: Scorer) -> str:
    everything = tune(articles, scorer)
    same = "the shipped NEWS_WEIGHTS" if everything == NEWS_WEIGHTS else f"not the shipped {_describe(NEWS_WEIGHTS)}"
    return f"tuned on all {len(articles)}: {_describe(everything)} ({same})"


if __name__ == "__main__":
    print("\n".join(cross_validate()))
