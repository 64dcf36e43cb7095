"""newsdesk: clean, summarize and translate news articles offline.

``create_app`` is the Flask application factory (gunicorn: ``service:create_app()``).
Importing this package stays light: Flask, CTranslate2 and the packs load on use.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)


def create_app(test_config: Mapping[str, Any] | None = None) -> "Flask":
    """Create the newsdesk web app: settings from defaults -> NEWSDESK_* -> ``test_config``.

    Lower-case keys of ``test_config`` are newsdesk settings (see service/config.py);
    upper-case keys go to Flask's own config (TESTING, ...).
    """
    from flask import Flask

    from . import access, api, jobs_api, langpacks, libre, web
    from .config import Settings
    from .errors import ServiceError

    test_config = dict(test_config or {})
    flask_keys = {key: test_config.pop(key) for key in list(test_config) if key.isupper()}
    settings = Settings.load(overrides=test_config)

    app = Flask(__name__)
    # MAX_CONTENT_LENGTH: werkzeug refuses a larger body (413) before reading it.
    app.config.from_mapping(NEWSDESK=settings, MAX_CONTENT_LENGTH=settings.max_request_bytes, **flask_keys)
    app.json.sort_keys = False
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if settings.install_on_start:
        try:
            report = langpacks.prepare_packs(settings)
        except ServiceError as error:  # e.g. no manifest: serve the packs already installed
            log.error("could not prepare language packs: %s", error)
        else:
            app.config["NEWSDESK_STARTUP"] = report
            log.info(
                "language packs: %d installed now, %d missing, %d problems",
                len(report.installed), len(report.missing), len(report.failed),
            )
    jobs_api.init_app(app)  # first: it sets the body limit of batch requests
    access.init_app(app, settings, protected=[api.bp, jobs_api.bp, libre.bp],
                    limited=[api.bp, jobs_api.bp, libre.bp, web.bp])
    app.register_blueprint(api.bp)
    app.register_blueprint(jobs_api.bp)
    app.register_blueprint(api.health)
    app.register_blueprint(libre.bp)
    app.register_blueprint(web.bp)
    api.register_error_handlers(app)
    return app
