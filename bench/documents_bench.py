"""Time per page for Word, OpenDocument and PDF articles: reading them, and making a translated copy;
and, for a folder of documents, what their translated copies keep.

    .venv/bin/python bench/documents_bench.py [--pages 20] [--rounds 5] [--translate]
    .venv/bin/python bench/documents_bench.py --folder DIR [--to de,ru,ar]
    .venv/bin/python bench/documents_bench.py --made-up DIR [--to de,ru,ar]

With --folder or --made-up: outcomes, completeness per part kind, inline spans kept per kind,
marks after their word, right-to-left share and seconds, per format and language
(bench/documents_completeness.py says how each is counted).

Builds one document per format of --pages pages (about 450 words a page, 12-point text)
from CNN/DailyMail articles in ../shared/evaldata (built-in sentences when it is absent),
then times, per format, alternating rounds of:
- read: service.stages.office.read_office (what every door does with an upload);
- copy (.docx, .odt): service.stages.office.translated_copy with a translation that returns its
  input, i.e. the cost of taking the document apart and writing it back;
- with --translate: the copy through the Transformer-base en->de bench pack
  (bench/translate_bench.py builds it), i.e. what a user waits for.
Reported as min / median / max seconds per page.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from service.stages.office import Limits, read_office, translated_copy  # noqa: E402
from service.stages.sentences import split_sentences  # noqa: E402

CNNDM = REPO.parent / "shared" / "evaldata" / "news_summ_cnndm.jsonl"
WORDS_PER_PAGE = 450


def paragraphs() -> tuple[list[str], str]:
    if CNNDM.is_file():
        with CNNDM.open(encoding="utf-8") as handle:
            articles = [json.loads(line)["article"] for line in handle]
        found = [" ".join(sentences) for text in articles
                 for sentences in _chunks(split_sentences(text, "en"), 4)]
        return found, f"CNN/DailyMail articles ({CNNDM})"
    return ([f"Dock workers in port number {i} ended a {i}-day strike after unions accepted a new pay offer. "
             "Operators said traffic would be back to normal by Friday." for i in range(400)],
            "built-in sentences (../shared/evaldata not found)")


def _chunks(items: list[str], size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def page_paragraphs(source: list[str], pages: int) -> list[list[str]]:
    """Paragraphs for each page: about WORDS_PER_PAGE words each."""
    result, position = [], 0
    for _ in range(pages):
        page, words = [], 0
        while words < WORDS_PER_PAGE:
            text = source[position % len(source)]
            position += 1
            page.append(text)
            words += len(text.split())
        result.append(page)
    return result


def build_word(pages: list[list[str]]) -> bytes:
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.add_heading("Benchmark article", 0)
    for number, page in enumerate(pages):
        document.add_heading(f"Part {number + 1}", 1)
        for index, text in enumerate(page):
            paragraph = document.add_paragraph()
            first, _, rest = text.partition(" ")
            paragraph.add_run(first + " ").bold = index == 0
            paragraph.add_run(rest)
        document.paragraphs[-1].runs[-1].add_break(WD_BREAK.PAGE)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def build_opendocument(pages: list[list[str]]) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties
    from odf.text import H, P, Span

    document = OpenDocumentText()
    bold = Style(name="Bold", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(bold)
    document.text.addElement(H(outlinelevel=1, text="Benchmark article"))
    for number, page in enumerate(pages):
        document.text.addElement(H(outlinelevel=2, text=f"Part {number + 1}"))
        for text in page:
            first, _, rest = text.partition(" ")
            paragraph = P()
            paragraph.addElement(Span(stylename=bold, text=first + " "))
            paragraph.addText(rest)
            document.text.addElement(paragraph)
    output = io.BytesIO()
    document.write(output)
    return output.getvalue()


def build_pdf(pages: list[list[str]]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    story = [Paragraph("Benchmark article", styles["Title"])]
    for number, page in enumerate(pages):
        story.append(Paragraph(f"Part {number + 1}", styles["Heading1"]))
        story += [Paragraph(text, styles["BodyText"]) for text in page]
        story.append(PageBreak())
    output = io.BytesIO()
    SimpleDocTemplate(output, pagesize=A4).build(story)
    return output.getvalue()


def pdf_pages(data: bytes) -> int:
    from pdfminer.pdfpage import PDFPage

    return sum(1 for _ in PDFPage.get_pages(io.BytesIO(data)))


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def line(label: str, values: list[float], pages: int) -> str:
    per_page = [value / pages * 1000 for value in values]
    return (f"  {label:<28} {min(per_page):7.1f} / {statistics.median(per_page):7.1f} / {max(per_page):7.1f} "
            "ms per page (min / median / max)")


def german_translator():
    """translate(texts) through the Transformer-base en->de bench pack, with no sentence cache."""
    from bench.translate_bench import bench_settings, english_text, install_packs
    from service import translation

    install_packs(english_text()[0], targets=("de",))
    settings = bench_settings(cache_sentences=0)  # every round translates, none reads a cache
    return lambda texts: translation.translate(texts, "en", "de", settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--translate", action="store_true", help="also the copy through the en->de bench pack")
    parser.add_argument("--folder", type=Path, help="measure what the copies of these documents keep")
    parser.add_argument("--made-up", type=Path, help="write the made-up set (every feature) here and measure it")
    parser.add_argument("--to", default="de,ru,ar", help="languages of the copies (--folder, --made-up)")
    args = parser.parse_args()
    if args.folder or args.made_up:
        from bench.documents_completeness import measure, write_made_up_set

        if args.made_up:
            write_made_up_set(args.made_up)
        measure(args.folder or args.made_up, [code.strip() for code in args.to.split(",") if code.strip()])
        return
    source, where = paragraphs()
    pages = page_paragraphs(source, args.pages)
    print(f"{args.pages} pages of about {WORDS_PER_PAGE} words from {where}")
    documents = {"strike.docx": build_word(pages), "strike.odt": build_opendocument(pages), "strike.pdf": build_pdf(pages)}
    limits = Limits(max_bytes=None, max_unpacked_bytes=None, max_pages=None, max_paragraphs=None)
    translate_de = german_translator() if args.translate else None
    for name, data in documents.items():
        page_count = pdf_pages(data) if name.endswith(".pdf") else args.pages
        read = [timed(lambda: read_office(name, data, limits=limits)) for _ in range(args.rounds)]
        words = len(read_office(name, data, limits=limits).text.split())
        print(f"{name}: {len(data):,} bytes, {page_count} pages, {words:,} words read")
        print(line("read", read, page_count))
        if name.endswith(".pdf"):
            continue
        options = {"limits": limits, "split": lambda text: split_sentences(text, "en"), "right_to_left": False}
        copy = [timed(lambda: translated_copy(name, data, translate=lambda texts: texts, **options))
                for _ in range(args.rounds)]
        print(line("copy (no translation)", copy, page_count))
        if translate_de is not None:
            full = [timed(lambda: translated_copy(name, data, translate=translate_de, **options))
                    for _ in range(max(1, args.rounds // 2))]
            print(line("copy through en->de (base)", full, page_count))


if __name__ == "__main__":
    main()
