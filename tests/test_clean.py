"""Cleaning scraped pages into articles (exact expectations)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.clean import HEADING, PARAGRAPH, Article, Block, clean

DATA = Path(__file__).parent / "data"

LEAD = "Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer from port operators."
QUOTE = ('According to union spokesman J. de Vries, "the offer meets our main demands." '
         "Operators said traffic would be back to normal by Friday.")
ANTWERP = "The strike forced several shipping lines to divert vessels to Antwerp and Hamburg."


def test_the_issue_example_becomes_a_clean_article():
    article = clean((DATA / "harbour_strike.txt").read_text())
    assert article == Article(
        title="Harbour strike ends",
        date="March 3, 2024",
        byline=("Author: Anna Example (Reuters, dpa)", "Editor: Ben Example"),
        teaser="",  # it repeated the lead, so it is dropped
        blocks=(Block(PARAGRAPH, LEAD), Block(PARAGRAPH, QUOTE), Block(HEADING, "Ships diverted to Antwerp"),
                Block(PARAGRAPH, ANTWERP)),
    )
    assert article.headings == ["Ships diverted to Antwerp"]
    assert article.paragraphs == [LEAD, QUOTE, ANTWERP]


PAGE_TOP = "Home\nWorld\nBusiness\nSign in\nSubscribe\n\nPort strike ends after five days\n\nMarch 3, 2024\n\n"
BODY_1 = "Dock workers in Rotterdam ended a strike on Tuesday after unions accepted a new pay offer."
BODY_2 = "Port operators said that ships would be handled normally again from Friday morning onwards."
BODY_3 = "Several shipping lines had diverted their vessels to Antwerp and Hamburg during the stoppage."

CASES = [
    ("cookie-banner-and-share-lines",
     "We use cookies to improve our service. You can find more information in our privacy policy.\nOK\n"
     + PAGE_TOP + f"{BODY_1}\nShare on Facebook\nShare on X\nPrint\n{BODY_2}\n{BODY_3}\nRead more\nOther story one\nOther story two",
     [BODY_1, BODY_2, BODY_3]),
    ("caption-above-a-credit-line",
     PAGE_TOP + f"{BODY_1}\nCranes stand idle at the container terminal in the port of Rotterdam on Monday\nJon Example/Reuters\n{BODY_2}\n{BODY_3}",
     [BODY_1, BODY_2, BODY_3]),
    ("caption-with-trailing-credit",
     PAGE_TOP + f"{BODY_1}\nThe terminal was quiet all week. Photograph: Jon Example/Reuters\n{BODY_2}\n{BODY_3}",
     [BODY_1, BODY_2, BODY_3]),
    ("glued-credit-on-a-body-sentence-is-cut-off",
     PAGE_TOP + f"{BODY_1}\n{BODY_2}Image: ANP\n{BODY_3}", [BODY_1, BODY_2, BODY_3]),
    ("short-links-and-numbered-navigation",
     "  1. Skip to content\n  2. Skip to main menu\n" + PAGE_TOP + f"{BODY_1}\nhttps://p.example.com/p/4xk2q\n{BODY_2}\n{BODY_3}",
     [BODY_1, BODY_2, BODY_3]),
    ("pull-quote-repeating-the-text",
     PAGE_TOP + f"{BODY_1}\n{BODY_2}\nShips would be handled normally again from Friday morning onwards.\n{BODY_3}",
     [BODY_1, BODY_2, BODY_3]),
    ("newsletter-box-inside-the-article",
     PAGE_TOP + f"{BODY_1}\nSign up to our free weekly newsletter\nEnter your email address\nSign up\n{BODY_2}\n{BODY_3}",
     [BODY_1, BODY_2, BODY_3]),
    ("video-player-and-its-title",
     PAGE_TOP + f"{BODY_1}\n00:01:12\nWatch the harbour fall silent – video\n{BODY_2}\n{BODY_3}", [BODY_1, BODY_2, BODY_3]),
    ("related-stories-after-the-article-are-not-the-article",
     PAGE_TOP + f"{BODY_1}\n{BODY_2}\n{BODY_3}\nMore from Europe\n"
     "Farmers block roads in Brussels as ministers meet to discuss the new agricultural subsidy rules.\n"
     "Storm brings floods to the Dutch coast and closes several ferry routes for the whole weekend.",
     [BODY_1, BODY_2, BODY_3]),
]


@pytest.mark.parametrize("page, paragraphs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_boilerplate_is_removed_and_the_body_kept(page, paragraphs):
    article = clean(page)
    assert article.paragraphs == paragraphs
    assert article.title == "Port strike ends after five days"
    assert article.date == "March 3, 2024"


def test_a_teaser_that_adds_something_is_kept():
    page = ("Port strike ends after five days\nUnions win a pay rise of four per cent over two years\n"
            f"By Anna Example\n{BODY_1}\n{BODY_2}\n{BODY_3}")
    article = clean(page)
    assert (article.title, article.teaser, article.byline) == (
        "Port strike ends after five days", "Unions win a pay rise of four per cent over two years", ("By Anna Example",))
    assert article.body_text() == "\n\n".join(["Unions win a pay rise of four per cent over two years", BODY_1, BODY_2, BODY_3])


def test_clean_prose_loses_no_word():
    prose = [BODY_1, BODY_2, BODY_3, "The unions said they were pleased with the outcome of the talks on Monday night."]
    article = clean("\n\n".join(prose))
    assert article.body_text().split() == "\n\n".join(prose).split()


@pytest.mark.parametrize("text", ["", "   \n\n  ", "Share\nPrint\nSign in"], ids=["empty", "blank", "only-furniture"])
def test_nothing_to_keep_gives_an_empty_article(text):
    assert clean(text) == Article()


def test_a_short_note_without_prose_is_kept():
    assert clean("Ferry times\nMonday 9:00 Rotterdam\nTuesday 11:00 Antwerp").paragraphs == [
        "Monday 9:00 Rotterdam", "Tuesday 11:00 Antwerp"]
