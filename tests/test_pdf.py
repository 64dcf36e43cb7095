"""Reading text PDFs: paragraphs, columns, page furniture, and the files refused with how to fix them.

Every PDF here is made as the test runs (by reportlab, or written out by hand), so each case says
exactly what is on its pages; the expected text is exact.
"""

from __future__ import annotations

import io
import logging
import os
from dataclasses import replace
from pathlib import Path

import pytest
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

from service.errors import InvalidInput, TooLarge
from service.stages.office import pdf, pdf_streams
from service.stages.office.pdf import read_pdf
from service.stages.clean import HEADING, PARAGRAPH, Article, Block, Removed
from service.stages.documents import Document
from tests.hostile_files import hand_made_pdf

PAGE_WIDTH, PAGE_HEIGHT = A4
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def text(x: float, top: float, *lines: str, size: float = 10, font: str = "Helvetica") -> tuple:
    """Lines set from (x, top) down the page, ``top`` in points from the page's top edge."""
    return x, top, lines, size, font


def pdf_of(*pages: list[tuple], encrypt=None, fonts: dict[str, Path] | None = None, drawing=None) -> bytes:
    """A PDF with one page for each list of text(...) blocks; ``drawing(canvas)`` adds shapes to each page."""
    if fonts:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        for name, path in fonts.items():
            pdfmetrics.registerFont(TTFont(name, str(path)))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, encrypt=encrypt, invariant=True)
    for blocks in pages:
        if drawing:
            drawing(page)
        for x, top, lines, size, font in blocks:
            page.setFont(font, size)
            for number, line in enumerate(lines):
                page.drawString(x, PAGE_HEIGHT - top - size - number * size * 1.2, line)
        page.showPage()
    page.save()
    return out.getvalue()


def read(data: bytes, *, max_pages: int | None = None, max_paragraphs: int | None = None) -> Document:
    """The PDF's text and left-out lines (its outline is checked on its own, below)."""
    return replace(read_outlined(data, max_pages=max_pages, max_paragraphs=max_paragraphs), outline=None)


def read_outlined(data: bytes, *, max_pages: int | None = None, max_paragraphs: int | None = None) -> Document:
    return read_pdf(data, name="story.pdf", max_pages=max_pages, max_paragraphs=max_paragraphs)


TITLE = text(72, 72, "Harbour strike ends", size=24)
LEAD = text(72, 130, "Dock workers in Rotterdam ended a five-day strike on Tuesday",
            "after unions accepted a new pay offer from the operators.")
SECOND = text(72, 170, "Operators said traffic would be back to normal by Friday,",
              "according to the port authority.")
LEAD_TEXT = ("Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer from "
             "the operators.")
SECOND_TEXT = "Operators said traffic would be back to normal by Friday, according to the port authority."
UNREADABLE = "story.pdf is not a readable PDF: save it again as PDF, or paste the article's text"


def test_a_single_column_article_reads_title_first_then_a_line_per_paragraph():
    assert read(pdf_of([TITLE, LEAD, SECOND])) == Document(f"Harbour strike ends\n{LEAD_TEXT}\n{SECOND_TEXT}")


def test_the_largest_text_on_the_first_page_is_the_title_even_below_a_kicker():
    kicker = text(72, 50, "PORT OF ROTTERDAM", size=9)
    assert read(pdf_of([kicker, TITLE, LEAD])).text == f"Harbour strike ends\nPORT OF ROTTERDAM\n{LEAD_TEXT}"


def test_a_headline_over_two_lines_is_one_title_line():
    headline = text(72, 60, "Harbour strike ends after", "five days of talks", size=24)
    assert read(pdf_of([headline, LEAD])).text == f"Harbour strike ends after five days of talks\n{LEAD_TEXT}"


@pytest.mark.parametrize("lines, joined", [
    (("The council gave an exam-", "ple of the new rules."), "The council gave an example of the new rules."),
    (("The rules hold in Baden-", "Württemberg from Monday."), "The rules hold in Baden-Württemberg from Monday."),
    (("Prices rose from 1990-", "1995, the report says."), "Prices rose from 1990-1995, the report says."),
    (("Nobody came - not even", "the mayor."), "Nobody came - not even the mayor."),
    (("The strike ended on", "Tuesday."), "The strike ended on Tuesday."),
], ids=["broken-word-mended", "compound-kept-before-a-capital", "number-range-kept", "spaced-dash", "plain-space"])
def test_lines_of_a_paragraph_join_mending_words_broken_at_the_line_end(lines, joined):
    assert read(pdf_of([TITLE, text(72, 130, *lines)])).text == f"Harbour strike ends\n{joined}"


@pytest.fixture
def dejavu() -> Path:
    """Debian's DejaVu Sans, for Cyrillic in a PDF (`make test` installs fonts-dejavu-core as root)."""
    if not DEJAVU.exists():
        message = f"{DEJAVU} is missing: install Debian's fonts-dejavu-core (`make test` does, as root)"
        if os.environ.get("NEWSDESK_REQUIRE_BROWSER") == "1":  # CI, which installs it with the browser
            pytest.fail(message)
        pytest.skip(message)
    return DEJAVU


@pytest.mark.usefixtures("dejavu")
def test_a_cyrillic_word_broken_at_the_line_end_is_mended():
    title = text(72, 72, "Забастовка в порту", size=24, font="DejaVu")
    body = text(72, 130, "Докеры закончили забастовку во втор-", "ник после нового предложения.", font="DejaVu")
    assert read(pdf_of([title, body], fonts={"DejaVu": DEJAVU})).text == (
        "Забастовка в порту\nДокеры закончили забастовку во вторник после нового предложения.")


def _drawn_right_to_left(line: str, *, top: float, size: float = 14):
    """A drawing(canvas) that sets ``line`` one character at a time, in reading order, each left of
    the one before: how a writer that draws Arabic in logical order puts it on the page."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def draw(page) -> None:
        page.setFont("DejaVu", size)
        x = PAGE_WIDTH - 72
        for char in line:
            x -= stringWidth(char, "DejaVu", size)
            page.drawString(x, PAGE_HEIGHT - top - size, char)

    return draw


@pytest.mark.usefixtures("dejavu")
def test_arabic_reads_in_reading_order_whichever_order_the_pdf_draws_it():
    """Issue 32: a CID-font PDF whose writer shaped Arabic and drew it as it looks gave "ﺔﻴﺑﺮﻌﻟا"
    (presentation forms, last letter first) where pdftotext reads "العربية"."""
    visual = ".2024 ﺔﻴﺑﺮﻌﻟا ﻂﻮﻄﺨﻟا ﻻ (PDF ﻒﻠﻣ)"  # shaped, left to right as it looks; ﻻ is lam-alef in one glyph
    assert read(pdf_of([text(72, 72, visual, size=14, font="DejaVu")], fonts={"DejaVu": DEJAVU})).text == (
        "(ملف PDF) لا الخطوط العربية 2024.")
    logical = "أنهى عمال الموانئ إضرابهم يوم الثلاثاء."
    drawn = pdf_of([], fonts={"DejaVu": DEJAVU}, drawing=_drawn_right_to_left(logical, top=72))
    assert read(drawn).text == logical


def _turned(quarters: int, *lines: str):
    """A drawing(canvas) that sets ``lines`` turned by ``quarters`` quarter turns (anticlockwise),
    as a sideways table, a label up the margin or a page drawn landscape is set."""
    def draw(page) -> None:
        page.saveState()
        page.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        page.rotate(90 * quarters)
        page.setFont("Helvetica", 11)
        for number, line in enumerate(lines):
            page.drawString(-200, 100 - number * 14, line)
        page.restoreState()

    return draw


@pytest.mark.parametrize("quarters", [1, 2, 3])
def test_text_drawn_turned_reads_as_its_sentences(quarters):
    """Issue 32: two real PDFs with turned text came back as hundreds of lines of one to three
    letters ("L a k a C o n e n …") where pdftotext reads sentences."""
    turned = _turned(quarters, "Dock workers in Rotterdam ended a five-day strike on Tuesday",
                     "after unions accepted a new pay offer from the operators.")
    assert read(pdf_of([TITLE], drawing=turned)).text == f"Harbour strike ends\n{LEAD_TEXT}"


def test_two_columns_read_the_whole_left_column_then_the_right():
    # The paragraphs of both columns end at the same heights, so a reader that cuts the page
    # across at every gap would read it row by row; a headline spans both columns.
    headline = text(50, 60, "Ferry services return across the whole harbour", size=22)
    left = [text(50, 120 + 50 * n, f"Left column paragraph {n} starts here", f"and ends on its second line {n}.")
            for n in range(3)]
    right = [text(310, 120 + 50 * n, f"Right column paragraph {n} starts here", f"and ends on its second line {n}.")
             for n in range(3)]
    footnote = text(50, 300, "Additional reporting by the harbour desk, with agencies in Antwerp and Hamburg.")
    assert read(pdf_of([headline, *right, *left, footnote])).text.split("\n") == [
        "Ferry services return across the whole harbour",
        *(f"Left column paragraph {n} starts here and ends on its second line {n}." for n in range(3)),
        *(f"Right column paragraph {n} starts here and ends on its second line {n}." for n in range(3)),
        "Additional reporting by the harbour desk, with agencies in Antwerp and Hamburg.",
    ]


JUSTIFIED = [
    "Dock workers in Rotterdam ended a five-day strike on Tuesday after their unions accepted a considerably "
    "improved pay offer from the container terminal operators.",
    "Operators said that shipping traffic would be back to normal by Friday, according to the Rotterdam port "
    "authority, although congestion at the terminals could last considerably longer.",
    "Several international shipping lines diverted their vessels to Antwerp and Hamburg during the stoppage, which "
    "the employers' federation described as extraordinarily disruptive.",
    "The unions said the agreement guarantees employment for all permanent dock workers until the end of the decade "
    "and compensates them for increasing automation.",
]


def justified_columns(paragraphs: list[str]) -> bytes:
    """Two narrow justified columns, set by reportlab's platypus as a newspaper sets them."""
    out = io.BytesIO()
    document = BaseDocTemplate(out, pagesize=A4, invariant=True)
    columns = [Frame(72 + 150 * n, PAGE_HEIGHT - 322, 130, 250, leftPadding=0, rightPadding=0) for n in range(2)]
    document.addPageTemplates([PageTemplate(frames=columns)])
    style = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=12, alignment=TA_JUSTIFY, spaceAfter=6)
    document.build([Paragraph(paragraph, style) for paragraph in paragraphs])
    return out.getvalue()


def test_justified_narrow_columns_keep_their_words_in_order_and_a_paragraph_goes_on_in_the_next():
    # With pdfminer's own settings these lines fall apart at their wide spaces, into boxes
    # of a word or two; the third paragraph runs from the foot of the left column on to the right.
    assert read(justified_columns(JUSTIFIED)).text.split("\n") == JUSTIFIED


def test_a_paragraph_broken_by_the_page_goes_on_past_the_footer():
    first = [TITLE, text(72, 130, "Dock workers in Rotterdam ended a five-day strike on Tuesday",
                         "after unions accepted a new pay offer from the oper-"), text(280, 800, "Page 1 of 2", size=8)]
    second = [text(72, 72, "ators, the port authority said."), SECOND, text(280, 800, "Page 2 of 2", size=8)]
    assert read(pdf_of(first, second)) == Document(
        "Harbour strike ends\nDock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a "
        f"new pay offer from the operators, the port authority said.\n{SECOND_TEXT}",
        left_out=("Page 1 of 2", "Page 2 of 2"))


def test_the_outline_has_the_title_the_larger_subheadings_and_the_page_furniture_left_out():
    """What the pipeline takes as the article: no cleaning guesses on a document."""
    subheading = text(72, 210, "Ships diverted to Antwerp", size=14)
    after = text(72, 232, "Some forty ships were sent to Antwerp while the strike lasted, the authority said.")
    number = text(290, 800, "3")
    document = read_outlined(pdf_of([TITLE, LEAD, subheading, after, number]))
    assert document.outline == Article(
        title="Harbour strike ends",
        blocks=(Block(PARAGRAPH, LEAD_TEXT), Block(HEADING, "Ships diverted to Antwerp"),
                Block(PARAGRAPH, "Some forty ships were sent to Antwerp while the strike lasted, the authority said.")),
        removed=(Removed("3", "outside"),))


def test_a_subheading_set_close_above_its_text_is_its_own_line():
    subheading = text(72, 210, "Ships diverted to Antwerp", size=14)
    after = text(72, 229, "Several shipping lines sent their vessels to Antwerp", "and Hamburg instead.")
    assert read(pdf_of([TITLE, LEAD, subheading, after])).text.split("\n") == [
        "Harbour strike ends", LEAD_TEXT, "Ships diverted to Antwerp",
        "Several shipping lines sent their vessels to Antwerp and Hamburg instead."]


def test_indented_paragraphs_set_without_space_between_them_are_lines_of_their_own():
    first = text(92, 130, "Dock workers ended their strike on Tuesday.")
    rest = text(72, 142, "The unions accepted a new pay offer from the", "operators late on Monday night.")
    second = text(92, 166, "Traffic should be back to normal by Friday.")
    assert read(pdf_of([TITLE, first, rest, second])).text.split("\n") == [
        "Harbour strike ends", "Dock workers ended their strike on Tuesday.",
        "The unions accepted a new pay offer from the operators late on Monday night.",
        "Traffic should be back to normal by Friday."]


def three_pages(header: tuple, footer) -> bytes:
    """A three-page article with ``header`` on each page and footer(n) at the foot of page n."""
    bodies = [[TITLE, LEAD], [SECOND], [text(72, 130, "The port expects a record summer season.")]]
    return pdf_of(*([header, *body, footer(n)] for n, body in enumerate(bodies, start=1)))


def test_running_headers_and_page_numbers_go_to_left_out():
    header = text(72, 30, "Harbour News — 12 May 2026", size=8)
    document = read(three_pages(header, lambda n: text(280, 800, f"Page {n} of 3", size=8)))
    assert document == Document(f"Harbour strike ends\n{LEAD_TEXT}\n{SECOND_TEXT}\nThe port expects a record summer "
                                "season.", left_out=("Harbour News — 12 May 2026", "Page 1 of 3", "Page 2 of 3",
                                                     "Page 3 of 3"))


def test_a_running_header_whose_date_changes_is_still_a_running_header():
    document = read(pdf_of(*([text(72, 30, f"Harbour News — {day} May 2026", size=8), body]
                             for day, body in ((12, TITLE), (13, LEAD), (14, SECOND)))))
    assert document.left_out == ("Harbour News — 12 May 2026", "Harbour News — 13 May 2026",
                                 "Harbour News — 14 May 2026")
    assert document.text == f"Harbour strike ends\n{LEAD_TEXT}\n{SECOND_TEXT}"


@pytest.mark.parametrize("number", ["3", "- 3 -", "Page 3", "Seite 3"], ids=["bare", "dashes", "page-n", "german"])
def test_a_bare_page_number_at_the_foot_of_a_single_page_is_left_out(number):
    document = read(pdf_of([TITLE, LEAD, text(290, 800, number, size=8)]))
    assert document == Document(f"Harbour strike ends\n{LEAD_TEXT}", left_out=(number,))


def test_one_page_keeps_its_header_the_repetition_rule_needs_two_pages():
    header = text(72, 30, "Harbour News — 12 May 2026", size=8)
    assert read(pdf_of([header, TITLE, LEAD])) == Document(
        f"Harbour strike ends\nHarbour News — 12 May 2026\n{LEAD_TEXT}")


def test_a_headline_repeated_as_the_running_header_stays_the_title():
    header = text(72, 30, "Harbour strike ends", size=8)
    document = read(pdf_of([text(72, 40, "Harbour strike ends", size=24), LEAD], [header, SECOND], [header, SECOND]))
    assert document == Document(f"Harbour strike ends\n{LEAD_TEXT}\n{SECOND_TEXT}\n{SECOND_TEXT}",
                                left_out=("Harbour strike ends",))


def test_a_headline_that_is_a_number_is_no_page_number():
    assert read(pdf_of([text(72, 40, "1989", size=24), LEAD])).text == f"1989\n{LEAD_TEXT}"


def test_a_number_in_the_middle_of_the_page_is_the_article_s():
    assert read(pdf_of([TITLE, LEAD, text(72, 300, "42")])).text == f"Harbour strike ends\n{LEAD_TEXT}\n42"


def test_text_inside_a_form_xobject_is_read_and_one_that_draws_itself_is_read_once():
    data = hand_made_pdf(b"BT /F1 10 Tf 72 700 Td (Dock workers ended their strike.) Tj ET /X Do",
                         form=b"BT /F1 10 Tf 72 600 Td (Traffic is back to normal.) Tj ET /X Do")
    assert read(data).text == "Dock workers ended their strike.\nTraffic is back to normal."


def test_a_scanned_pdf_has_no_text_layer():
    scan = pdf_of([], [], drawing=lambda page: page.rect(50, 50, 400, 600, fill=1))
    with pytest.raises(InvalidInput) as error:
        read(scan)
    assert str(error.value) == ("story.pdf has no text layer (it is a scanned image): run it through OCR, or paste "
                                "the article's text")


def test_a_scan_with_only_page_numbers_has_no_text_layer_either():
    scan = pdf_of([text(290, 800, "1")], [text(290, 800, "2")],
                  drawing=lambda page: page.rect(50, 80, 400, 600, fill=1))
    with pytest.raises(InvalidInput, match="has no text layer"):
        read(scan)


ARTICLE = pdf_of([TITLE, LEAD], [SECOND], [SECOND])


@pytest.mark.parametrize("data", [
    b"hello", b"", b"%PDF-1.4\n" + b"\x00" * 100, ARTICLE[: len(ARTICLE) // 2], ARTICLE[: len(ARTICLE) // 3],
    ARTICLE[:-40], b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 1 0 R >>\nendobj\ntrailer << /Root 1 0 R >>\n",
], ids=["not-a-pdf", "empty", "header-then-zeros", "first-half", "first-third", "no-trailer", "pages-loop"])
def test_a_file_pdfminer_cannot_read_is_refused_with_how_to_fix_it(data):
    with pytest.raises(InvalidInput) as error:
        read(data)
    assert str(error.value) == UNREADABLE


def test_a_pdf_with_a_password_is_refused_with_how_to_fix_it():
    with pytest.raises(InvalidInput) as error:
        read(pdf_of([TITLE, LEAD], encrypt="secret"))
    assert str(error.value) == ("story.pdf is protected by a password (it is encrypted): remove the password (save a "
                                "copy without one), or paste the article's text")


def test_a_pdf_encrypted_without_a_password_to_open_it_is_read():
    locked = StandardEncryption("", ownerPassword="owner", canCopy=0)
    assert read(pdf_of([TITLE, LEAD], encrypt=locked)).text == f"Harbour strike ends\n{LEAD_TEXT}"


def test_more_pages_than_the_limit_are_refused_before_any_page_is_laid_out(monkeypatch):
    laid_out = []
    monkeypatch.setattr(pdf, "_laid_out", lambda pages, name: laid_out.append(pages))
    with pytest.raises(TooLarge) as error:
        read(ARTICLE, max_pages=2)
    assert str(error.value) == ("story.pdf has more than 2 pages; the limit is 2 (NEWSDESK_MAX_DOCUMENT_PAGES): "
                                "split it, or send the article's pages only")
    assert laid_out == []


def test_as_many_pages_as_the_limit_are_read():
    assert read(ARTICLE, max_pages=3).text == f"Harbour strike ends\n{LEAD_TEXT}\n{SECOND_TEXT}\n{SECOND_TEXT}"


def test_thousands_of_pages_are_refused_by_the_page_count():
    with pytest.raises(TooLarge, match="more than 1,000 pages; the limit is 1,000"):
        read(pdf_of(*([] for _ in range(1_500))), max_pages=1_000)


def test_more_paragraphs_than_the_limit_are_refused():
    with pytest.raises(TooLarge) as error:
        read(pdf_of([TITLE, LEAD, SECOND]), max_paragraphs=2)
    assert str(error.value) == ("story.pdf has more than 2 paragraphs; the limit is 2 "
                                "(NEWSDESK_MAX_DOCUMENT_PARAGRAPHS): split it")
    assert read(pdf_of([TITLE, LEAD, SECOND]), max_paragraphs=3).text.count("\n") == 2


def test_more_text_than_any_article_is_refused(monkeypatch):
    monkeypatch.setattr(pdf_streams, "MAX_CHARACTERS", 100)
    with pytest.raises(TooLarge) as error:
        read(ARTICLE)
    assert str(error.value) == ("story.pdf has more than 100 characters of text, more than any article: send the "
                                "article's pages only, or paste its text")


def test_pdfminer_s_warnings_about_a_damaged_file_stay_out_of_the_log(caplog):
    # pdfminer logs a warning for the font size that is no number, and reads on.
    damaged = hand_made_pdf(b"BT /F1 (x) Tf /F1 10 Tf 72 700 Td (Dock workers ended their strike.) Tj ET")
    pdfminer_log = logging.getLogger("pdfminer")
    level = pdfminer_log.level
    with caplog.at_level(logging.WARNING):
        assert read(damaged).text == "Dock workers ended their strike."
        with pytest.raises(InvalidInput):
            read(ARTICLE[: len(ARTICLE) // 2])
    assert [record.getMessage() for record in caplog.records if record.name.startswith("pdfminer")] == []
    assert pdfminer_log.level == level
