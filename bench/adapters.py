"""Adapters between newsdesk's stages and the shared scorers' call shapes."""

from __future__ import annotations

from service.stages.sentences import split_sentences
from service.stages.summary import summarize


def summarize_news(text: str, n_sentences: int, lang: str = "en") -> list[str]:
    """summ_eval.py shape: text and a sentence count in, summary sentences out."""
    sentences = split_sentences(text, lang)
    return [sentences[i] for i in summarize(sentences, lang, n_sentences, "news")]
