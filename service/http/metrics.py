"""Serve GET /metrics: Prometheus' text format, when NEWSDESK_METRICS is on (service/metrics.py).

Off by default, like LibreTranslate's --metrics; with NEWSDESK_METRICS_TOKEN set it wants
``Authorization: Bearer TOKEN``, like --metrics-auth-token. API keys do not apply: a
scraper has the token, not a newsroom's key.
"""

from __future__ import annotations

import hmac

import redis
from flask import Blueprint, Response, jsonify, request

from .. import machine, metrics, translation
from ..batch import jobs
from ..stores import redis_server
from ..errors import ServiceError
from . import inputs

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def scrape():
    settings = inputs.current_settings()
    if not settings.metrics:
        return jsonify(error="metrics are off on this server: start it with NEWSDESK_METRICS=1 to serve them"), 404
    if settings.metrics_token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(sent.encode(), settings.metrics_token.encode()):
            return jsonify(error="this server's metrics need its token: send Authorization: Bearer "
                                 "NEWSDESK_METRICS_TOKEN"), 401
    try:
        depth = jobs.queue_depth(redis_server.connect(settings))
    except (redis.RedisError, ServiceError):
        depth = None  # no job queue to count: the gauge keeps its last value
    metrics.note_worker(loaded_packs=len(translation.loaded_pairs()), queue_depth=depth)
    metrics.note_cores(usable=machine.read_cores().usable, lanes=settings.inter_threads,
                       intra_threads=settings.intra_threads)
    return Response(metrics.exposition(), mimetype=metrics.CONTENT_TYPE)
