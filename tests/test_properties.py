"""Property-based checks over the text stages: any Unicode in, a result (or a clear error) out."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from service.stages.clean import clean
from service.errors import InvalidInput
from service.pipeline import summarize_article
from service.stages.sentences import split_sentences
from service.stages.summary import summarize

# Any text: control characters, RTL marks, zero-width joiners, emoji, NUL (no lone
# surrogates: Python strings from a request body never hold them after our checks).
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)
WORDS = st.lists(st.from_regex(r"[A-Za-z]{2,10}", fullmatch=True), min_size=10, max_size=25)
# Derandomized: the same 60 examples on every run, so CI is red only for a change, never by luck;
# set derandomize=False (and more examples) to explore afresh, as a random run did and found
# two faults (paragraphs on one frame taken as repeats; LSA without words), pinned in test_clean
# and test_summary.
quick = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@quick
@given(ANY_TEXT, st.sampled_from(["en", "de", "ru", "ar"]))
def test_splitting_loses_no_character(text, lang):
    sentences = split_sentences(text, lang)
    assert "".join("".join(sentences).split()) == "".join(text.split())


@quick
@given(ANY_TEXT)
def test_cleaning_any_text_gives_an_article(text):
    article = clean(text)
    assert all(block.text.strip() for block in article.blocks)


@quick
@given(st.lists(WORDS, min_size=1, max_size=6))
def test_every_word_of_clean_prose_survives_cleaning(paragraphs):
    # Paragraphs of real prose say different things: tag each one's words so no two are
    # near-copies (a near-copy is what a pull quote looks like, and is dropped as one).
    prose = ["The " + " ".join(f"{word}{number}" for word in words) + " said the port authority on Monday."
             for number, words in enumerate(paragraphs)]
    article = clean("\n\n".join(prose))
    assert article.body_text().split() == "\n\n".join(prose).split()


@quick
@given(st.lists(ANY_TEXT.filter(str.strip), min_size=1, max_size=30), st.integers(1, 10),
       st.sampled_from(["news", "lexrank", "luhn", "textrank", "sumbasic", "kl", "lsa", "edmundson"]))
def test_summaries_are_valid_indices(sentences, count, method):
    chosen = summarize(sentences, "en", count, method)
    assert chosen == sorted(set(chosen)) and all(0 <= index < len(sentences) for index in chosen)
    if method == "news":  # it leaves out wordless sentences and captions rather than fill the count (issue 13)
        assert len(chosen) <= min(count, len(sentences))
        assert all(any(character.isalnum() for character in sentences[index]) for index in chosen)
    else:
        assert len(chosen) == min(count, len(sentences))


@quick
@given(ANY_TEXT)
def test_summarizing_any_text_gives_a_result_or_a_clear_error(text):
    try:
        result = summarize_article(text, summary=3)
    except InvalidInput as error:
        assert str(error) == "the article is empty: paste or upload the text of a news article"
    else:
        assert len(result.summary) <= 3
