"""Word and OpenDocument articles: what is read, translated copies that keep the layout, hostile files.

Documents are built in code with python-docx and odfpy; translations go through the copy-model
packs, so every translated run is exact ("<de> " + the source sentence).
"""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from odf.opendocument import OpenDocumentText
from odf.style import Style, TextProperties
from odf.text import H, List, ListItem, Note, NoteBody, NoteCitation, P, Span

from service.cli import main
from service.pipeline import summarize_article
from service.stages.clean import HEADING, PARAGRAPH, Article, Block, Removed
from service.errors import InvalidInput, TooLarge
from service.stages.office import Limits, read_office
from service.stages.documents import read_document
from tests.hostile_files import with_parts

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# A copy's options with a translation that marks each text as German ("<de> " + it), one sentence a text.
MARKED_GERMAN = {"limits": Limits(), "right_to_left": False, "split": lambda text: [text],
                 "translate": lambda texts: [f"<de> {text}" for text in texts]}


def word_article() -> bytes:
    document = docx.Document()
    document.add_heading("Harbour strike ends", 0)
    lead = document.add_paragraph()
    lead.add_run("Dock workers in Rotterdam ended a strike on Tuesday.").bold = True
    body = document.add_paragraph("Operators said traffic would be normal by Friday. ")
    body.add_run("The union").italic = True
    body.add_run(" accepted a new pay offer.")
    document.add_heading("Ships diverted", 1)
    document.add_paragraph("Ships were diverted to Antwerp.", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, ["Ships", "12", "Cranes", "40"]):
        cell.text = text
    section = document.sections[0]
    section.header.paragraphs[0].text = "Harbour News"
    section.footer.paragraphs[0].text = "Page footer"
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def tracked_word_article() -> bytes:
    """A .docx with tracked changes, as Word writes them: a word deleted and another inserted,
    a sentence moved, an insertion inside a link, a paragraph deleted whole, a paragraph mark
    deleted (two paragraphs made one), a field's result."""
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_heading("Harbour strike ends", 0)
    marked = 'w:id="{}" w:author="Desk" w:date="2024-03-05T10:00:00Z"'
    paragraphs = [
        f'<w:pPr><w:rPr><w:ins {marked.format(7)}/></w:rPr></w:pPr>'
        f'<w:r><w:t xml:space="preserve">The union </w:t></w:r><w:del {marked.format(1)}><w:r><w:delText>rejected'
        f'</w:delText></w:r></w:del><w:ins {marked.format(2)}><w:r><w:rPr><w:b/><w:rPrChange {marked.format(8)}>'
        '<w:rPr/></w:rPrChange></w:rPr><w:t>accepted</w:t></w:r>'
        '</w:ins><w:r><w:t xml:space="preserve"> the offer on Tuesday.</w:t></w:r>',
        f'<w:moveFrom {marked.format(3)}><w:r><w:t>Ships sail again.</w:t></w:r></w:moveFrom>'
        '<w:r><w:t>Cranes stood still for five days.</w:t></w:r>',
        f'<w:moveTo {marked.format(4)}><w:r><w:t>Ships sail again.</w:t></w:r></w:moveTo>',
        f'<w:hyperlink w:anchor="terms"><w:ins {marked.format(5)}><w:r><w:t>The terms are online.</w:t></w:r></w:ins>'
        '</w:hyperlink>',
        f'<w:del {marked.format(6)}><w:r><w:delText>This paragraph was struck out.</w:delText></w:r></w:del>',
        f'<w:pPr><w:rPr><w:del {marked.format(9)}/></w:rPr></w:pPr><w:r><w:t xml:space="preserve">Talks went on '
        '</w:t></w:r>',
        '<w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>into the night.</w:t></w:r>',
        '<w:r><w:t xml:space="preserve">The figures are in </w:t></w:r><w:fldSimple w:instr=" REF figures \\h ">'
        '<w:r><w:t>Table 1</w:t></w:r></w:fldSimple><w:r><w:t>.</w:t></w:r>',
    ]
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    for runs in paragraphs:
        document.element.body.insert(len(document.element.body) - 1, parse_xml(f"<w:p {namespace}>{runs}</w:p>"))
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def opendocument_footnote(text: str):
    """An .odt footnote numbered 1 that reads ``text``, as LibreOffice writes one in a paragraph."""
    note = Note(id="ftn1", noteclass="footnote")
    note.addElement(NoteCitation(text="1"))
    body = NoteBody()
    body.addElement(P(text=text))
    note.addElement(body)
    return note


def opendocument_article() -> bytes:
    document = OpenDocumentText()
    bold = Style(name="Strong", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(bold)
    document.text.addElement(H(outlinelevel=1, text="Harbour strike ends"))
    paragraph = P(text="Operators said traffic would be normal by Friday. ")
    paragraph.addElement(Span(stylename=bold, text="The union"))
    paragraph.addText(" accepted a new pay offer.")
    paragraph.addElement(opendocument_footnote("Source: the union's statement."))
    document.text.addElement(paragraph)
    items = List()
    item = ListItem()
    item.addElement(P(text="Ships were diverted to Antwerp."))
    items.addElement(item)
    document.text.addElement(items)
    output = io.BytesIO()
    document.write(output)
    return output.getvalue()


def test_a_word_article_is_read_as_lines_with_headers_and_footers_apart():
    document = read_office("strike.docx", word_article(), limits=Limits())
    assert document.text == ("Harbour strike ends\n"
                             "Dock workers in Rotterdam ended a strike on Tuesday.\n"
                             "Operators said traffic would be normal by Friday. The union accepted a new pay offer.\n"
                             "Ships diverted\n"
                             "Ships were diverted to Antwerp.\n"
                             "Ships | 12\n"
                             "Cranes | 40")
    assert document.left_out == ("Header: Harbour News", "Footer: Page footer")


def test_an_opendocument_article_keeps_its_footnote_apart():
    document = read_office("strike.odt", opendocument_article(), limits=Limits())
    assert document.text == ("Harbour strike ends\n"
                             "Operators said traffic would be normal by Friday. The union accepted a new pay offer.\n"
                             "Ships were diverted to Antwerp.")
    assert document.left_out == ("Footnote: Source: the union's statement.",)


def test_a_word_article_s_outline_comes_from_its_styles():
    document = read_office("strike.docx", word_article(), limits=Limits())
    assert document.outline == Article(
        title="Harbour strike ends",  # the Title style
        blocks=(Block(PARAGRAPH, "Dock workers in Rotterdam ended a strike on Tuesday."),
                Block(PARAGRAPH, "Operators said traffic would be normal by Friday. The union accepted a new pay offer."),
                Block(HEADING, "Ships diverted"),  # Heading 1
                Block(PARAGRAPH, "Ships were diverted to Antwerp."),
                Block(PARAGRAPH, "Ships | 12"), Block(PARAGRAPH, "Cranes | 40")),
        removed=(Removed("Header: Harbour News", "outside"), Removed("Footer: Page footer", "outside")))


def test_a_document_s_short_lines_list_items_and_table_rows_stay_in_the_article():
    """The web-page cleaner would take a short title line for navigation and a table row for a
    share button; a document has neither, so its outline is the article as it is."""
    word = docx.Document()
    word.add_paragraph("Harbour strike ends after three weeks", style="Title")
    word.add_heading("Dock workers accept the offer", 1)
    word.add_paragraph("Dock workers in the northern port ended a three-week strike on Monday after unions "
                       "accepted a new pay offer from the operators.")
    word.add_paragraph("Night shifts are shorter.", style="List Bullet")
    table = word.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Port", "Ships waiting"
    output = io.BytesIO()
    word.save(output)
    document = read_document("strike.docx", output.getvalue())
    article = summarize_article(document.text, outline=document.outline).article
    assert (article.title, [(block.kind, block.text) for block in article.blocks], article.removed) == (
        "Harbour strike ends after three weeks",
        [(HEADING, "Dock workers accept the offer"),
         (PARAGRAPH, "Dock workers in the northern port ended a three-week strike on Monday after unions accepted a "
                     "new pay offer from the operators."),
         (PARAGRAPH, "Night shifts are shorter."), (PARAGRAPH, "Port | Ships waiting")],
        ())


def test_an_opendocument_outline_has_its_heading_as_title_and_a_title_style_wins():
    document = read_office("strike.odt", opendocument_article(), limits=Limits())
    assert document.outline == Article(
        title="Harbour strike ends",  # the first text:h, with no Title paragraph
        blocks=(Block(PARAGRAPH, "Operators said traffic would be normal by Friday. The union accepted a new pay offer."),
                Block(PARAGRAPH, "Ships were diverted to Antwerp.")),
        removed=(Removed("Footnote: Source: the union's statement.", "outside"),))
    titled = OpenDocumentText()
    title_style = Style(name="Title", family="paragraph")
    titled.styles.addElement(title_style)
    based = Style(name="P1", family="paragraph", parentstylename=title_style)
    titled.automaticstyles.addElement(based)
    titled.text.addElement(P(text="Dock workers in Rotterdam ended a strike on Tuesday."))
    titled.text.addElement(P(stylename=based, text="Harbour strike ends"))
    output = io.BytesIO()
    titled.write(output)
    outline = read_office("titled.odt", output.getvalue(), limits=Limits()).outline
    assert (outline.title, outline.blocks) == ("Harbour strike ends",
                                               (Block(PARAGRAPH, "Dock workers in Rotterdam ended a strike on Tuesday."),))


def word_article_with_notes() -> bytes:
    """word_article() with a footnote, an endnote and a comment, each referenced from the lead and
    related from the document as Word relates them."""
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    original = zipfile.ZipFile(io.BytesIO(word_article()))
    body = original.read("word/document.xml").decode()
    lead = "Dock workers in Rotterdam ended a strike on Tuesday.</w:t></w:r>"
    body = body.replace(lead, lead + '<w:r><w:footnoteReference w:id="1"/></w:r><w:r><w:endnoteReference w:id="1"/>'
                        '</w:r><w:r><w:commentReference w:id="0"/></w:r>', 1)
    relationships = original.read("word/_rels/document.xml.rels").decode().replace("</Relationships>", "".join(
        f'<Relationship Id="rIdNote{kind}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'{kind}" Target="{kind}.xml"/>' for kind in ("footnotes", "endnotes", "comments")) + "</Relationships>")
    types = original.read("[Content_Types].xml").decode().replace("</Types>", "".join(
        f'<Override PartName="/word/{kind}.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        f'wordprocessingml.{kind}+xml"/>' for kind in ("footnotes", "endnotes", "comments")) + "</Types>")
    note = '<w:p><w:r><w:{ref}/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p>'
    return with_parts(word_article(), {
        "word/document.xml": body, "word/_rels/document.xml.rels": relationships, "[Content_Types].xml": types,
        "word/footnotes.xml": (f'<w:footnotes {namespace}><w:footnote w:type="separator" w:id="-1"><w:p><w:r>'
                               '<w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1">'
                               + note.format(ref="footnoteRef", text="Figures from the port authority.")
                               + "</w:footnote></w:footnotes>"),
        "word/endnotes.xml": (f'<w:endnotes {namespace}><w:endnote w:id="1">'
                              + note.format(ref="endnoteRef", text="Reporting by the harbour desk.")
                              + "</w:endnote></w:endnotes>"),
        "word/comments.xml": (f'<w:comments {namespace}><w:comment w:id="0" w:author="Desk" w:initials="D">'
                              + note.format(ref="annotationRef", text="Check the date.")
                              + "</w:comment></w:comments>")})


def test_footnotes_endnotes_and_comments_are_translated_in_the_copy():
    from service.stages.office.word import translate_word

    data = word_article_with_notes()
    assert read_office("strike.docx", data, limits=Limits()).left_out[2:] == (
        "Footnote: Figures from the port authority.", "Endnote: Reporting by the harbour desk.",
        "Comment (Desk): Check the date.")
    copy = translate_word(data, name="strike.docx", **MARKED_GERMAN)
    # Read back as the reader reads a document: the notes are the copy's, in German now.
    assert read_office("strike.de.docx", copy, limits=Limits()).left_out[2:] == (
        "Footnote: <de> Figures from the port authority.", "Endnote: <de> Reporting by the harbour desk.",
        "Comment (Desk): <de> Check the date.")
    parts = zipfile.ZipFile(io.BytesIO(copy))
    footnotes = parts.read("word/footnotes.xml").decode()
    assert "<w:footnoteRef/>" in footnotes and "<w:separator/>" in footnotes  # the marks stay where they were
    assert '<w:footnoteReference w:id="1"/>' in parts.read("word/document.xml").decode()


def test_word_footnotes_and_comments_are_kept_apart():
    data = with_parts(word_article(), {
        "word/footnotes.xml": (
            '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:t>---</w:t></w:r></w:p></w:footnote>'
            '<w:footnote w:id="1"><w:p><w:r><w:t>Figures from the port authority.</w:t></w:r></w:p></w:footnote>'
            '</w:footnotes>'),
        "word/comments.xml": (
            '<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:comment w:id="0" w:author="Desk"><w:p><w:r><w:t>Check the date.</w:t></w:r></w:p></w:comment>'
            '</w:comments>')})
    document = read_office("strike.docx", data, limits=Limits())
    assert document.left_out == ("Header: Harbour News", "Footer: Page footer",
                                 "Footnote: Figures from the port authority.", "Comment (Desk): Check the date.")
    assert "port authority" not in document.text


@pytest.fixture
def cli(settings, monkeypatch, install, tmp_path):
    monkeypatch.setenv("NEWSDESK_PACKAGES_DIR", str(settings.packages_dir))
    monkeypatch.setenv("NEWSDESK_LANGPACKS_DIR", str(settings.langpacks_dir))
    install("en_de", "en_ar")
    return tmp_path


def test_newsdesk_process_writes_a_translated_word_copy_that_keeps_styles_and_runs(cli, capsys):
    source = cli / "strike.docx"
    source.write_bytes(word_article())
    assert main(["process", str(source), "--to", "de,ar", "--summary", "1"]) == 0
    written = capsys.readouterr().out.split()
    assert [name.rsplit("/", 1)[-1] for name in written] == [
        "strike.de.md", "strike.ar.md", "strike.de.docx", "strike.de.summary.docx", "strike.ar.docx",
        "strike.ar.summary.docx", "strike.newsdesk.json"]
    copy = docx.Document(str(cli / "strike.de.docx"))
    assert [(p.style.name, [(r.text, r.bold, r.italic) for r in p.runs]) for p in copy.paragraphs] == [
        ("Title", [("<de> Harbour strike ends", None, None)]),
        ("Normal", [("<de> Dock workers in Rotterdam ended a strike on Tuesday.", True, None)]),
        # "The union" starts its sentence: the words the model wrote for it stay italic (the copy
        # model's language tag renders no source word, so it is not).
        ("Normal", [("<de> Operators said traffic would be normal by Friday. <de> ", None, None),
                    ("The union", None, True), (" accepted a new pay offer.", None, None)]),
        ("Heading 1", [("<de> Ships diverted", None, None)]),
        ("List Bullet", [("<de> Ships were diverted to Antwerp.", None, None)]),
    ]
    assert [cell.text for cell in copy.tables[0]._cells] == ["<de> Ships", "<de> 12", "<de> Cranes", "<de> 40"]
    assert copy.sections[0].header.paragraphs[0].text == "<de> Harbour News"
    assert not copy.paragraphs[1]._p.xpath("./w:pPr/w:bidi")
    arabic = docx.Document(str(cli / "strike.ar.docx"))
    assert all(p._p.xpath("./w:pPr/w:bidi") for p in arabic.paragraphs)
    assert all(run.font.rtl for p in arabic.paragraphs for run in p.runs)
    summary = docx.Document(str(cli / "strike.de.summary.docx"))
    assert [(p.style.name, p.text) for p in summary.paragraphs] == [
        ("Title", "<de> Harbour strike ends"), ("Heading 1", "Summary"),
        ("List Bullet", "<de> Dock workers in Rotterdam ended a strike on Tuesday.")]
    assert (cli / "strike.de.md").read_text().startswith("# <de> Harbour strike ends\n")


def test_newsdesk_process_writes_a_translated_opendocument_copy(cli, capsys):
    from lxml import etree

    source = cli / "strike.odt"
    source.write_bytes(opendocument_article())
    assert main(["process", str(source), "--to", "ar", "--summary", "1"]) == 0
    capsys.readouterr()
    copy = (cli / "strike.ar.odt").read_bytes()
    package = zipfile.ZipFile(io.BytesIO(copy))
    assert package.namelist()[0] == "mimetype" and package.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    content = etree.fromstring(package.read("content.xml"))
    ns = {"text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
          "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0"}
    paragraph = content.find(".//text:p", ns)
    assert paragraph.text == "<ar> Operators said traffic would be normal by Friday. <ar> "
    span = paragraph.find("text:span", ns)
    assert (span.get(f"{{{ns['text']}}}style-name"), span.text, span.tail) == (
        "Strong", "The union", " accepted a new pay offer.")
    # The footnote is translated where it stands, still in its paragraph (issue 32: it stayed in English).
    assert paragraph.find("text:note/text:note-body/text:p", ns).text == "<ar> Source: the union's statement."
    style = paragraph.get(f"{{{ns['text']}}}style-name")
    properties = content.find(f".//style:style[@style:name='{style}']/style:paragraph-properties", ns)
    assert properties.get(f"{{{ns['style']}}}writing-mode") == "rl-tb"
    assert read_office("copy.odt", copy, limits=Limits()).text == (
        "<ar> Harbour strike ends\n"
        "<ar> Operators said traffic would be normal by Friday. <ar> The union accepted a new pay offer.\n"
        "<ar> Ships were diverted to Antwerp.")
    assert read_office("summary.odt", (cli / "strike.ar.summary.odt").read_bytes(), limits=Limits()).text == (
        "<ar> Harbour strike ends\nSummary\n<ar> Operators said traffic would be normal by Friday.")


def _copied_runs(runs: list[tuple[str, dict]], german: dict[str, str]) -> list:
    """The runs of a one-paragraph .docx made of ``runs`` (text, formatting), translated by ``german``."""
    from service.stages.office.word import translate_word

    document = docx.Document()
    paragraph = document.add_paragraph()
    for text, formatting in runs:
        run = paragraph.add_run(text)
        for name, value in formatting.items():
            setattr(run, name, value)
    output = io.BytesIO()
    document.save(output)
    copy = translate_word(output.getvalue(), name="a.docx", limits=Limits(), right_to_left=False,
                          translate=lambda texts: [german[text] for text in texts], split=lambda text: [text])
    return docx.Document(io.BytesIO(copy)).paragraphs[0].runs


def test_a_span_whose_translation_is_not_in_the_sentence_leaves_the_sentence_in_one_formatting():
    german = {"The talks with the port authority resumed on Monday.": "Die Gespräche mit dem Hafen wurden am Montag "
                                                                      "fortgesetzt.",
              "the port authority": "die Hafenbehörde"}
    runs = _copied_runs([("The talks with ", {}), ("the port authority", {"bold": True}), (" resumed on Monday.", {})],
                        german)
    assert [(run.text, run.bold) for run in runs] == [("Die Gespräche mit dem Hafen wurden am Montag fortgesetzt.", None)]


def test_a_span_the_model_inflected_in_the_sentence_keeps_its_formatting():
    german = {"The talks with the port authority resumed on Monday.": "Die Gespräche mit der Hafenbehörde wurden am "
                                                                      "Montag fortgesetzt.",
              "the port authority": "die Hafenbehörde", "Monday": "Montag"}
    runs = _copied_runs([("The talks with ", {}), ("the port authority", {"bold": True}), (" resumed on ", {}),
                         ("Monday", {"italic": True}), (".", {})], german)
    assert [(run.text, run.bold, run.italic) for run in runs] == [
        ("Die Gespräche mit ", None, None), ("der Hafenbehörde", True, None), (" wurden am ", None, None),
        ("Montag", None, True), (" fortgesetzt.", None, None)]


def test_tracked_changes_are_read_as_accepted():
    document = read_office("strike.docx", tracked_word_article(), limits=Limits())
    assert document.text.split("\n") == [
        "Harbour strike ends", "The union accepted the offer on Tuesday.", "Cranes stood still for five days.",
        "Ships sail again.", "The terms are online.", "Talks went on into the night.", "The figures are in Table 1."]


def test_a_translated_copy_of_a_tracked_document_is_the_accepted_text_translated():
    from service.stages.office.word import translate_word

    copy = translate_word(tracked_word_article(), name="strike.docx", **MARKED_GERMAN)
    translated = docx.Document(io.BytesIO(copy))
    body = translated.element.body
    assert ["".join(text.text for text in paragraph._p.iter(f"{W}t")) for paragraph in translated.paragraphs] == [
        "<de> Harbour strike ends", "<de> The union accepted the offer on Tuesday.",
        "<de> Cranes stood still for five days.", "<de> Ships sail again.", "<de> The terms are online.", "",
        "<de> Talks went on into the night.", "<de> The figures are in Table 1."]
    assert translated.paragraphs[6].alignment == 1  # the joined paragraph keeps the mark that stayed: centred
    # No revision marks on the translation, no source words left as deleted text.
    assert not [element for element in body.iter(f"{W}ins", f"{W}del", f"{W}moveFrom", f"{W}moveTo", f"{W}delText",
                                                  f"{W}rPrChange")]
    assert [link.text for link in translated.paragraphs[4].hyperlinks] == ["<de> The terms are online."]


def _complex_field(code: str, result: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve">{code}</w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{result}</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def test_the_text_around_a_field_is_translated_and_the_field_stays_as_it_was():
    """A caption's number, a citation, a hyperlink written as a field, a table of contents running
    over paragraphs: each field's code and result stay, the words around them are translated
    (issue 32: 18 such paragraphs in 8 real files were left in English whole)."""
    from docx.oxml import parse_xml

    from service.stages.office.word import translate_word

    document = docx.Document()
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    paragraphs = [
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> TOC \\o "1-3" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Casualties</w:t></w:r>',
        '<w:r><w:t>Ports</w:t></w:r>',
        '<w:r><w:t>Talks</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>',
        '<w:r><w:t xml:space="preserve">Table </w:t></w:r>' + _complex_field(" SEQ Table \\* ARABIC ", "1")
        + '<w:r><w:t>: Casualties by region</w:t></w:r>',
        '<w:r><w:t xml:space="preserve">Losses rose </w:t></w:r><w:fldSimple w:instr=" CITATION Smi01 ">'
        '<w:r><w:t>(Smith 2001)</w:t></w:r></w:fldSimple><w:r><w:t xml:space="preserve"> in every port.</w:t></w:r>',
        '<w:r><w:t xml:space="preserve">Read </w:t></w:r>'
        + _complex_field(' HYPERLINK "https://example.org/report" ', "the full report")
        + '<w:r><w:t xml:space="preserve"> online.</w:t></w:r>',
    ]
    for runs in paragraphs:
        document.element.body.insert(len(document.element.body) - 1, parse_xml(f"<w:p {namespace}>{runs}</w:p>"))
    footer = document.sections[0].footer.paragraphs[0]._p
    for element in parse_xml(f'<w:p {namespace}><w:r><w:t xml:space="preserve">Page </w:t></w:r>'
                             f'{_complex_field(" PAGE ", "3")}<w:r><w:t xml:space="preserve"> of </w:t></w:r>'
                             f'<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>9</w:t></w:r></w:fldSimple></w:p>'):
        footer.append(element)
    output = io.BytesIO()
    document.save(output)
    copy = translate_word(output.getvalue(), name="report.docx", **MARKED_GERMAN)
    translated = docx.Document(io.BytesIO(copy))
    texts = ["".join(text.text for text in paragraph._p.iter(f"{W}t")) for paragraph in translated.paragraphs]
    assert texts == ["Casualties", "Ports", "Talks",  # a table of contents is its field's result: Word rebuilds it
                     "<de> Table 1<de> : Casualties by region", "<de> Losses rose (Smith 2001) <de> in every port.",
                     "<de> Read the full report <de> online."]
    assert ["".join(text.text for text in paragraph.iter(f"{W}instrText")) for paragraph in
            translated.element.body.iter(f"{W}p")] == [
        ' TOC \\o "1-3" ', "", "", " SEQ Table \\* ARABIC ", "", ' HYPERLINK "https://example.org/report" ']
    assert [field.get(f"{W}instr") for field in translated.element.body.iter(f"{W}fldSimple")] == [" CITATION Smi01 "]
    caption = translated.paragraphs[3]._p
    assert [(part.tag.split("}")[1], part.get(f"{W}fldCharType") or part.text) for run in caption.iter(f"{W}r")
            for part in run if part.tag != f"{W}rPr"] == [
        ("t", "<de> Table "), ("fldChar", "begin"), ("instrText", " SEQ Table \\* ARABIC "), ("fldChar", "separate"),
        ("t", "1"), ("fldChar", "end"), ("t", "<de> : Casualties by region")]
    assert "".join(text.text for text in translated.sections[0].footer.paragraphs[0]._p.iter(f"{W}t")) == (
        "<de> Page 3 <de> of 9")


def test_an_opendocument_field_stays_in_place_and_the_text_around_it_is_translated():
    from lxml import etree
    from odf.text import BookmarkRef, PageNumber, Sequence

    from service.stages.office.opendocument import translate_opendocument

    document = OpenDocumentText()
    bold = Style(name="Strong", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(bold)
    caption = P(text="Table ")
    caption.addElement(Sequence(name="Table", formula="ooow:Table+1", numformat="1", text="1"))
    caption.addText(": Casualties by region")
    document.text.addElement(caption)
    reference = P(text="The losses are in ")
    emphasis = Span(stylename=bold)
    emphasis.addElement(BookmarkRef(referenceformat="text", refname="losses", text="Table 1"))
    reference.addElement(emphasis)
    reference.addText(" and rose again.")
    document.text.addElement(reference)
    page = P(text="Page ")
    page.addElement(PageNumber(selectpage="current", text="3"))
    document.text.addElement(page)
    output = io.BytesIO()
    document.write(output)
    copy = translate_opendocument(output.getvalue(), name="report.odt", **MARKED_GERMAN)
    content = etree.fromstring(zipfile.ZipFile(io.BytesIO(copy)).read("content.xml"))
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    paragraphs = list(content.iter(f"{{{text}}}p"))
    assert [etree.tostring(paragraph, encoding=str, with_tail=False).split(">", 1)[1] for paragraph in paragraphs] == [
        '&lt;de&gt; Table <text:sequence text:name="Table" text:formula="ooow:Table+1" '
        'style:num-format="1">1</text:sequence>&lt;de&gt; : Casualties by region</text:p>',
        '&lt;de&gt; The losses are in <text:span text:style-name="Strong"><text:bookmark-ref '
        'text:reference-format="text" text:ref-name="losses">Table 1</text:bookmark-ref></text:span> &lt;de&gt; and '
        'rose again.</text:p>',
        '&lt;de&gt; Page <text:page-number text:select-page="current">3</text:page-number></text:p>']


def _word_text_box(text: str) -> str:
    """A run drawing a text box as Word writes one: the drawing, and a VML fallback holding the same text."""
    paragraph = f"<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"
    return ('<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
            'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
            'xmlns:v="urn:schemas-microsoft-com:vml"><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>'
            f'{paragraph}</wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>'
            f'{paragraph}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>')


def test_text_in_text_boxes_and_frames_is_read_once_and_translated_in_the_copy():
    """Issue 32: five real documents whose text was all in text boxes read as empty through the
    CLI and batch jobs, while their copies were translated."""
    from docx.oxml import parse_xml
    from lxml import etree
    from odf.draw import Frame, TextBox

    from service.stages.office.word import translate_word

    document = docx.Document()
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document.element.body.insert(0, parse_xml(
        f'<w:p {namespace}><w:r><w:t>Dock workers ended a strike.</w:t></w:r>'
        f'{_word_text_box("Ships sail again on Friday.")}</w:p>'))
    document.element.body.insert(1, parse_xml(f'<w:p {namespace}>{_word_text_box("The union accepted.")}</w:p>'))
    output = io.BytesIO()
    document.save(output)
    assert read_office("boxes.docx", output.getvalue(), limits=Limits()).text == (
        "Dock workers ended a strike.\nShips sail again on Friday.\nThe union accepted.")
    copy = translate_word(output.getvalue(), name="boxes.docx", **MARKED_GERMAN)
    body = docx.Document(io.BytesIO(copy)).element.body
    assert ["".join(t.text for t in paragraph.iter(f"{W}t") if t.getparent().getparent() is paragraph)
            for paragraph in body.iter(f"{W}p")] == [
        "<de> Dock workers ended a strike.", "<de> Ships sail again on Friday.", "<de> Ships sail again on Friday.",
        "", "<de> The union accepted.", "<de> The union accepted."]  # the drawing and its fallback both

    def frame_of(text: str, *, anchor: str) -> Frame:
        frame, box = Frame(anchortype=anchor, width="5cm", height="2cm"), TextBox()
        box.addElement(P(text=text))
        frame.addElement(box)
        return frame

    framed = OpenDocumentText()
    anchored = P(text="Dock workers ended a strike.")
    anchored.addElement(frame_of("Ships sail again on Friday.", anchor="paragraph"))
    framed.text.addElement(anchored)
    framed.text.addElement(frame_of("The union accepted.", anchor="page"))
    output = io.BytesIO()
    framed.write(output)
    assert read_office("frames.odt", output.getvalue(), limits=Limits()).text == (
        "Dock workers ended a strike.\nShips sail again on Friday.\nThe union accepted.")
    from service.stages.office.opendocument import translate_opendocument

    copy = translate_opendocument(output.getvalue(), name="frames.odt", **MARKED_GERMAN)
    content = etree.fromstring(zipfile.ZipFile(io.BytesIO(copy)).read("content.xml"))
    assert [paragraph.text for paragraph in content.iter("{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p")] == [
        "<de> Dock workers ended a strike.", "<de> Ships sail again on Friday.", "<de> The union accepted."]


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = with_parts(word_article(), {"word/media/padding.bin": b"\0" * 5_000_000})
    with pytest.raises(TooLarge) as refused:
        read_office("bomb.docx", bomb, limits=Limits())
    size = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(bomb)).infolist())
    assert str(refused.value) == (
        f"bomb.docx unpacks to {size:,} bytes; a Word file this size may unpack to {100 * len(bomb):,} "
        "(NEWSDESK_MAX_DOCUMENT_UNPACKED_BYTES, and 100 times its own size): it looks like a zip bomb; save the "
        "document again, or send the text")


def test_xml_entities_are_refused():
    original = zipfile.ZipFile(io.BytesIO(word_article())).read("word/document.xml").decode()
    hostile = original.replace("<w:document", '<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                              "<w:document", 1)
    with pytest.raises(InvalidInput) as refused:
        read_office("xxe.docx", with_parts(word_article(), {"word/document.xml": hostile}), limits=Limits())
    assert str(refused.value) == (
        "xxe.docx declares XML entities in word/document.xml (a DOCTYPE), which Word and LibreOffice never write "
        "and attacks use to read files: save the document again from Word or LibreOffice")


def test_a_bare_doctype_is_read_with_nothing_loaded_but_entity_declarations_are_refused():
    """OpenOffice writes the MathML DOCTYPE (a public identifier, no declarations) into a formula
    object; issue 32 found an .odt refused for it."""
    mathml = ('<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE math:math PUBLIC "-//OpenOffice.org//DTD Modified '
              'W3C MathML 1.01//EN" "math.dtd"><math:math xmlns:math="http://www.w3.org/1998/Math/MathML"/>')
    with_formula = with_parts(opendocument_article(), {"Object 1/content.xml": mathml})
    assert read_office("formula.odt", with_formula, limits=Limits()).text.startswith("Harbour strike ends\n")
    subset = mathml.replace('"math.dtd">', '"math.dtd" [<!ATTLIST math:math x CDATA "y">]>')
    with pytest.raises(InvalidInput) as refused:
        read_office("subset.odt", with_parts(opendocument_article(), {"Object 1/content.xml": subset}),
                    limits=Limits())
    assert str(refused.value) == (
        "subset.odt declares XML entities in Object 1/content.xml (a DOCTYPE), which Word and LibreOffice never "
        "write and attacks use to read files: save the document again from Word or LibreOffice")


def test_an_outside_template_and_a_linked_picture_are_neither_refused_nor_fetched(tmp_path):
    """Word writes both into ordinary documents (issue 32: three real .docx were refused); no reader
    here follows them, so a file that would be fetched is never touched, and the copy keeps them."""
    from service.stages.office.word import translate_word

    rels = zipfile.ZipFile(io.BytesIO(word_article())).read("word/_rels/document.xml.rels").decode()
    base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    template, picture = tmp_path / "t.dotm", tmp_path / "p.png"
    outside = (f'<Relationship Id="rId91" Type="{base}attachedTemplate" Target="{template.as_uri()}" '
               f'TargetMode="External"/><Relationship Id="rId92" Type="{base}image" Target="{picture.as_uri()}" '
               'TargetMode="External"/>')
    linked = with_parts(word_article(), {"word/_rels/document.xml.rels": rels.replace(
        "</Relationships>", outside + "</Relationships>")})
    assert read_office("template.docx", linked, limits=Limits()).text.startswith("Harbour strike ends\n")
    copy = translate_word(linked, name="template.docx", **MARKED_GERMAN)
    assert template.as_uri() in zipfile.ZipFile(io.BytesIO(copy)).read("word/_rels/document.xml.rels").decode()
    assert not template.exists() and not picture.exists()
    content = zipfile.ZipFile(io.BytesIO(opendocument_article())).read("content.xml").decode()
    frame = ('<draw:frame xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
             f'xmlns:xlink="http://www.w3.org/1999/xlink"><draw:image xlink:href="{picture.as_uri()}"/>'
             '</draw:frame>')
    with_picture = with_parts(opendocument_article(), {"content.xml": content.replace("</text:h>", frame + "</text:h>", 1)})
    assert read_office("picture.odt", with_picture, limits=Limits()).text.startswith("Harbour strike ends\n")


@pytest.mark.parametrize("name, data, message", [
    ("notes.docx", b"plain text, not a zip", "notes.docx is not a readable Word file (it is not the zip archive "
     "such files are): open it and save it again, or paste the article's text"),
    ("notes.odt", b"plain text, not a zip", "notes.odt is not a readable OpenDocument file (it is not the zip "
     "archive such files are): open it and save it again, or paste the article's text"),
])
def test_a_file_that_is_not_a_document_gets_a_message(name, data, message):
    with pytest.raises(InvalidInput) as refused:
        read_document(name, data)
    assert str(refused.value) == message


@pytest.mark.parametrize("count", ["abc", "300000000", "9" * 5000, "-2", "0"])
def test_an_opendocument_space_count_that_is_no_small_number_reads_as_spaces_not_an_error(count):
    content = opendocument_article_content()
    assert content.count("normal by Friday.") == 1
    data = with_parts(opendocument_article(), {"content.xml": content.replace(
        "normal by Friday.", f'normal by<text:s text:c="{count}"/>Friday.')})
    document = read_office("strike.odt", data, limits=Limits())
    assert "Operators said traffic would be normal by Friday." in document.text.split("\n")[1]


def opendocument_article_content() -> str:
    return zipfile.ZipFile(io.BytesIO(opendocument_article())).read("content.xml").decode()


def test_a_spreadsheet_renamed_odt_is_refused():
    spreadsheet = with_parts(opendocument_article(), {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    with pytest.raises(InvalidInput, match=r"^sheet.odt is not an OpenDocument text \(.odt\): save it as .odt"):
        read_document("sheet.odt", spreadsheet)


def test_document_size_and_paragraph_limits(settings):
    data = word_article()
    with pytest.raises(TooLarge) as refused:
        read_office("strike.docx", data, limits=Limits(max_bytes=1000))
    assert str(refused.value) == (f"strike.docx has {len(data):,} bytes; the limit for a document is 1,000 "
                                  "(NEWSDESK_MAX_DOCUMENT_BYTES): save it without its pictures, or send the text")
    with pytest.raises(TooLarge) as refused:
        read_office("strike.docx", data, limits=Limits(max_paragraphs=3))
    assert str(refused.value) == ("strike.docx has more than 3 paragraphs; the limit is 3 "
                                  "(NEWSDESK_MAX_DOCUMENT_PARAGRAPHS): split it")
    with pytest.raises(TooLarge, match="^strike.odt has more than 2 paragraphs"):
        read_office("strike.odt", opendocument_article(), limits=Limits(max_paragraphs=2))


def test_newsdesk_summarize_keeps_the_document_limits_too(cli, monkeypatch, capsys):
    (cli / "strike.docx").write_bytes(word_article())
    monkeypatch.setenv("NEWSDESK_MAX_DOCUMENT_PARAGRAPHS", "2")
    assert main(["summarize", str(cli / "strike.docx")]) == 1
    assert capsys.readouterr().err == ("error: strike.docx has more than 2 paragraphs; the limit is 2 "
                                       "(NEWSDESK_MAX_DOCUMENT_PARAGRAPHS): split it\n")


def _paragraph_with_link(document, before: str, link_text: str, url: str):
    """A paragraph of ``before``, then a link to ``url`` reading ``link_text``, as Word writes one."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = document.add_paragraph(before)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = link_text
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    return paragraph


def test_a_link_keeps_its_address_in_the_translated_copy():
    from service.stages.office.word import translate_word

    document = docx.Document()
    _paragraph_with_link(document, "Read the statement. ", "The full text is online.", "https://example.org/statement")
    output = io.BytesIO()
    document.save(output)
    copy = translate_word(output.getvalue(), name="a.docx", limits=Limits(), right_to_left=False,
                          translate=lambda texts: [f"<de> {text}" for text in texts],
                          split=lambda text: [part.strip() + "." for part in text.split(".") if part.strip()])
    translated = docx.Document(io.BytesIO(copy)).paragraphs[0]
    assert translated.text == "<de> Read the statement. <de> The full text is online."
    assert [(link.text, link.url) for link in translated.hyperlinks] == [
        ("<de> The full text is online.", "https://example.org/statement")]


def test_a_link_whose_words_the_sentence_does_not_have_is_kept_on_the_whole_sentence():
    from service.stages.office.word import translate_word

    document = docx.Document()
    paragraph = _paragraph_with_link(document, "Read ", "the union's statement", "https://example.org/statement")
    paragraph.add_run(" before the vote on Friday evening.")
    output = io.BytesIO()
    document.save(output)
    german = {"Read the union's statement before the vote on Friday evening.": "Lesen Sie vor der Abstimmung am "
                                                                              "Freitagabend, was die Gewerkschaft "
                                                                              "erklärt hat.",
              "the union's statement": "die Erklärung der Gewerkschaft"}
    copy = translate_word(output.getvalue(), name="a.docx", limits=Limits(), right_to_left=False,
                          translate=lambda texts: [german[text] for text in texts], split=lambda text: [text])
    translated = docx.Document(io.BytesIO(copy)).paragraphs[0]
    # Before, the link and its address were dropped (issue 32: all 4 links of one file).
    assert [(link.text, link.url) for link in translated.hyperlinks] == [
        ("Lesen Sie vor der Abstimmung am Freitagabend, was die Gewerkschaft erklärt hat.",
         "https://example.org/statement")]
    assert translated.text == "Lesen Sie vor der Abstimmung am Freitagabend, was die Gewerkschaft erklärt hat."


def test_a_sentence_with_a_link_found_and_one_lost_keeps_both_addresses():
    from service.stages.pieces import Formatted

    formatted = Formatted.of(["Read ", "here", " and the statement ", "there", " before the vote on Friday evening."],
                             ["plain", "link A", "plain", "link B", "plain"], lambda text: [text])
    german = {"Read here and the statement there before the vote on Friday evening.":
              "Lesen Sie hier und die Erklärung vor der Abstimmung am Freitagabend.", "here": "hier", "there": "dort"}
    links = {1, 3}
    assert formatted.translated(german, essential=links.__contains__) == [
        ("Lesen Sie ", 3), ("hier", 1), (" und die Erklärung vor der Abstimmung am Freitagabend.", 3)]


def test_the_translation_engine_s_own_failure_is_not_taken_for_the_writer_s():
    from service.stages.office import translated_copy

    def broken(texts):
        raise RuntimeError("the model's file is unreadable")

    with pytest.raises(RuntimeError, match="the model's file is unreadable"):
        translated_copy("strike.docx", word_article(), limits=Limits(), translate=broken, split=lambda text: [text],
                        right_to_left=False)
