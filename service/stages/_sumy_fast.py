"""sumy's LexRank, TextRank, LSA and KL summarizers, made usable on long documents.

sumy builds LexRank's and TextRank's sentence-similarity matrices pair by pair in
Python, fills LSA's term matrix cell by cell, and ranks every sentence with KL: on a
2,000-sentence document that took 48 s (LexRank), 15 s (TextRank), 14 s (LSA) and over
8 minutes (KL) here. These subclasses compute the same quantities with numpy array
operations, LSA skips an SVD whose result it can read off the matrix, and KL stops once it
has the sentences asked for; the rankings are sumy's.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer


def _count_matrix(sentences: list[list[str]]) -> numpy.ndarray:
    """Rows: sentences; columns: terms; cells: how often the term occurs in the sentence."""
    vocabulary: dict[str, int] = {}
    for words in sentences:
        for word in words:
            vocabulary.setdefault(word, len(vocabulary))
    counts = numpy.zeros((len(sentences), max(len(vocabulary), 1)), dtype=numpy.float32)
    for row, words in enumerate(sentences):
        for word, count in Counter(words).items():
            counts[row, vocabulary[word]] = count
    return counts


class FastLexRankSummarizer(LexRankSummarizer):
    """LexRank with the idf-modified cosine of all pairs as one matrix product."""

    @staticmethod
    def _compute_idf(sentences):
        frequency = Counter(term for sentence in sentences for term in set(sentence))
        return {term: math.log(len(sentences) / (1 + n)) for term, n in frequency.items()}

    def _create_matrix(self, sentences, threshold, tf_metrics, idf_metrics):
        vocabulary = {term: column for column, term in enumerate(idf_metrics)}
        weights = numpy.zeros((len(sentences), max(len(vocabulary), 1)))
        for row, tf in enumerate(tf_metrics):
            for term, value in tf.items():
                weights[row, vocabulary[term]] = value * idf_metrics[term]
        norms = numpy.linalg.norm(weights, axis=1)
        norms[norms == 0] = numpy.inf  # a sentence with no terms is similar to nothing
        cosine = (weights @ weights.T) / numpy.outer(norms, norms)
        matrix = (cosine > threshold).astype(float)
        degrees = matrix.sum(axis=1)
        degrees[degrees == 0] = 1
        return matrix / degrees[:, numpy.newaxis]


class FastTextRankSummarizer(TextRankSummarizer):
    """TextRank with shared-word counts of all pairs as one matrix product."""

    def _create_matrix(self, document):
        sentences = [self._to_words_set(sentence) for sentence in document.sentences]
        counts = _count_matrix(sentences).astype(float)
        shared = counts @ counts.T
        lengths = numpy.array([max(len(words), 1) for words in sentences], dtype=float)
        norm = numpy.log(lengths)[:, numpy.newaxis] + numpy.log(lengths)[numpy.newaxis, :]
        with numpy.errstate(divide="ignore", invalid="ignore"):
            weights = numpy.where(numpy.isclose(norm, 0.0), shared, shared / norm)
        weights[shared == 0] = 0.0
        weights /= weights.sum(axis=1)[:, numpy.newaxis] + self._ZERO_DIVISION_PREVENTION
        size = len(sentences)
        return numpy.full((size, size), (1.0 - self.damping) / size) + self.damping * weights


class BoundedKLSummarizer(KLSummarizer):
    """KL-Sum that stops after picking the sentences asked for, and when its checkpoint raises."""

    checkpoint = staticmethod(lambda: None)  # summary.summarize sets the caller's

    def __call__(self, document, sentences_count):
        self._wanted = sentences_count
        return super().__call__(document, sentences_count)

    def _compute_ratings(self, sentences):
        word_freq = self.compute_tf(sentences)
        remaining = list(sentences)
        remaining_words = [self._get_content_words_in_sentence(s) for s in sentences]
        ratings = {sentence: -math.inf for sentence in sentences}
        summary_words: list[str] = []
        for rank in range(min(self._wanted, len(remaining))):
            self.checkpoint()
            scores = [self._kl_divergence(self._joint_freq(words, summary_words), word_freq) for words in remaining_words]
            best = scores.index(min(scores))
            chosen = remaining.pop(best)
            del remaining_words[best]
            summary_words += chosen.words  # as sumy does: the summary's raw words
            ratings[chosen] = -rank
        return ratings


class FastLsaSummarizer(LsaSummarizer):
    """LSA with its smoothed term frequencies computed for the whole matrix at once, and no SVD.

    sumy ranks sentence j by sqrt(sum_k sigma_k^2 * v_kj^2) over every dimension it keeps;
    with REDUCTION_RATIO 1 it keeps them all, and that sum is the squared length of column j
    of the term matrix (M = U S V with orthonormal U), so the SVD (40 s on 2,000 sentences
    here) is not needed.
    """

    def __call__(self, document, sentences_count):
        if self.REDUCTION_RATIO < 1:
            return super().__call__(document, sentences_count)
        dictionary = self._create_dictionary(document)
        if not dictionary:
            return ()
        matrix = self._compute_term_frequency(self._create_matrix(document, dictionary))
        ranks = iter(numpy.linalg.norm(matrix, axis=0).tolist())
        return self._get_best_sentences(document.sentences, sentences_count, lambda sentence: next(ranks))

    def _compute_term_frequency(self, matrix, smooth=0.4):
        column_max = matrix.max(axis=0)
        scaled = smooth + (1.0 - smooth) * matrix / numpy.where(column_max == 0, 1, column_max)
        return numpy.where(column_max == 0, matrix, scaled)
