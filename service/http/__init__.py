"""The HTTP doors: the JSON API, the web page, LibreTranslate's routes and the batch-job routes.

Each door is a blueprint that reads request fields (``inputs``), calls the pipeline, and
renders; none imports another. ``error_responses`` is the one place errors become
responses, ``access`` checks keys and rate limits, ``hooks`` gives every request an id.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .. import machine
from ..config import Settings
from ..errors import ServiceError
from ..translation import packs
from . import (access, api, batch_page, docs, error_responses, glossary, hooks, inputs, jobs, libre, memory, metrics,
               terms_page, web)

log = logging.getLogger(__name__)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the newsdesk web app: settings from defaults -> NEWSDESK_* -> ``test_config``.

    Lower-case keys of ``test_config`` are newsdesk settings (see service/config.py);
    upper-case keys go to Flask's own config (TESTING, ...).
    """
    test_config = dict(test_config or {})
    flask_keys = {key: test_config.pop(key) for key in list(test_config) if key.isupper()}
    # gunicorn's workers share the cores: each loads its packs with its share of them.
    settings = Settings.load(overrides=test_config, workers=machine.gunicorn_workers(os.environ))

    app = Flask(__name__)
    # MAX_CONTENT_LENGTH: werkzeug refuses a larger body (413) before reading it.
    app.config.from_mapping(NEWSDESK=settings, MAX_CONTENT_LENGTH=settings.max_request_bytes, **flask_keys)
    app.json.sort_keys = False
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if settings.install_on_start:
        try:
            report = packs.prepare_packs(settings)
        except ServiceError as error:  # e.g. no manifest: serve the packs already installed
            log.error("could not prepare language packs: %s", error)
        else:
            app.config["NEWSDESK_STARTUP"] = report
            log.info(
                "language packs: %d installed now, %d missing, %d problems",
                len(report.installed), len(report.missing), len(report.failed),
            )
    inputs.init_body_limits(app)  # first: batch and document uploads may be larger than a request
    hooks.init_app(app)  # before the key check, so that a 401 or 403 carries its request id too
    access.init_app(app, settings, protected=[api.bp, jobs.bp, libre.bp, memory.bp, glossary.bp],
                    limited=[api.bp, jobs.bp, libre.bp, web.bp, memory.bp, batch_page.bp, terms_page.bp])
    for blueprint in (api.bp, jobs.bp, api.health, libre.bp, web.bp, memory.bp, glossary.bp, docs.bp,
                      batch_page.bp, metrics.bp, terms_page.bp):
        app.register_blueprint(blueprint)
    error_responses.register_error_handlers(app)
    return app
