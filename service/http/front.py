"""Serve the Flask app so that slow clients cost a coroutine, not a thread.

gunicorn's gthread worker hands a connection to a thread, which then reads the request body
itself: four clients sending a body at 1 byte/s held all four threads of the Procfile's two
workers, and `/health` waited for them. ``BufferingWorker`` is gunicorn's own asyncio worker
(``gunicorn.workers.gasgi``) with the Flask app behind ``BufferedWSGI``: the event loop reads
each request body whole (spooled to disk past ``SPOOL_BYTES``), refusing it with 413 once it
is over the route's limit, and only then runs the app in one of ``threads`` threads. The
response is written to a spool by that thread and sent by the event loop, so a client that
reads slowly does not hold a thread either.

The Flask app stays a WSGI app (``service:create_app()``, for any WSGI server); only the
Procfile's worker class changes (service/http/gunicorn_conf.py).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from gunicorn.workers.gasgi import ASGIWorker

from ..config import Settings
from .error_responses import body_too_large

SPOOL_BYTES = 1_000_000  # request and response bodies past this wait on disk, not in memory
SEND_BYTES = 256 * 1024  # response bodies go out in pieces of this size
# The routes that take an uploaded article, which may be a document (Settings.upload_bytes).
UPLOAD_PATHS = ("/", "/runs", "/translate_file")


class BufferedWSGI:
    """An ASGI app that runs a WSGI app on whole requests, in a pool of ``threads`` threads."""

    def __init__(self, wsgi_app: Callable, *, settings: Settings, threads: int):
        self.wsgi_app = wsgi_app
        self.settings = settings
        self.executor = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="newsdesk-request")

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            await _answer_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets here; gunicorn closes the connection
        limit, setting = self.body_limit(scope["path"])
        declared = _header(scope, b"content-length")
        if limit is not None and declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, limit=limit, setting=setting, length=int(declared))
            return
        body = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        try:
            outcome = await _read_body(receive, body, limit)
            if outcome == GONE:
                return  # the client left before sending it all: nothing to run, nobody to answer
            if outcome == TOO_LARGE:
                await self._refuse(scope, send, limit=limit, setting=setting, length=body.tell())
                return
            await self._answer(scope, send, body)
        finally:
            body.close()

    async def _answer(self, scope: dict, send: Callable, body, length: int | None = None) -> None:
        loop = asyncio.get_running_loop()
        status, headers, output = await loop.run_in_executor(self.executor, self._run, scope, body, length)
        try:
            await _send_spooled(send, status, headers, output)
        finally:
            output.close()

    async def _refuse(self, scope: dict, send: Callable, *, limit: int, setting: str, length: int) -> None:
        """413 for a body over its route's limit, in JSON; but the web page's form (POST /) comes
        back drawn with the reason, by the app, which is given no body and the length that was too much."""
        if scope["path"] != "/":
            await _send_json(send, 413, body_too_large(limit=limit, setting=setting))
            return
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as nothing:
            await self._answer(scope, send, nothing, length)

    def body_limit(self, path: str) -> tuple[int | None, str]:
        """The largest body a route accepts, and the setting that says so (as the app itself checks it)."""
        if path.startswith("/api/v1/jobs") or path == "/batch":  # the batch page takes a job's files too
            return self.settings.max_job_bytes, "NEWSDESK_MAX_JOB_BYTES"
        if path in UPLOAD_PATHS:  # an uploaded .docx, .odt or .pdf may be larger than a request
            return self.settings.upload_bytes, self.settings.upload_setting
        return self.settings.max_request_bytes, "NEWSDESK_MAX_REQUEST_BYTES"

    def _run(self, scope: dict, body, length: int | None = None) -> tuple[int, list[tuple[bytes, bytes]], Any]:
        """Call the WSGI app on the whole request (in a pool thread); spool its response.
        ``length``: the body's length to declare, when not the length of ``body`` (_refuse)."""
        length = body.tell() if length is None else length
        body.seek(0)
        started: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
            if exc_info and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started.update(status=int(status.split(" ", 1)[0]), headers=headers)
            return output.write

        output = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        result = self.wsgi_app(_environ(scope, body, length), start_response)
        try:
            for chunk in result:
                output.write(chunk)
        finally:
            if hasattr(result, "close"):
                result.close()  # after the body is produced: Flask's call_on_close hooks run here
        headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in started["headers"]]
        return started["status"], headers, output


class BufferingWorker(ASGIWorker):
    """gunicorn's asyncio worker serving the loaded Flask app through BufferedWSGI."""

    @classmethod
    def check_config(cls, cfg, log):
        pass  # the ASGI worker warns that it ignores `threads`; this one sizes its pool by it

    def load_wsgi(self):
        super().load_wsgi()
        self.wsgi = flask_app = self.asgi  # where gunicorn's other workers keep the app, and our hooks look
        self.asgi = BufferedWSGI(flask_app, settings=flask_app.config["NEWSDESK"], threads=self.cfg.threads)


WHOLE, TOO_LARGE, GONE = "whole", "too large", "gone"  # how reading a request body ended


async def _read_body(receive: Callable, body, limit: int | None) -> str:
    """Read the whole request body into ``body``; stop as soon as it passes ``limit``."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return GONE
        body.write(message.get("body", b""))
        if limit is not None and body.tell() > limit:
            return TOO_LARGE
        if not message.get("more_body"):
            return WHOLE


def _environ(scope: dict, body, length: int) -> dict[str, Any]:
    """The WSGI environ of an ASGI request (PEP 3333: paths and headers as latin-1 strings)."""
    server_name, server_port = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    root_path = scope.get("root_path", "")
    path = raw_path.split(b"?", 1)[0].decode("latin-1")
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": root_path,
        "PATH_INFO": _unquote_path(path)[len(root_path):],
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server_name),
        "SERVER_PORT": str(server_port),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "CONTENT_LENGTH": str(length),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in scope["headers"]:
        key = name.decode("latin-1").upper().replace("-", "_")
        if key in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
            continue  # the body is whole now: its length is what was read
        if key != "CONTENT_TYPE":
            key = "HTTP_" + key
        text = value.decode("latin-1")
        environ[key] = f"{environ[key]},{text}" if key in environ else text
    return environ


def _unquote_path(path: str) -> str:
    """Percent-decoded path bytes, as latin-1 (what WSGI servers put in PATH_INFO)."""
    from urllib.parse import unquote_to_bytes

    return unquote_to_bytes(path).decode("latin-1")


def _header(scope: dict, name: bytes) -> str | None:
    return next((value.decode("latin-1") for key, value in scope["headers"] if key.lower() == name), None)


async def _send_json(send: Callable, status: int, message: str) -> None:
    payload = json.dumps({"error": message}).encode("utf-8")
    # Refused before Flask saw it, so this answer carries the headers service/http/hooks.py gives the others.
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
               (b"x-request-id", uuid.uuid4().hex.encode()), (b"x-content-type-options", b"nosniff")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _send_spooled(send: Callable, status: int, headers: list, output) -> None:
    output.seek(0)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    while True:
        piece = output.read(SEND_BYTES)
        more = len(piece) == SEND_BYTES
        await send({"type": "http.response.body", "body": piece, "more_body": more})
        if not more:
            return


async def _answer_lifespan(receive: Callable, send: Callable) -> None:
    """Nothing to start or stop per worker here (gunicorn's hooks do that): say so."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return

