"""Inline formatting, links and notes' marks follow the words of the translation (issue 32).

The span's place comes from the model's own attention (service/alignment.py). The copy packs'
attention is exact (each output piece attends to the source piece it copies), so through them
every span's place can be asserted exactly, in German, Russian and Arabic; a made-up alignment
that reorders and inflects shows what a real model's would do.
"""

from __future__ import annotations

import io
import zipfile

import docx
import numpy as np
import pytest
from docx.enum.text import WD_UNDERLINE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from service import pipeline
from service.alignment import Alignment, compose, piece_spans, project, remapped
from service.stages.pieces import Aligned, Formatted, Mark, Place

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# What each span of the made-up document is, and the formatting it carries.
LEAD = [("The ", {}), ("port authority", {"bold": True}), (" said ", {}), ("ships", {"italic": True}),
        (" were ", {}), ("diverted", {"underline": True}), (" to ", {}), ("Antwerp", {"strike": True}),
        (" and ", {}), ("Hamburg", {"style": "Strong"}), (".", {})]
UNITS = [("The quay covers 400 m", {}), ("2", {"superscript": True}), (" and CO", {}), ("2", {"subscript": True}),
         (" levels rose, said ", {}), ("NATO", {"small_caps": True}), (".", {})]
# "ships" twice: only the second is italic, and only attention tells the two apart.
TWICE = [("The strike forced ships to wait, and ", {}), ("ships", {"italic": True}), (" diverted to Hamburg.", {})]


def _formatting(run) -> dict:
    found = {}
    for name in ("bold", "italic", "strike", "superscript", "subscript", "small_caps"):
        if getattr(run.font, name):
            found[name] = True
    if run.font.underline:
        found["underline"] = True
    if run.style is not None and run.style.name != "Default Paragraph Font":
        found["style"] = run.style.name
    return found


def _add_runs(paragraph, runs) -> None:
    for text, formatting in runs:
        run = paragraph.add_run(text)
        for name, value in formatting.items():
            if name == "style":
                run.style = value
            elif name in ("bold", "italic", "underline"):
                setattr(run, name, WD_UNDERLINE.SINGLE if name == "underline" else value)
            else:
                setattr(run.font, name, value)


def made_up_word_document() -> bytes:
    """Every kind of inline formatting, a link, a footnote's mark after a word mid-sentence and a
    comment's range around two words."""
    document = docx.Document()
    _add_runs(document.add_paragraph(), LEAD)
    _add_runs(document.add_paragraph(), UNITS)
    _add_runs(document.add_paragraph(), TWICE)
    paragraph = document.add_paragraph("Read ")
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to("https://example.org/statement", RELATIONSHIP_TYPE.HYPERLINK,
                                                  is_external=True))
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "the full statement"
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    paragraph.add_run(" of Friday")
    paragraph._p.append(_element('<w:r><w:footnoteReference w:id="1"/></w:r>'))
    paragraph.add_run(", which meets our ")
    paragraph._p.append(_element('<w:commentRangeStart w:id="0"/>'))
    paragraph.add_run("main demands")
    paragraph._p.append(_element('<w:commentRangeEnd w:id="0"/>'))
    paragraph._p.append(_element('<w:r><w:commentReference w:id="0"/></w:r>'))
    paragraph.add_run(".")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _element(xml: str):
    """A WordprocessingML element from its markup (the w: namespace declared on it)."""
    from docx.oxml.ns import nsdecls
    from docx.oxml.parser import parse_xml

    name = xml[1:].split(">")[0].split(" ")[0].rstrip("/")
    return parse_xml(xml.replace(f"<{name}", f"<{name} {nsdecls('w')}", 1))


def _runs_of(paragraph) -> list[tuple[str, dict]]:
    return [(run.text, _formatting(run)) for run in paragraph.runs]


def _sequence(paragraph) -> list[str]:
    """The paragraph's text and objects in document order: text as it reads, objects by name."""
    found = []
    for element in paragraph._p.iter():
        name = element.tag.replace(W, "")
        if name == "t":
            found.append(element.text)
        elif name in ("footnoteReference", "commentReference", "commentRangeStart", "commentRangeEnd"):
            found.append(f"[{name}]")
    return found


@pytest.mark.parametrize("target", ["de", "ru", "ar"])
def test_every_span_link_and_mark_of_a_word_copy_is_on_its_words_in_each_language(settings, install, target):
    install(f"en_{target}")
    copy = pipeline.translated_document("made-up.docx", made_up_word_document(), source="en", target=target,
                                        settings=settings)
    paragraphs = docx.Document(io.BytesIO(copy)).paragraphs
    tag = f"<{target}> "
    assert _runs_of(paragraphs[0]) == [(tag + LEAD[0][0], {}), *LEAD[1:]]
    assert _runs_of(paragraphs[1]) == [(tag + UNITS[0][0], {}), *UNITS[1:]]
    assert _runs_of(paragraphs[2]) == [(tag + TWICE[0][0], {}), *TWICE[1:]]
    assert [(link.text, link.url) for link in paragraphs[3].hyperlinks] == [
        ("the full statement", "https://example.org/statement")]
    # The footnote's mark stays after "Friday"; the comment's range holds "main demands" still.
    assert _sequence(paragraphs[3]) == [
        tag + "Read ", "the full statement", " of Friday", "[footnoteReference]", ", which meets our ",
        "[commentRangeStart]", "main demands", "[commentRangeEnd]", "[commentReference]", "."]
    if target == "ar":
        assert all(run.font.rtl for paragraph in paragraphs for run in paragraph.runs if run.text)


def made_up_opendocument() -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties
    from odf.text import A, P, Span

    from tests.test_office import opendocument_footnote

    document = OpenDocumentText()
    styles = {}
    for name, properties in (("Bold", {"fontweight": "bold"}), ("Italic", {"fontstyle": "italic"}),
                             ("Sup", {"textposition": "super 58%"})):
        style = Style(name=name, family="text")
        style.addElement(TextProperties(**properties))
        document.automaticstyles.addElement(style)
        styles[name] = style
    paragraph = P(text="The ")
    paragraph.addElement(Span(stylename=styles["Bold"], text="port authority"))
    paragraph.addText(" said ")
    paragraph.addElement(Span(stylename=styles["Italic"], text="ships"))
    paragraph.addText(" were diverted to ")
    paragraph.addElement(A(href="https://example.org/antwerp", text="Antwerp"))
    paragraph.addText(" on Friday")
    paragraph.addElement(opendocument_footnote("Figures from the port authority."))
    paragraph.addText(", at 400 m")
    paragraph.addElement(Span(stylename=styles["Sup"], text="2"))
    paragraph.addText(".")
    document.text.addElement(paragraph)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _opendocument_sequence(paragraph) -> list[tuple[str, str]]:
    """(what, text) in document order: plain text, a span's style and text, a link, the note."""
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    found = [("text", paragraph.text)] if paragraph.text else []
    for child in paragraph:
        name = child.tag.split("}")[1]
        if name == "note":
            found.append(("note", child.find(f"{{{text_ns}}}note-body/{{{text_ns}}}p").text))
        elif name == "span":
            found.append((child.get(f"{{{text_ns}}}style-name"), child.text))
        else:
            found.append((name, child.text))
        if child.tail:
            found.append(("text", child.tail))
    return found


@pytest.mark.parametrize("target", ["de", "ru", "ar"])
def test_every_span_link_and_note_of_an_opendocument_copy_is_on_its_words_in_each_language(settings, install,
                                                                                           target):
    from lxml import etree

    install(f"en_{target}")
    copy = pipeline.translated_document("made-up.odt", made_up_opendocument(), source="en", target=target,
                                        settings=settings)
    content = etree.fromstring(zipfile.ZipFile(io.BytesIO(copy)).read("content.xml"))
    paragraph = content.find(".//{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p")
    tag = f"<{target}> "
    assert _opendocument_sequence(paragraph) == [
        ("text", tag + "The "), ("Bold", "port authority"), ("text", " said "), ("Italic", "ships"),
        ("text", " were diverted to "), ("a", "Antwerp"), ("text", " on Friday"), ("note", tag + "Figures from the "
                                                                                           "port authority."),
        ("text", ", at 400 m"), ("Sup", "2"), ("text", ".")]


# --- the projection itself, with an alignment a real model could give -------------------------

SOURCE = "The talks with the port authority resumed on Monday."
GERMAN = "Am Montag wurden die Gespräche mit der Hafenbehörde fortgesetzt."


def _alignment(source: str, source_pieces: list[str], target: str, target_pieces: list[str],
               links: dict[int, int]) -> Alignment:
    """An alignment whose output piece t attends 0.8 to source piece links[t] (the rest evenly)."""
    sources, targets = piece_spans(source, source_pieces), piece_spans(target, target_pieces)
    weights = np.full((len(targets), len(sources)), 0.2 / max(len(sources) - 1, 1))
    for output, source_piece in links.items():
        weights[output, source_piece] = 0.8
    return Alignment.of(source=sources, target=targets, weights=weights)


SOURCE_PIECES = ["▁The", "▁talks", "▁with", "▁the", "▁port", "▁authority", "▁resumed", "▁on", "▁Monday", "."]
GERMAN_PIECES = ["▁Am", "▁Montag", "▁wurden", "▁die", "▁Gespräche", "▁mit", "▁der", "▁Hafen", "behörde",
                 "▁fortgesetzt", "."]
# Am->on, Montag->Monday, wurden->resumed, die->The, Gespräche->talks, mit->with, der->the,
# Hafen->port, behörde->authority, fortgesetzt->resumed, .->.
GERMAN_LINKS = {0: 7, 1: 8, 2: 6, 3: 0, 4: 1, 5: 2, 6: 3, 7: 4, 8: 5, 9: 6, 10: 9}


def test_a_span_goes_where_the_model_moved_and_inflected_its_words():
    formatted = Formatted.of(["The talks with ", "the port authority", " resumed on ", "Monday", "."],
                             ["plain", "bold", "plain", "italic", "plain"], lambda text: [text])
    aligned = Aligned(GERMAN, _alignment(SOURCE, SOURCE_PIECES, GERMAN, GERMAN_PIECES, GERMAN_LINKS))
    # "Monday" moved to the front; "the port authority" became "der Hafenbehörde", one word.
    assert formatted.translated({SOURCE: aligned}) == [
        ("Am ", 0), ("Montag", 3), (" wurden die Gespräche mit ", 0), ("der Hafenbehörde", 1), (" fortgesetzt.", 0)]


def test_two_spans_in_one_translated_word_each_keep_their_pieces_and_a_mark_follows_its_word():
    formatted = Formatted.of(["The talks with the ", "port", " ", "authority", " resumed on Monday."],
                             ["plain", "bold", "plain", "italic", "plain"], lambda text: [text])
    aligned = Aligned(GERMAN, _alignment(SOURCE, SOURCE_PIECES, GERMAN, GERMAN_PIECES, GERMAN_LINKS))
    after_talks, opens_at_port = SOURCE.index(" with"), SOURCE.index("port")
    assert formatted.translated({SOURCE: aligned}, marks=[Place(after_talks), Place(opens_at_port, opens=True)]) == [
        ("Am Montag wurden die Gespräche", 0), Mark(0), (" mit der ", 0), Mark(1), ("Hafen", 1), ("behörde", 3),
        (" fortgesetzt.", 0)]


def test_a_span_whose_words_nothing_clearly_renders_goes_to_its_best_aligned_word():
    source, target = "He said so loudly.", "Er sagte es laut."
    sources = piece_spans(source, ["▁He", "▁said", "▁so", "▁loudly", "."])
    targets = piece_spans(target, ["▁Er", "▁sagte", "▁es", "▁laut", "."])
    weights = np.eye(5)
    weights[3] = [0.0, 0.0, 0.335, 0.335, 0.33]  # "laut" torn between "so" and "loudly"
    alignment = Alignment.of(source=sources, target=targets, weights=weights)
    assert alignment.links[3] is None
    start, end = project(alignment, source.index("loudly"), source.index("loudly") + len("loudly"))
    assert target[start:end] == "laut"
    assert project(alignment, 0, 0) is None  # no source piece in the span


def test_an_alignment_through_english_and_after_glossary_terms_are_put_back():
    # de -> en -> ar: "Hafen" -> "port" -> "ميناء"
    first = _alignment("Der Hafen", ["▁Der", "▁Hafen"], "The port", ["▁The", "▁port"], {0: 0, 1: 1})
    second = _alignment("The port", ["▁The", "▁port"], "الميناء هنا", ["▁الميناء", "▁هنا"], {0: 1, 1: 0})
    through = compose(first, second)
    start, end = project(through, 4, 9)
    assert "الميناء هنا"[start:end] == "الميناء"
    # A placeholder 201 the model copied, and the term it stands for put back in both texts.
    model = _alignment("Meet 201 today", ["▁Meet", "▁201", "▁today"], "Treffen 201 heute",
                       ["▁Treffen", "▁201", "▁heute"], {0: 0, 1: 1, 2: 2})
    moved = remapped(model, source=("Meet 201 today", "Meet Acme Corp today"),
                     target=("Treffen 201 heute", "Treffen Acme AG heute"))
    start, end = project(moved, 5, 14)
    assert "Treffen Acme AG heute"[start:end] == "Acme AG"
    start, end = project(moved, 15, 20)
    assert "Treffen Acme AG heute"[start:end] == "heute"


def test_pieces_are_found_in_the_text_they_came_from_even_where_it_was_normalised():
    assert piece_spans("Hello  world.", ["▁Hello", "▁world", "."]) == ((0, 5), (7, 12), (12, 13))
    assert piece_spans("ﬁne day", ["▁fine", "▁day"]) == ((0, 0), (4, 7))  # NFKC'd away: not placed


# --- HTML: /translate's format=html and the .html copy -----------------------------------------

@pytest.fixture
def app(make_app):
    return make_app()


PAGE = ('<div class="story"><p>The <a href="https://example.org/port"><b>port</b> authority</a> said\n  '
        '<em>ships</em> were diverted<img src="map.png" alt=""> to Antwerp.<br>Talks resume on '
        '<time datetime="2026-12-07">Monday</time>.</p><ul><li>Cranes stood <span class="x">idle</span>.</li></ul>'
        '<!-- kept -->Closing words<sup>1</sup> here.</div>')


@pytest.mark.parametrize("target", ["de", "ru", "ar"])
def test_html_keeps_every_inline_element_on_its_words_and_translates_each_block_by_sentence(settings, install,
                                                                                            target):
    from service.stages.html_text import rewrite_html_text
    from service.stages.sentences import split_sentences

    install(f"en_{target}")
    tag = f"&lt;{target}&gt; "
    translated = rewrite_html_text(
        PAGE, lambda texts: pipeline.translate_aligned(texts, "en", target, settings),
        split=lambda text: split_sentences(text, "en"))
    assert translated == (
        f'<div class="story"><p>{tag}The <a href="https://example.org/port"><b>port</b> authority</a> said '
        f'<em>ships</em> were diverted<img src="map.png" alt=""> to Antwerp.<br>\n{tag}Talks resume on '
        f'<time datetime="2026-12-07">Monday</time>.</p><ul><li>{tag}Cranes stood <span class="x">idle</span>.</li>'
        f'</ul><!-- kept -->{tag}Closing words<sup>1</sup> here.</div>')


def test_translate_with_format_html_and_an_html_file_give_the_same_markup(client, install):
    install("en_de")
    fragment = '<p>Read <a href="https://example.org/a">the statement</a> the union made on <b>Friday</b>.</p>'
    body = client.post("/translate", json={"q": fragment, "source": "en", "target": "de", "format": "html"}).json
    expected = ('<p>&lt;de&gt; Read <a href="https://example.org/a">the statement</a> the union made on '
                '<b>Friday</b>.</p>')
    assert body == {"translatedText": expected}
    uploaded = client.post("/translate_file", data={"file": (io.BytesIO(fragment.encode()), "part.html"),
                                                    "source": "en", "target": "de"})
    download = client.get(uploaded.json["translatedFileUrl"].replace("http://localhost", ""))
    assert download.data.decode() == expected


def test_a_copy_made_after_its_article_finds_the_article_s_sentences_aligned_in_the_cache(settings, install,
                                                                                        monkeypatch):
    """`newsdesk process` and batch jobs translate a document's article, then make its copy: the copy
    must not decode the same sentences again to get their alignment."""
    from service.stages.office import Limits, read_office
    from service.translation import decoding

    install("en_de")
    document = docx.Document()
    document.add_heading("Harbour strike ends", 0)
    document.add_paragraph("Dock workers in Rotterdam ended a strike on Tuesday. Ships wait in the port.")
    document.add_paragraph("Operators said traffic would be back to normal by Friday.")
    output = io.BytesIO()
    document.save(output)
    data = output.getvalue()
    decoded: list[str] = []
    real = decoding._translate_batch
    monkeypatch.setattr(decoding, "_translate_batch",
                        lambda texts, *args, **options: decoded.extend(texts) or real(texts, *args, **options))
    read = read_office("strike.docx", data, limits=Limits())
    pipeline.process(read.text, targets=["de"], outline=read.outline, settings=settings, aligned=True)
    assert "Ships wait in the port." in decoded
    decoded.clear()
    copy = pipeline.translated_document("strike.docx", data, source="en", target="de", settings=settings)
    assert decoded == []
    assert [paragraph.text for paragraph in docx.Document(io.BytesIO(copy)).paragraphs] == [
        "<de> Harbour strike ends", "<de> Dock workers in Rotterdam ended a strike on Tuesday. <de> Ships wait in the "
        "port.", "<de> Operators said traffic would be back to normal by Friday."]
