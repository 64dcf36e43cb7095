"""What every request gets, whichever blueprint serves it: a request id, and memory given back when idle."""

from __future__ import annotations

import re
import uuid

from flask import Flask, g, request

from .. import translation

_REQUEST_ID = re.compile(r"^[\w.-]{1,64}$")


def init_app(app: Flask) -> None:
    """Give every response an X-Request-Id (the caller's, when it is a sane one) and release
    freed translation memory once a worker has no POST in flight (see IdleMemoryRelease)."""
    memory = translation.IdleMemoryRelease()

    @app.before_request
    def assign_request_id():
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        if request.method == "POST":
            memory.enter()
            g.counted_in_flight = True

    @app.after_request
    def send_request_id(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if g.get("counted_in_flight"):
            # Once the body is sent, so no client waits for it.
            response.call_on_close(memory.leave)
        return response
