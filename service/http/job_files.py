"""What both batch doors (/api/v1/jobs and the /batch page) share: a batch read from a request,
the check that it can be translated here, queue calls, and the results as a .zip.

Moved unchanged out of service/http/jobs.py (issue 17) so that the page need not import
that door; only the names lost their leading underscore.
"""

from __future__ import annotations

import base64
import itertools
import json
import posixpath
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO

import redis
from flask import request

from .. import outcome, render, translation
from ..batch import jobs, queue, workers
from ..stores import redis_server
from ..errors import InvalidInput, LanguagePackMissing
from ..pipeline import check_packs
from ..stages.archives import read_archive
from ..stages.documents import Document, read_page
from ..stages.office import Limits
from . import inputs


def _connection():
    return redis_server.connect(inputs.current_settings())


def call_queue(operation):
    """Run a queue operation; Redis not answering is a 503 that says what to check."""
    try:
        return operation(_connection())
    except redis.exceptions.OutOfMemoryError:
        raise jobs.queue_full(inputs.current_settings()) from None
    except redis.RedisError as error:
        raise queue.queue_unavailable(inputs.current_settings(), error) from None


def started_records(records: Iterator[dict]) -> Iterator[dict]:
    """The records, with the job's checks (404, 409) done now rather than mid-response."""
    first = next(records, None)
    return itertools.chain([first] if first is not None else [], records)


def results_archive(records: Iterable[dict], report: dict, files: str) -> IO[bytes]:
    """A .zip like `newsdesk process` writes: NAME.<lang>.<ext> per target (and, for a .docx/.odt,
    NAME.<lang>.docx and NAME.<lang>.summary.docx) and NAME.newsdesk.json per article, in the
    folders the articles came from, and job.json (status and errors).
    Past 64 MB it is written to a temporary file rather than kept in memory."""
    buffer = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)
    targets = report["options"]["targets"]
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("job.json", json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        for record in records:
            if record["status"] != "done":
                continue
            stem = _unique_stem(record["name"], record["index"], used)
            result = outcome.from_dict(record["result"], record["paragraph_index"])
            for language in targets:
                archive.writestr(f"{stem}.{language}.{render.FORMATS[files]}", render.RENDERERS[files](result, language))
            for suffix, content in record.get("documents", {}).items():  # translated .docx/.odt and summaries
                archive.writestr(f"{stem}.{suffix}", base64.b64decode(content))
            archive.writestr(f"{stem}.newsdesk.json", render.to_json(result))
    buffer.seek(0)
    return buffer


def _unique_stem(name: str, index: int, used: set[str]) -> str:
    """The article's path without its suffix, made safe to unpack, and unique in the archive."""
    path = posixpath.normpath(name.replace("\\", "/")).lstrip("/")
    if path.startswith("..") or path in ("", "."):
        path = posixpath.basename(path) or f"article-{index + 1}"
    stem = posixpath.splitext(path)[0] or f"article-{index + 1}"
    if stem in used:
        stem = f"{stem}-{index + 1}"
    used.add(stem)
    return stem


def batch_articles(fields: dict, settings) -> list[jobs.ArticleInput]:
    """The batch's articles: an uploaded .zip or .jsonl, else the JSON "articles" list."""
    upload = inputs.uploaded_file(request, settings)
    if upload is not None:
        data = upload.read()
        name = (upload.filename or "").lower()
        if name.endswith(".zip"):
            return [checked_article(jobs.ArticleInput(path, text=document.text, error=error, left_out=document.left_out,
                                                      main_content=document.main_content,
                                                      outline=document.outline, original=document.original),
                                    settings)
                    for path, document, error in read_archive(data, max_bytes=settings.max_job_bytes,
                                                              max_article_bytes=settings.max_request_bytes,
                                                              limits=Limits.of(settings))]
        if name.endswith(".jsonl"):
            return _jsonl_articles(data, settings)
        raise InvalidInput(f"{upload.filename}: a batch is a .zip of article files or a .jsonl file "
                           "(one JSON article per line)")
    items = fields.get("articles")
    if items is None:
        raise InvalidInput('field \'articles\' is missing: send {"articles": [{"id": "a1", "text": "..."}, ...], '
                           '"targets": ["de"]}, or upload a .zip or .jsonl file')
    if not isinstance(items, list):
        raise InvalidInput("field 'articles' must be a list of articles (strings, or objects with \"text\")")
    return [_item(item, f"article {index + 1}", index, settings) for index, item in enumerate(items)]


def _jsonl_articles(data: bytes, settings) -> list[jobs.ArticleInput]:
    from ..stages.documents import decode_text

    articles = []
    for number, line in enumerate(decode_text(data, "the .jsonl file").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            raise InvalidInput(f"line {number} of the .jsonl file is not JSON: write one article per line, "
                               'such as {"id": "a1", "text": "..."}') from None
        articles.append(_item(item, f"line {number}", len(articles), settings))
    return articles


def _item(item, where: str, index: int, settings) -> jobs.ArticleInput:
    """One article of a JSON list or .jsonl line: a string, or {"text", "id"?, "format"?}."""
    if isinstance(item, str):
        item = {"text": item}
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise InvalidInput(f"{where}: an article is a string, or an object with a \"text\" string "
                           '(and optionally "id" and "format": "text" or "html")')
    name = item.get("id", item.get("name", f"article-{index + 1}"))
    if not isinstance(name, (str, int)) or isinstance(name, bool):
        raise InvalidInput(f"{where}: \"id\" must be a string or a number")
    text_format = item.get("format", "text")
    if text_format not in inputs.FORMATS:
        raise InvalidInput(f"{where}: \"format\" must be one of: {', '.join(inputs.FORMATS)}")
    inputs.check_encodable(f"{where} text", item["text"])
    try:
        document = read_page(item["text"]) if text_format == "html" else Document(item["text"])
    except InvalidInput as error:
        return jobs.ArticleInput(str(name), "", str(error))
    return checked_article(jobs.ArticleInput(str(name), document.text, left_out=document.left_out,
                                             main_content=document.main_content), settings)


def checked_article(article: jobs.ArticleInput, settings) -> jobs.ArticleInput:
    """An article over the per-article character limit fails on its own, not the batch."""
    limit = settings.max_characters
    if not article.error and limit is not None and len(article.text) > limit:
        return jobs.ArticleInput(article.name, "", f"{article.name}: it has {len(article.text):,} characters; the "
                                 f"limit is {limit:,} (NEWSDESK_MAX_CHARACTERS): split it or raise the limit")
    return article


def check_packs_here(options: jobs.JobOptions, settings) -> None:
    """Refuse a batch that cannot be translated, before queueing it.

    With the embedded default this node's packs are the workers'. A stateless web node
    in front of `newsdesk worker`s elsewhere checks only if it has packs of its own.
    """
    pairs = translation.installed_pairs(settings)
    if settings.redis_url and not pairs:
        return
    if options.source != "auto":
        check_packs(options.source, options.targets, settings)
        return
    unreachable = [target for target in options.targets if not any(b == target for _, b in pairs)]
    if unreachable:
        names = " and ".join(f"translate-en_{target}-*.argosmodel" for target in unreachable)
        raise LanguagePackMissing(
            f"no installed language pack translates into {', '.join(unreachable)}: put the packs (for English "
            f"articles, {names}) in {settings.langpacks_dir}/ and run `newsdesk langpacks install`, or drop those "
            "targets", tuple(f"*->{target}" for target in unreachable))


def start_a_worker_here() -> None:
    """With the embedded default, this process runs jobs too (a before_request of both job doors)."""
    settings = inputs.current_settings()
    try:
        workers.start_in_process_worker(settings)
    except redis.RedisError as error:
        raise queue.queue_unavailable(settings, error) from None
