"""Issue 15: what every response tells the browser, CSRF on the form, the session cookie's flags,
and request ids on refusals."""

from __future__ import annotations

import re

import pytest

from service import keys
from tests.stored import keys_at

ARTICLE = "Dock workers ended their strike on Tuesday. Ships are moving again."
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
       "base-uri 'none'; form-action 'self'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                    "Referrer-Policy": "same-origin"}
ERROR_BOX = '<div class="error" role="alert" id="error" tabindex="-1"><strong>Could not process the article.</strong> '


@pytest.fixture
def app(make_app, install):
    install("en_de")
    return make_app()


@pytest.fixture
def keyed(make_app, install, tmp_path):
    install("en_de")
    keys_db = tmp_path / "keys.sqlite3"
    _, key = keys.add_key(keys_at(keys_db), "desk")
    return make_app(api_keys=True, keys_db=keys_db, rate_limit=None), key


def refused_from(sender: str) -> str:
    return (f"This form was sent from another page ({sender}), not from http://localhost, so it was refused: open "
            "http://localhost/ and send it from there. (Behind a proxy, pass the browser&#39;s Host header and "
            "X-Forwarded-Proto on to newsdesk.)")


# --- headers on every response ------------------------------------------------------------

@pytest.mark.parametrize("method, path, status", [
    ("GET", "/", 200),
    ("POST", "/", 200),
    ("GET", "/static/desk.js", 200),
    ("GET", "/health", 200),
    ("POST", "/api/v1/summarize", 200),
    ("GET", "/nowhere", 404),
    ("DELETE", "/api/v1/summarize", 405),
], ids=["page", "result-page", "static", "health", "api", "not-found", "not-allowed"])
def test_every_response_carries_the_security_headers(client, method, path, status):
    body = {"json": {"text": ARTICLE}} if path.startswith("/api") else {"data": {"text": ARTICLE, "target": ["de"]}}
    response = client.open(path, method=method, **(body if method == "POST" else {}))
    assert response.status_code == status
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert response.headers["X-Request-Id"]


@pytest.mark.parametrize("data", [None, {"text": ARTICLE, "target": ["de"]}, {"text": " ", "target": ["de"]}],
                         ids=["empty-form", "result", "error"])
def test_the_page_has_no_inline_script_or_style_for_the_policy_to_block(client, data):
    page = client.post("/", data=data).get_data(as_text=True) if data else client.get("/").get_data(as_text=True)
    assert re.findall(r"<script\b[^>]*>", page) == ['<script src="/static/desk.js" defer>']
    assert re.findall(r"<style\b|\sstyle=|\son[a-z]+=|javascript:", page) == []


# --- CSRF on form posts ---------------------------------------------------------------------

@pytest.mark.parametrize("headers, sender", [
    ({"Origin": "https://evil.example"}, "https://evil.example"),
    ({"Origin": "null"}, "null"),
    ({"Origin": "https://localhost"}, "https://localhost"),  # same host, other scheme: another origin
    ({"Referer": "http://evil.example/page.html"}, "http://evil.example"),
    ({"Origin": "http://evil.example", "Referer": "http://localhost/"}, "http://evil.example"),  # Origin wins
], ids=["other-site", "null", "other-scheme", "referer-only", "origin-over-referer"])
def test_a_form_post_from_another_page_is_refused_inline(client, headers, sender):
    response = client.post("/", data={"text": ARTICLE, "target": ["de"]}, headers=headers)
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert ERROR_BOX + refused_from(sender) + "</div>" in page
    assert 'id="result"' not in page and ARTICLE not in page  # not processed, and not shown back


@pytest.mark.parametrize("headers", [
    {"Origin": "http://localhost"},
    {"Origin": "HTTP://LOCALHOST"},
    {"Referer": "http://localhost/?from=bookmark"},
    {},
], ids=["same-origin", "same-origin-upper-case", "same-origin-referer", "neither-header"])
def test_a_form_post_from_this_site_or_from_a_script_is_processed(client, headers):
    response = client.post("/", data={"text": ARTICLE, "target": ["de"]}, headers=headers)
    assert response.status_code == 200
    assert 'id="result"' in response.get_data(as_text=True)


def test_forget_key_from_another_page_is_refused_and_keeps_the_sign_in(keyed):
    app, key = keyed
    browser = app.test_client()
    assert browser.post("/", data={"text": ARTICLE, "target": ["de"], "api_key": key}).status_code == 200
    forged = browser.post("/key/forget", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    assert refused_from("https://evil.example") in forged.get_data(as_text=True)
    assert "Signed in with key desk." in browser.get("/").get_data(as_text=True)
    assert browser.post("/key/forget", headers={"Origin": "http://localhost"}).status_code == 303
    assert 'name="api_key"' in browser.get("/").get_data(as_text=True)


# --- the session cookie -----------------------------------------------------------------------

@pytest.mark.parametrize("secure_cookies, flags", [
    (False, ["HttpOnly", "Path=/", "SameSite=Lax"]),
    (True, ["HttpOnly", "Path=/", "SameSite=Lax", "Secure"]),
], ids=["http", "behind-tls"])
def test_the_session_cookie_is_httponly_lax_and_secure_when_asked(make_app, install, tmp_path, secure_cookies, flags):
    install("en_de")
    keys_db = tmp_path / "keys.sqlite3"
    _, key = keys.add_key(keys_at(keys_db), "desk")
    app = make_app(api_keys=True, keys_db=keys_db, rate_limit=None, secure_cookies=secure_cookies)
    response = app.test_client().post("/", data={"text": ARTICLE, "target": ["de"], "api_key": key})
    [cookie] = response.headers.getlist("Set-Cookie")
    name_value, *attributes = cookie.split("; ")
    assert name_value.startswith("session=")
    assert sorted(attributes) == flags


# --- request ids on refusals ---------------------------------------------------------------

@pytest.mark.parametrize("headers, status", [({}, 401), ({"X-API-Key": "nd_not-a-key"}, 403)], ids=["no-key", "bad-key"])
def test_a_refused_key_carries_a_request_id(keyed, headers, status):
    app, _ = keyed
    response = app.test_client().post("/api/v1/summarize", json={"text": ARTICLE}, headers=headers)
    assert response.status_code == status
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])
    given = app.test_client().post("/api/v1/summarize", json={"text": ARTICLE}, headers={**headers, "X-Request-Id": "abc-1"})
    assert (given.status_code, given.headers["X-Request-Id"]) == (status, "abc-1")


def test_a_refused_form_carries_a_request_id(client):
    response = client.post("/", data={"text": ARTICLE}, headers={"Origin": "null"})
    assert response.status_code == 403
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])
