"""The glossary and the translation memory on the page (issue 28): /glossary and /memory list,
add, change and remove entries with forms, say what they did or why not inline, and follow the
keys' roles (issue 31)."""

from __future__ import annotations

import html
import re

import pytest

from service import keys
from service.desk import glossary, memory
from service.translation.terms import Glossary
from tests.stored import keys_at

KNOWN = "ar, de, en, es, fr, it, nl, pl, pt, ru, tr, uk"


def said(page) -> tuple[int, str]:
    """(status, the page's inline message: what it did, or why not)."""
    text = page.get_data(as_text=True)
    found = re.search(r'id="done">([^<]*)<', text) or re.search(r'id="error"><strong>Not done\.</strong> ([^<]*)<', text)
    return page.status_code, html.unescape(found[1]) if found else ""


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(rate_limit=None)


def test_an_editor_keeps_the_glossary_on_the_page(client, app):
    db = app.config["NEWSDESK"]
    assert said(client.post("/glossary/terms", data={"target": "de", "source_term": "Gadhafi",
                                                      "target_term": "Gadafi"})) == (
        200, "Added: 'Gadhafi' is written 'Gadafi' in German.")
    assert said(client.post("/glossary/terms", data={"target": "de", "source_term": "Gadhafi",
                                                      "target_term": "Gaddafi"})) == (
        200, "Changed: 'Gadhafi' is written 'Gaddafi' in German (it was 'Gadafi').")
    assert said(client.post("/glossary/keep", data={"term": "NTC"})) == (
        200, "Kept: 'NTC' stays as it is in every language.")
    page = client.get("/glossary").get_data(as_text=True)
    assert '<td>German</td><td>Gadhafi</td><td lang="de">Gaddafi</td><td>(no key)</td>' in page
    assert "<span>NTC</span>" in page
    assert glossary.load(db) == Glossary(by_target={"de": {"Gadhafi": "Gaddafi"}}, keep=("NTC",))
    assert said(client.post("/glossary/remove", data={"term": "NTC", "target": "*"})) == (200, "Removed: keeping 'NTC'.")
    assert said(client.post("/glossary/terms", data={"target": "xx", "source_term": "A", "target_term": "B"})) == (
        400, f"Language: 'xx' is not a language newsdesk knows; use one of: {KNOWN}")
    refused = client.post("/glossary/terms", data={"target": "de", "source_term": "Tripoli", "target_term": " "})
    assert refused.status_code == 400 and 'value="Tripoli"' in refused.get_data(as_text=True)  # what was typed stays


def test_a_wiped_glossary_comes_back_with_a_click(client, app):
    db = app.config["NEWSDESK"]
    glossary.replace_all(db, Glossary(by_target={"de": {"Gadhafi": "Gaddafi"}}), changed_by="chief")
    glossary.replace_all(db, Glossary(), changed_by="wire")
    page = client.get("/glossary").get_data(as_text=True)
    assert "1 entries, set aside" in page and 'id="restore"' in page
    status, message = said(client.post("/glossary/restore"))
    assert status == 200 and message.startswith("Restored the glossary set aside ")
    assert glossary.load(db) == Glossary(by_target={"de": {"Gadhafi": "Gaddafi"}})


def test_an_editor_finds_adds_and_removes_corrections(client, app):
    settings = app.config["NEWSDESK"]
    assert said(client.post("/memory/corrections", data={"source": "en", "target": "de", "sentence": "Ships wait.",
                                                          "translation": "Schiffe warten."})) == (
        200, "Stored: 'Ships wait.' is translated 'Schiffe warten.' into German from now on.")
    memory.put(settings, source="en", target="ru", sentence="Ports reopen.", translation="Порты открываются.")
    found = client.get("/memory?search=ships").get_data(as_text=True)
    assert '<td lang="de">Schiffe warten.</td>' in found and "Порты" not in found
    assert said(client.post("/memory/remove", data={"source": "en", "target": "de", "sentence": "Ships wait."})) == (
        200, "Removed the en->de correction of 'Ships wait.'.")
    assert said(client.post("/memory/remove", data={"source": "en", "target": "de", "sentence": "Ships wait."})) == (
        400, "the translation memory holds no en->de correction of 'Ships wait.': list them with "
             "`newsdesk memory list --from en --to de`")
    assert [entry.sentence for entry in memory.entries(settings)] == ["Ports reopen."]


def test_with_keys_on_the_role_decides_what_the_pages_offer(make_app, tmp_path):
    keys_db = tmp_path / "keys.sqlite3"
    app = make_app(rate_limit=None, api_keys=True, keys_db=keys_db)
    stranger = app.test_client()
    assert "enter your key once on the main page" in stranger.get("/glossary").get_data(as_text=True)
    assert said(stranger.post("/glossary/keep", data={"term": "NTC"})) == (401, (
        "This service needs an API key, and this browser is not signed in: enter your key once on the main page, "
        "then come back here."))
    browsers = {}
    for name, role in (("wire", "translate"), ("desk", "edit")):
        browsers[name] = app.test_client()
        _, key = keys.add_key(keys_at(keys_db), name, role=role)
        browsers[name].post("/", data={"text": "Ships wait.", "target": ["de"], "api_key": key})  # signs in
    wire = browsers["wire"].get("/glossary").get_data(as_text=True)
    assert 'id="read-only"' in wire and 'id="add-term"' not in wire
    assert said(browsers["wire"].post("/glossary/keep", data={"term": "NTC"})) == (403, (
        "the key 'wire' has the role 'translate', and this needs 'edit': ask the service's administrator "
        "(`newsdesk keys role wire edit`)"))
    assert 'id="entries"' not in browsers["wire"].get("/memory").get_data(as_text=True)  # the desks' sentences
    assert said(browsers["desk"].post("/glossary/keep", data={"term": "NTC"}))[0] == 200
    assert glossary.changes(app.config["NEWSDESK"])[0].changed_by == "desk"
    assert "Restoring it takes a key with the admin role." not in browsers["desk"].get("/glossary").get_data(
        as_text=True)  # nothing is kept to restore yet


def test_a_form_from_another_site_is_refused(client):
    refused = client.post("/glossary/keep", data={"term": "NTC"}, headers={"Origin": "http://evil.example"})
    assert refused.status_code == 403
    assert "This form was sent from another page (http://evil.example)" in html.unescape(refused.get_data(as_text=True))
