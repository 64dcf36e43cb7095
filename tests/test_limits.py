"""Each configurable limit has its own clear error: files per request, request time."""

from __future__ import annotations

import io

import pytest

ARTICLE = "Dock workers ended their strike on Tuesday. Ships are moving again."
TIMED_OUT = ("the request ran past its time limit of 1e-06 s (NEWSDESK_REQUEST_TIMEOUT): send a shorter article or "
             "fewer languages, or raise the limit")


@pytest.fixture
def app(make_app, install):
    install("en_de")
    return make_app(rate_limit=None, request_timeout=0.000001)


def test_more_files_than_allowed_are_refused_in_the_web_form(make_app, install):
    install("en_de")
    client = make_app(rate_limit=None).test_client()
    files = [(io.BytesIO(ARTICLE.encode()), "one.txt"), (io.BytesIO(ARTICLE.encode()), "two.txt")]
    page = client.post("/", data={"file": files, "target": ["de"]}, content_type="multipart/form-data")
    assert page.status_code == 413
    assert ("2 files were uploaded; the limit is 1 per request (NEWSDESK_MAX_FILES): send one article per request"
            in page.get_data(as_text=True))
    one = client.post("/", data={"file": (io.BytesIO(ARTICLE.encode()), "one.txt"), "target": ["de"]},
                      content_type="multipart/form-data")
    assert one.status_code == 200


def test_a_request_over_its_time_limit_gets_504(client):
    response = client.post("/api/v1/process", json={"text": ARTICLE, "targets": ["de"]})
    assert (response.status_code, response.get_json()) == (504, {"error": TIMED_OUT})


def test_the_time_limit_covers_libretranslate_and_the_web_form(client):
    libre = client.post("/translate", json={"q": ARTICLE, "source": "en", "target": "de"})
    assert (libre.status_code, libre.get_json()) == (504, {"error": TIMED_OUT})
    page = client.post("/", data={"text": ARTICLE, "target": ["de"]})
    assert page.status_code == 504
    assert TIMED_OUT in page.get_data(as_text=True)
    assert ARTICLE in page.get_data(as_text=True)  # the editor's text comes back


def test_the_time_limit_covers_the_stages_before_translation_too(client):
    """One deadline for every stage (issue 15): a summary alone is bounded as well."""
    response = client.post("/api/v1/summarize", json={"text": ARTICLE})
    assert (response.status_code, response.get_json()["error"]) == (504, (
        "the request ran past its time limit of 1e-06 s (NEWSDESK_REQUEST_TIMEOUT): send a shorter article or fewer "
        "languages, or raise the limit"))


def test_no_time_limit_when_set_to_none(make_app, install):
    install("en_de")
    client = make_app(rate_limit=None, request_timeout=None).test_client()
    assert client.post("/api/v1/process", json={"text": ARTICLE, "targets": ["de"]}).status_code == 200
