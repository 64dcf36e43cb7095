"""Decide who may use the service and how often: API keys and rate limits.

Both are set up by ``init_app`` from the settings. Keys (off by default, for a private
network) come in the ``X-API-Key`` header, as ``Authorization: Bearer <key>``, or, for
LibreTranslate clients, in the ``api_key`` field; the web form asks once and keeps the
key's hash in Flask's signed session cookie. Rate limits are Flask-Limiter's, counted
per key (or per client address when the request has none), in memory or in Redis.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Flask, current_app, g, request, session

from .. import keys
from ..config import Settings
from ..errors import InvalidSetting, KeyRejected, KeyRequired

SESSION_KEY = "api_key_hash"
HOW_TO_GET_ONE = "ask the service's administrator for one (`newsdesk keys add NAME`)"


def init_app(app: Flask, settings: Settings, protected: list[Blueprint], limited: list[Blueprint]) -> None:
    """Require keys on ``protected`` blueprints (when on) and rate-limit POSTs to ``limited`` ones."""
    # The session cookie only carries the web form's key hash; a random secret made in
    # the gunicorn master (preload_app) is shared by its workers.
    app.secret_key = settings.secret_key or secrets.token_hex(32)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    # App-level, not blueprint-level: blueprints are shared by every app the process makes.
    protected_names = {blueprint.name for blueprint in protected}

    @app.before_request
    def require_key() -> None:
        if request.blueprint in protected_names:
            _require_key()

    if settings.rate_limit is not None:
        _limit(app, settings, limited)


def _limit(app: Flask, settings: Settings, limited: list[Blueprint]) -> None:
    from flask_limiter import Limiter
    from limits import parse_many

    try:
        parse_many(settings.rate_limit)
    except ValueError:
        raise InvalidSetting(
            f"NEWSDESK_RATE_LIMIT={settings.rate_limit!r} is not a rate limit: write it like "
            "'120/minute' or '60/minute;1000/hour', or none for no limit"
        ) from None
    # If Redis goes away the service keeps serving, counting in memory until it is back,
    # rather than failing every request.
    limiter = Limiter(_caller, app=app, storage_uri=settings.rate_limit_storage, headers_enabled=True,
                      strategy="moving-window", in_memory_fallback_enabled=True)
    for blueprint in limited:
        limiter.limit(settings.rate_limit, methods=["POST"])(blueprint)


def _caller() -> str:
    """Who a rate limit counts against: the key presented, else the client address."""
    presented = presented_key()
    if presented:
        return "key:" + keys.hash_key(presented)
    if session.get(SESSION_KEY):
        return "key:" + session[SESSION_KEY]
    return "address:" + (request.remote_addr or "unknown")


def presented_key() -> str | None:
    header = request.headers.get("X-API-Key", "").strip()
    if header:
        return header
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if request.is_json:
        body = request.get_json(silent=True)
        value = body.get("api_key") if isinstance(body, dict) else None
    else:
        value = request.form.get("api_key")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _require_key() -> None:
    settings = current_app.config["NEWSDESK"]
    if not settings.api_keys or request.endpoint in EXEMPT_ENDPOINTS:
        return
    presented = presented_key()
    if presented is None:
        raise KeyRequired(f"this service needs an API key: send it in the X-API-Key header; {HOW_TO_GET_ONE}")
    g.api_key = check(settings, keys.hash_key(presented))


def check(settings: Settings, key_hash: str) -> keys.ApiKey:
    """The key with this hash, or KeyRejected."""
    record = keys.find_key(settings.keys_db, key_hash)
    if record is None:
        raise KeyRejected(f"the API key sent is not valid (unknown or removed): check it, or {HOW_TO_GET_ONE}")
    return record


def web_key(settings: Settings) -> keys.ApiKey | None:
    """The web form's key from the session cookie, if keys are on and it is still valid."""
    key_hash = session.get(SESSION_KEY)
    if not key_hash:
        return None
    record = keys.find_key(settings.keys_db, key_hash)
    if record is None:
        session.pop(SESSION_KEY, None)
    return record


def remember_web_key(settings: Settings, key: str) -> keys.ApiKey:
    record = check(settings, keys.hash_key(key.strip()))
    session[SESSION_KEY] = keys.hash_key(key.strip())
    return record


def forget_web_key() -> None:
    session.pop(SESSION_KEY, None)


# The API's self-description stays readable without a key, so clients can be built.
EXEMPT_ENDPOINTS = {"api.openapi"}
