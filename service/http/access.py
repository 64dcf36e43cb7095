"""Decide who may use the service and how often: API keys, web sign-ins and rate limits.

All three are set up by ``init_app`` from the settings. Keys (off by default, for a private
network) come in the ``X-API-Key`` header, as ``Authorization: Bearer <key>``, or, for
LibreTranslate clients, in the ``api_key`` field. The web form asks once and signs the
browser in with a server-side session: its signed cookie carries only a random token whose
hash the keys database keeps, so signing out (or removing the key) ends it everywhere.
Rate limits are Flask-Limiter's, counted per authenticated key, else per client address,
in the job queue's Redis so that every worker counts against one limit.
"""

from __future__ import annotations

import logging

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, request, session
from flask.sessions import NullSession, SecureCookieSessionInterface

from .. import keys, stores
from ..config import Settings
from ..errors import InvalidSetting, KeyRejected, KeyRequired, QueueUnavailable, RoleTooLow, ServiceError
from . import inputs

log = logging.getLogger(__name__)

SESSION_TOKEN = "web_session"
HOW_TO_GET_ONE = "ask the service's administrator for one (`newsdesk keys add NAME`)"


def init_app(app: Flask, settings: Settings, protected: list[Blueprint], limited: list[Blueprint]) -> None:
    """Require keys on ``protected`` blueprints (when on) and rate-limit POSTs to ``limited`` ones."""
    # Kept (a file, or the shared Redis), not made at each start: every worker, every node and the
    # next start sign alike. From Redis at the first request, so that a node starts while it is away.
    if settings.secret_key or not settings.redis_url:
        app.secret_key = settings.secret_key or keys.load_or_create_secret(settings)
    else:
        app.session_interface = _KeptSecretSessions(settings)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=settings.secure_cookies)
    # App-level, not blueprint-level: blueprints are shared by every app the process makes.
    protected_names = {blueprint.name for blueprint in protected}

    @app.before_request
    def require_key() -> None:
        if request.blueprint in protected_names:
            _require_key()

    if settings.rate_limit is not None:
        _limit(app, settings, limited)


class _KeptSecretSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing secret fetched from the shared Redis when
    first needed (keys.load_or_create_secret). While that Redis does not answer, a request that
    reads the session finds it empty and one that writes it gets the 503 naming the Redis: Flask
    opens the session before any handler runs, where the error would be a bare 500."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def open_session(self, app: Flask, request):
        if not app.secret_key:
            try:
                app.secret_key = keys.load_or_create_secret(self.settings)
            except QueueUnavailable as error:
                return _SessionUnavailable(error)
        return super().open_session(app, request)


class _SessionUnavailable(NullSession):
    """An empty session whose changes raise why there is no session (the shared Redis's error)."""

    def __init__(self, error: QueueUnavailable):
        super().__init__()
        self.error = error

    def _fail(self, *args, **kwargs):
        raise self.error

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail


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
    # rather than failing every request. Registered after require_key, so g.api_key is set.
    limiter = Limiter(_caller, app=app, storage_uri=_storage_uri(settings), headers_enabled=True,
                      strategy="moving-window", in_memory_fallback_enabled=True)
    for blueprint in limited:
        limiter.limit(settings.rate_limit, methods=["POST"])(blueprint)


def _storage_uri(settings: Settings) -> str:
    """Where counters live: the setting, else the job queue's Redis, shared by every worker."""
    if settings.rate_limit_storage:
        return settings.rate_limit_storage
    from ..stores import redis_server

    try:
        url = redis_server.url_of(settings)
    except ServiceError as error:  # no redis-server here: serve anyway, as batch jobs do (they answer 503)
        log.error("rate limits are counted per worker (memory://): %s", error)
        return "memory://"
    # The embedded Redis is a unix://PATH URL, which limits spells redis+unix://PATH.
    return "redis+" + url if url.startswith("unix://") else url


def _caller() -> str:
    """Who a rate limit counts against: the key the request was let in with, else the client address.

    A key that was only presented never counts: with keys off nothing checks it, so a new
    made-up key on every request would otherwise get a fresh allowance every time.
    """
    settings = current_app.config["NEWSDESK"]
    record = g.get("api_key") or (web_key(settings) if settings.api_keys else None)
    return "key:" + record.id if record else "address:" + (request.remote_addr or "unknown")


def presented_key() -> str | None:
    header = request.headers.get("X-API-Key", "").strip()
    if header:
        return header
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if request.blueprint == "libretranslate":  # as LibreTranslate: a JSON body's, else the query string's or form's
        return inputs.libretranslate_key(request, current_app.config["NEWSDESK"])
    if request.is_json:
        body = inputs.json_body(request)
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


def changed_by() -> str:
    """Whom a change this request makes to the glossary or the memory is recorded under: its key's
    name, or stores.NO_KEY with keys off."""
    settings = current_app.config["NEWSDESK"]
    record = g.get("api_key") or (web_key(settings) if settings.api_keys else None)
    return record.name if record else stores.NO_KEY


def require_role(role: str) -> None:
    """Refuse (RoleTooLow) a caller whose key lacks ``role``; with keys off everyone is the one trusted newsroom."""
    settings = current_app.config["NEWSDESK"]
    if not settings.api_keys:
        return
    record = g.get("api_key") or web_key(settings)
    if record is None:
        raise KeyRequired(f"this needs an API key with the role '{role}': send it in the X-API-Key header; "
                          f"{HOW_TO_GET_ONE}")
    if not record.may(role):
        raise RoleTooLow(f"the key {record.name!r} has the role '{record.role}', and this needs '{role}': "
                         f"ask the service's administrator (`newsdesk keys role {record.name} {role}`)")


def check(settings: Settings, key_hash: str) -> keys.ApiKey:
    """The key with this hash, or KeyRejected."""
    record = keys.find_key(settings, key_hash)
    if record is None:
        raise KeyRejected(f"the API key sent is not valid (unknown or removed): check it, or {HOW_TO_GET_ONE}")
    return record


def web_key(settings: Settings) -> keys.ApiKey | None:
    """The key this browser signed in with, while its session lasts and the key exists."""
    token = session.get(SESSION_TOKEN)
    if not token:
        return None
    record = keys.find_session(settings, token)
    if record is None:
        session.pop(SESSION_TOKEN, None)
    return record


def remember_web_key(settings: Settings, key: str) -> keys.ApiKey:
    """Sign this browser in with ``key`` (KeyRejected when it is not valid)."""
    key_hash = keys.hash_key(key.strip())
    record = check(settings, key_hash)
    session[SESSION_TOKEN] = keys.start_session(settings, key_hash=key_hash)
    return record


def forget_web_key(settings: Settings) -> None:
    """Sign this browser out: the session ends on the server, so a copied cookie stops working too."""
    token = session.pop(SESSION_TOKEN, None)
    if token:
        keys.end_session(settings, token)


# The API's self-description stays readable without a key, so clients can be built.
# LibreTranslate's page reads its settings and the document before any key is given, and a
# translated file's address (a random id) is handed to whoever should download it (issue 20).
EXEMPT_ENDPOINTS = {"api.openapi", "libretranslate.frontend_settings", "libretranslate.spec",
                    "libretranslate.download_file"}


def cross_site_sender() -> str | None:
    """The origin of the page that sent this POST when it is another site's (CSRF), else None.

    Browsers send Origin with every cross-site POST ("null" from sandboxed or file pages), so
    a POST with neither Origin nor Referer is not a browser's cross-site request but a script
    or curl: it carries no victim's cookie to abuse, and could send any header it liked anyway.
    """
    if request.method != "POST":
        return None
    if "Origin" in request.headers:
        sender = request.headers["Origin"]
    else:
        referer = urlsplit(request.headers.get("Referer", ""))
        sender = f"{referer.scheme}://{referer.netloc}" if referer.netloc else None
    return None if sender is None or sender.lower() == own_origin().lower() else sender


def own_origin() -> str:
    return f"{request.scheme}://{request.host}"


def cross_site_message(sender: str) -> str:
    """What a refused cross-site form says, and how to send it properly."""
    own = own_origin()
    return (f"This form was sent from another page ({sender}), not from {own}, so it was refused: open {own}/ "
            "and send it from there. (Behind a proxy, pass the browser's Host header and X-Forwarded-Proto on "
            "to newsdesk.)")
