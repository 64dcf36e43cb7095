"""Word, OpenDocument and PDF articles through the web desk and batch jobs, with the copy-model packs."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile

import docx
import pytest

from service.stages.office import Limits, read_office
from tests.test_office import opendocument_article, word_article


@pytest.fixture
def app(make_app, install, tmp_path):
    install("en_ar", "en_de")
    return make_app(jobs_dir=tmp_path / "jobs", rate_limit=None, max_request_bytes=20_000,
                    max_document_bytes=200_000)


def pdf_article() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    output = io.BytesIO()
    page = canvas.Canvas(output, pagesize=A4)
    page.setFont("Helvetica-Bold", 20)
    page.drawString(72, 760, "Harbour strike ends")
    page.setFont("Helvetica", 11)
    page.drawString(72, 720, "Dock workers in Rotterdam ended a five-day strike on Tuesday after the")
    page.drawString(72, 706, "union accepted a new pay offer. Operators said traffic would be back to")
    page.drawString(72, 692, "normal by Friday.")
    page.showPage()
    page.save()
    return output.getvalue()


def upload(client, data: bytes, name: str, path: str = "/", **fields):
    return client.post(path, data={"file": (io.BytesIO(data), name), "target": ["de", "ar"], "summary": "1",
                                   **fields}, content_type="multipart/form-data")


def test_an_uploaded_word_file_gives_its_translated_copy_and_summary_on_the_result_page(client):
    response = upload(client, word_article(), "strike.docx")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert '<h1 id="result-title" lang="en" dir="ltr">Harbour strike ends</h1>' in page
    run = re.search(r'data-run="([\w-]+)"', page)[1]
    for language in ("de", "ar"):
        for name, label in ((f"harbour-strike-ends.{language}.docx", "Word (translated document)"),
                            (f"harbour-strike-ends.{language}.summary.docx", "Word (summary)")):
            assert f'href="/results/{run}/files/{name}"' in page
            assert label in page
    copy = client.get(f"/results/{run}/files/harbour-strike-ends.de.docx")
    assert copy.status_code == 200
    assert copy.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert copy.headers["Content-Disposition"] == "attachment; filename=harbour-strike-ends.de.docx"
    translated = docx.Document(io.BytesIO(copy.data))
    assert [p.text for p in translated.paragraphs] == [
        "<de> Harbour strike ends", "<de> Dock workers in Rotterdam ended a strike on Tuesday.",
        "<de> Operators said traffic would be normal by Friday. <de> The union accepted a new pay offer.",
        "<de> Ships diverted", "<de> Ships were diverted to Antwerp."]
    summary = docx.Document(io.BytesIO(client.get(f"/results/{run}/files/harbour-strike-ends.ar.summary.docx").data))
    assert [p.text for p in summary.paragraphs] == [
        "<ar> Harbour strike ends", "Summary", "<ar> Dock workers in Rotterdam ended a strike on Tuesday."]
    assert all(p._p.xpath("./w:pPr/w:bidi") for p in summary.paragraphs)
    missing = client.get(f"/results/{run}/files/harbour-strike-ends.ru.docx")
    assert missing.status_code == 400
    assert missing.get_json() == {"error": f"this result has no file 'harbour-strike-ends.ru.docx': its files are "
                                           f"listed on its page, /results/{run}"}


def test_a_desk_correction_is_in_the_translated_document_downloaded_after_it(client):
    page = upload(client, word_article(), "strike.docx").get_data(as_text=True)
    run = re.search(r'data-run="([\w-]+)"', page)[1]
    saved = client.post(f"/results/{run}/sentences/de/0", json={"text": "Die Hafenarbeiter beendeten den Streik."})
    assert saved.status_code == 200, saved.get_json()
    copy = docx.Document(io.BytesIO(client.get(f"/results/{run}/files/harbour-strike-ends.de.docx").data))
    assert copy.paragraphs[1].text == "Die Hafenarbeiter beendeten den Streik."
    assert copy.paragraphs[1].runs[0].bold is True


def test_an_opendocument_file_in_the_background_run_has_its_copy_too(client):
    started = upload(client, opendocument_article(), "strike.odt", path="/runs")
    assert started.status_code == 202, started.get_data(as_text=True)
    for _ in range(400):
        if client.get(started.get_json()["progress"]).get_json()["status"] != "running":
            break
        time.sleep(0.05)
    run = started.get_json()["id"]
    page = client.get(f"/results/{run}").get_data(as_text=True)
    assert f'href="/results/{run}/files/harbour-strike-ends.de.odt"' in page
    copy = client.get(f"/results/{run}/files/harbour-strike-ends.de.odt")
    assert copy.mimetype == "application/vnd.oasis.opendocument.text"
    assert read_office("copy.odt", copy.data, limits=Limits()).text.splitlines()[1] == (
        "<de> Operators said traffic would be normal by Friday. <de> The union accepted a new pay offer.")


def test_a_pdf_upload_is_read_and_offers_no_document_copy(client):
    page = upload(client, pdf_article(), "strike.pdf").get_data(as_text=True)
    assert '<h1 id="result-title" lang="en" dir="ltr">Harbour strike ends</h1>' in page
    assert "Dock workers in Rotterdam ended a five-day strike on Tuesday after the union accepted" in page
    assert "harbour-strike-ends.de.docx" not in page and "translated document" not in page


def test_a_document_larger_than_a_request_but_within_its_own_limit_is_taken(client):
    padded = _padded(word_article(), 60_000)  # over max_request_bytes (20,000), under max_document_bytes
    response = upload(client, padded, "strike.docx")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def test_a_document_over_its_limit_gets_the_form_back_with_the_reason(client):
    response = upload(client, _padded(word_article(), 300_000), "strike.docx")
    assert response.status_code == 413
    assert ("The article is too large: the desk takes pasted text of up to 100,000 characters and a file of up to "
            "200 kB; this was 339 kB. Shorten it, or send it in parts.") in response.get_data(as_text=True)


def test_a_scanned_pdf_is_refused_with_what_to_do(client):
    from reportlab.pdfgen import canvas

    output = io.BytesIO()
    page = canvas.Canvas(output)
    page.rect(72, 72, 400, 600, fill=1)  # a picture of a page: no text layer
    page.showPage()
    page.save()
    response = upload(client, output.getvalue(), "scan.pdf")
    assert response.status_code == 400
    assert ("scan.pdf has no text layer (it is a scanned image): run it through OCR, or paste the article&#39;s "
            "text") in response.get_data(as_text=True)


def _padded(data: bytes, size: int) -> bytes:
    """The document with a stored (uncompressed) picture, so that it is ``size`` bytes or more."""
    import os

    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        archive.writestr(zipfile.ZipInfo("word/media/photo.bin"), os.urandom(size), compress_type=zipfile.ZIP_STORED)
    return output.getvalue()


def test_a_batch_archive_of_documents_gives_translated_documents_in_its_results(client):
    from tests.test_jobs import wait_until_done

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as batch:
        batch.writestr("desk/strike.docx", word_article())
        batch.writestr("desk/strike-notes.odt", opendocument_article())
        batch.writestr("desk/release.pdf", pdf_article())
    response = client.post("/api/v1/jobs", data={"file": (io.BytesIO(archive.getvalue()), "batch.zip"),
                                                 "target": ["de"]}, content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    job = response.get_json()["id"]
    report = wait_until_done(client, job)
    assert report["progress"] == {"done": 3, "failed": 0, "total": 3}, report
    results = zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/jobs/{job}/result?format=zip").data))
    assert sorted(results.namelist()) == [
        "desk/release.de.md", "desk/release.newsdesk.json",
        "desk/strike-notes.de.md", "desk/strike-notes.de.odt", "desk/strike-notes.de.summary.odt",
        "desk/strike-notes.newsdesk.json",
        "desk/strike.de.docx", "desk/strike.de.md", "desk/strike.de.summary.docx", "desk/strike.newsdesk.json",
        "job.json"]
    copy = docx.Document(io.BytesIO(results.read("desk/strike.de.docx")))
    assert copy.paragraphs[0].text == "<de> Harbour strike ends"
    assert [cell.text for cell in copy.tables[0]._cells] == ["<de> Ships", "<de> 12", "<de> Cranes", "<de> 40"]
    lines = client.get(f"/api/v1/jobs/{job}/result").data.decode().splitlines()
    assert '"documents": ["de.docx", "de.summary.docx"]' in lines[0]
    # The worker took the document's outline (stored with the article), not the cleaner's guesses.
    article = json.loads(results.read("desk/strike.newsdesk.json"))["article"]
    assert (article["title"], article["blocks"][-3:], article["removed"]) == (
        "Harbour strike ends",
        [{"kind": "paragraph", "text": "Ships were diverted to Antwerp."},
         {"kind": "paragraph", "text": "Ships | 12"}, {"kind": "paragraph", "text": "Cranes | 40"}],
        [{"text": "Header: Harbour News", "reason": "outside"}, {"text": "Footer: Page footer", "reason": "outside"}])


def test_an_article_whose_copy_cannot_be_made_keeps_its_result_and_says_why(make_app, install, tmp_path):
    """A header sentence over the sentence limit stops the translated copy, not the article."""
    from tests.test_jobs import wait_until_done

    install("en_de")
    client = make_app(jobs_dir=tmp_path / "jobs", rate_limit=None, max_sentence_characters=200).test_client()
    document = docx.Document(io.BytesIO(word_article()))
    document.sections[0].header.paragraphs[0].text = "Harbour News " + "and more news " * 20
    data = io.BytesIO()
    document.save(data)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as batch:
        batch.writestr("strike.docx", data.getvalue())
    response = client.post("/api/v1/jobs", data={"file": (io.BytesIO(archive.getvalue()), "batch.zip"),
                                                 "target": ["de"]}, content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    report = wait_until_done(client, response.get_json()["id"])
    assert report["progress"] == {"done": 1, "failed": 0, "total": 1}, report
    line = json.loads(client.get(f"/api/v1/jobs/{report['id']}/result").data.decode().splitlines()[0])
    assert line["result"]["translations"]["de"]["title"] == "<de> Harbour strike ends"
    assert "documents" not in line
    assert line["documents_error"] == (
        "no translated documents: sentence 12 has 292 characters; the limit is 200 (NEWSDESK_MAX_SENTENCE_CHARACTERS): "
        "text this long without sentence punctuation is not prose, so split it into sentences or paragraphs, or raise "
        "the limit")


def test_a_copy_the_writer_cannot_make_fails_the_copy_not_the_article(make_app, install, tmp_path, monkeypatch,
                                                                       caplog):
    """What a document the rewriting did not foresee raised (the tracked-change crash of issue 32
    was lxml's "Undefined namespace prefix") is the copy's error, beside the article's result."""
    from lxml import etree

    from service.stages.office import word
    from tests.test_jobs import wait_until_done

    def unforeseen(stretch, split):
        raise etree.XPathEvalError("Undefined namespace prefix")

    monkeypatch.setattr(word, "_plan", unforeseen)
    install("en_de")
    client = make_app(jobs_dir=tmp_path / "jobs", rate_limit=None).test_client()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as batch:
        batch.writestr("strike.docx", word_article())
    response = client.post("/api/v1/jobs", data={"file": (io.BytesIO(archive.getvalue()), "batch.zip"),
                                                 "target": ["de"]}, content_type="multipart/form-data")
    report = wait_until_done(client, response.get_json()["id"])
    assert report["progress"] == {"done": 1, "failed": 0, "total": 1}, report
    line = json.loads(client.get(f"/api/v1/jobs/{report['id']}/result").data.decode().splitlines()[0])
    assert line["result"]["translations"]["de"]["title"] == "<de> Harbour strike ends"
    assert line["documents_error"] == (
        "no translated documents: strike.docx: its translated copy could not be written (XPathEvalError, in the "
        "service's log): the article's translation stands; download it as Markdown, text or HTML")
    assert "could not write the translated copy of strike.docx" in caplog.text  # with its traceback, for the operator
    refused = client.post("/translate_file", data={"source": "en", "target": "de",
                                                   "file": (io.BytesIO(word_article()), "strike.docx")},
                          content_type="multipart/form-data")
    assert refused.status_code == 400
    assert "its translated copy could not be written (XPathEvalError" in refused.get_json()["error"]


def test_a_pdf_whose_streams_inflate_a_thousandfold_is_refused_before_it_is_parsed():
    import zlib

    from service.errors import TooLarge

    bomb = zlib.compress(b" " * 20_000_000, 9)
    data = (b"%PDF-1.4\n1 0 obj << /Length " + str(len(bomb)).encode() + b" /Filter /FlateDecode >>\nstream\n" + bomb
            + b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    with pytest.raises(TooLarge) as refused:
        read_office("bomb.pdf", data, limits=Limits())
    assert str(refused.value) == (
        f"bomb.pdf unpacks to more than {100 * len(data):,} bytes of compressed content; a PDF this size may unpack "
        "to 100 times its own size (and NEWSDESK_MAX_DOCUMENT_UNPACKED_BYTES): it looks like a compression bomb; "
        "save it again as PDF, or paste the article's text")
    assert read_office("strike.pdf", pdf_article(), limits=Limits()).text.startswith("Harbour strike ends\n")


def test_documents_uploaded_on_the_batch_page_come_back_translated_in_its_zip(client):
    from tests import test_batch_page as page

    job = page.submitted(page.upload(client, [(word_article(), "strike.docx"), (pdf_article(), "release.pdf")],
                                     targets=("ar",)))
    report = page.wait_until_over(client, job)
    assert report["progress"] == {"done": 2, "failed": 0, "total": 2}, report
    results = zipfile.ZipFile(io.BytesIO(client.get(f"/batch/{job}/result.zip").data))
    assert sorted(results.namelist()) == ["job.json", "release.ar.md", "release.newsdesk.json", "strike.ar.docx",
                                          "strike.ar.md", "strike.ar.summary.docx", "strike.newsdesk.json"]
    copy = docx.Document(io.BytesIO(results.read("strike.ar.docx")))
    assert copy.paragraphs[0].text == "<ar> Harbour strike ends"
    assert all(paragraph._p.xpath("./w:pPr/w:bidi") for paragraph in copy.paragraphs)
