"""What every request gets, whichever blueprint serves it: a request id, the browser's security
headers, and memory given back when idle."""

from __future__ import annotations

import re
import time
import uuid

from flask import Flask, g, request

from .. import metrics, translation

_REQUEST_ID = re.compile(r"^[\w.-]{1,64}$")
# The page loads only its own desk.css and desk.js, so nothing else may run or be styled,
# even text that slipped through escaping; nobody may frame it (clickjacking).
# Referrer-Policy same-origin, not no-referrer: under no-referrer a browser sends
# "Origin: null" with the page's own form posts, which the web form's CSRF check refuses.
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Give every response an X-Request-Id (the caller's, when it is a sane one) and the security
    headers, and release freed translation memory once a worker has no POST in flight (see IdleMemoryRelease)."""
    memory = translation.IdleMemoryRelease()

    @app.before_request
    def assign_request_id():
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g.started = time.perf_counter()
        if request.method == "POST":
            memory.enter()
            g.counted_in_flight = True

    @app.after_request
    def add_response_headers(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if "started" in g:  # routes by their rule, so that ids in paths make no new series
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            metrics.count_request(route=route, method=request.method, status=response.status_code,
                                  seconds=time.perf_counter() - g.started)
        response.headers.update(SECURITY_HEADERS)
        if g.get("counted_in_flight"):
            # Once the body is sent, so no client waits for it.
            response.call_on_close(memory.leave)
        return response
