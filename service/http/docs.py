"""Serve the API's documentation page at /docs (Swagger UI, shipped with the app: no CDN)."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

# Swagger UI is vendored from the npm package swagger-ui-dist, not taken from PyPI's
# swagger-ui-bundle: that wheel's newest release (1.1.0) carries swagger-ui 4.15.5 from 2022,
# a major version behind, while swagger-ui-dist is the project's own build and current
# (5.35.0, 2026-11-13). Vendoring adds no dependency to requirements.lock. Only what the page
# loads is kept in static/docs/: swagger-ui-bundle.js, swagger-ui.css, LICENSE and NOTICE
# (Apache-2.0) and the bundle's third-party licences; not the standalone preset (its top bar
# brings an inline <style> the policy would refuse, and a URL box we do not want), nor the
# source maps. To update: `npm pack swagger-ui-dist@VERSION`, copy those files from package/,
# and change SWAGGER_UI_VERSION (the assets' cache-busting query; a test checks it matches).
SWAGGER_UI_VERSION = "5.35.0"

bp = Blueprint("docs", __name__)


@bp.get("/docs")
def page():
    """The API described by its OpenAPI document, in Swagger UI."""
    return render_template("docs.html", openapi_url=url_for("api.openapi"), version=SWAGGER_UI_VERSION)
