"""API keys (SQLite, hashed, `newsdesk keys`), the web form's sign-in sessions, the signing secret, and rate limits."""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from service import keys
from service.desk import memory
from service.stores import redis_server
from service.errors import InvalidInput, InvalidSetting, QueueUnavailable
from tests.stored import keys_at

NEWSDESK = Path(sys.executable).parent / "newsdesk"
ARTICLE = "Dock workers ended their strike on Tuesday. Ships are moving again."
NEEDS_KEY = ("this service needs an API key: send it in the X-API-Key header; ask the service's administrator "
             "for one (`newsdesk keys add NAME`)")
BAD_KEY = ("the API key sent is not valid (unknown or removed): check it, or ask the service's administrator "
           "for one (`newsdesk keys add NAME`)")


@pytest.fixture
def keys_db(tmp_path) -> Path:
    return tmp_path / "keys.sqlite3"


@pytest.fixture
def keyed_app(make_app, keys_db, install):
    install("en_de")
    return make_app(api_keys=True, keys_db=keys_db, rate_limit=None)


def newsdesk(*args: str, keys_db: Path) -> subprocess.CompletedProcess:
    env = {"PATH": str(Path(sys.executable).parent), "NEWSDESK_KEYS_DB": str(keys_db), "HOME": str(keys_db.parent)}
    return subprocess.run([NEWSDESK, *args], env=env, capture_output=True, text=True)


# --- keys on the command line -----------------------------------------------------------

def test_keys_add_list_remove_as_an_administrator_would(keys_db):
    added = newsdesk("keys", "add", "wire-desk", keys_db=keys_db)
    assert added.returncode == 0, added.stderr
    key = added.stdout.strip()
    assert re.fullmatch(r"nd_[A-Za-z0-9_-]{43}", key)
    assert added.stderr == (f"added key 'wire-desk' (translate) to {keys_db}; it is shown only now, so store it "
                            "(keys are not required yet: set NEWSDESK_API_KEYS=1)\n")
    listed = newsdesk("keys", "list", keys_db=keys_db)
    assert re.fullmatch(rf"wire-desk  translate  {re.escape(key[:7])}…  \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\n",
                        listed.stdout)
    assert key not in listed.stdout
    removed = newsdesk("keys", "remove", "wire-desk", keys_db=keys_db)
    assert (removed.returncode, removed.stdout) == (0, f"removed key 'wire-desk' ({key[:7]}…)\n")
    assert newsdesk("keys", "list", keys_db=keys_db).stdout == (
        f"no keys in {keys_db}; add one with `newsdesk keys add NAME`\n")


def test_keys_cli_refuses_a_duplicate_or_unknown_name_with_exit_2(keys_db):
    newsdesk("keys", "add", "desk", keys_db=keys_db)
    again = newsdesk("keys", "add", "desk", keys_db=keys_db)
    assert (again.returncode, again.stderr) == (
        2, "error: a key named 'desk' exists already: remove it first or choose another name\n")
    missing = newsdesk("keys", "remove", "nobody", keys_db=keys_db)
    assert (missing.returncode, missing.stderr) == (2, "error: no key named 'nobody' (keys: desk)\n")
    odd = newsdesk("keys", "add", "two words", keys_db=keys_db)
    assert odd.returncode == 2
    assert odd.stderr.startswith("error: key name 'two words' is not usable")


def test_only_a_hash_of_the_key_is_stored(keys_db):
    _, key = keys.add_key(keys_at(keys_db), "desk")
    stored = sqlite3.connect(keys_db).execute("SELECT * FROM api_keys").fetchall()
    assert key not in repr(stored)
    assert keys.hash_key(key) in repr(stored)
    assert keys_db.read_bytes().find(key.encode()) == -1


def test_a_bad_key_name_is_refused(keys_db):
    with pytest.raises(InvalidInput, match="is not usable"):
        keys.add_key(keys_at(keys_db), "")


# --- keys on the API --------------------------------------------------------------------

def test_without_keys_setting_no_key_is_needed(make_app, install):
    install("en_de")
    response = make_app().test_client().post("/api/v1/process", json={"text": ARTICLE, "targets": ["de"]})
    assert response.status_code == 200


def test_a_request_without_a_key_gets_401_with_how_to_fix(keyed_app):
    response = keyed_app.test_client().post("/api/v1/process", json={"text": ARTICLE, "targets": ["de"]})
    assert (response.status_code, response.get_json()) == (401, {"error": NEEDS_KEY})


def test_a_wrong_key_gets_403(keyed_app, keys_db):
    keys.add_key(keys_at(keys_db), "desk")
    response = keyed_app.test_client().post("/api/v1/process", json={"text": ARTICLE, "targets": ["de"]},
                                            headers={"X-API-Key": "nd_not-a-key"})
    assert (response.status_code, response.get_json()) == (403, {"error": BAD_KEY})


@pytest.mark.parametrize("how", ["header", "bearer"])
def test_a_valid_key_is_let_in(keyed_app, keys_db, how):
    _, key = keys.add_key(keys_at(keys_db), "desk")
    headers = {"X-API-Key": key} if how == "header" else {"Authorization": f"Bearer {key}"}
    response = keyed_app.test_client().post("/api/v1/process", json={"text": ARTICLE, "targets": ["de"]},
                                            headers=headers)
    assert response.status_code == 200
    assert response.get_json()["translations"]["de"]["sentences"][0] == "<de> Dock workers ended their strike on Tuesday."


def test_libretranslate_clients_send_the_key_in_the_body(keyed_app, keys_db):
    _, key = keys.add_key(keys_at(keys_db), "desk")
    client = keyed_app.test_client()
    ok = client.post("/translate", json={"q": "Hello world.", "source": "en", "target": "de", "api_key": key})
    assert (ok.status_code, ok.get_json()) == (200, {"translatedText": "<de> Hello world."})
    form = client.post("/translate", data={"q": "Hello world.", "source": "en", "target": "de", "api_key": key})
    assert form.status_code == 200
    refused = client.post("/translate", json={"q": "Hello world.", "source": "en", "target": "de"})
    assert (refused.status_code, refused.get_json()["error"]) == (  # LibreTranslate's 400 and words (issue 20)
        400, "Please contact the server operator to get an API key")


def test_a_removed_key_is_refused_at_once(keyed_app, keys_db):
    _, key = keys.add_key(keys_at(keys_db), "desk")
    client = keyed_app.test_client()
    assert client.get("/api/v1/languages", headers={"X-API-Key": key}).status_code == 200
    keys.remove_key(keys_at(keys_db), "desk")
    response = client.get("/api/v1/languages", headers={"X-API-Key": key})
    assert (response.status_code, response.get_json()) == (403, {"error": BAD_KEY})


def test_health_ready_and_the_api_document_stay_open(keyed_app):
    client = keyed_app.test_client()
    assert client.get("/health").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/ready").status_code in (200, 503)  # readiness is about packs, never about keys


# --- keys in the web form -----------------------------------------------------------------

def test_the_web_form_asks_for_a_key_once_and_keeps_it_in_a_signed_cookie(keyed_app, keys_db):
    _, key = keys.add_key(keys_at(keys_db), "desk")
    browser = keyed_app.test_client()
    page = browser.get("/").get_data(as_text=True)
    assert 'name="api_key"' in page

    missing = browser.post("/", data={"text": ARTICLE, "target": ["de"]})
    assert missing.status_code == 401
    assert "This service needs an API key: enter yours above" in missing.get_data(as_text=True)
    assert ARTICLE in missing.get_data(as_text=True)  # nothing the editor typed is lost

    wrong = browser.post("/", data={"text": ARTICLE, "target": ["de"], "api_key": "nd_wrong"})
    assert wrong.status_code == 403
    assert ARTICLE in wrong.get_data(as_text=True)

    first = browser.post("/", data={"text": ARTICLE, "target": ["de"], "api_key": key})
    assert first.status_code == 200
    assert "&lt;de&gt; Dock workers ended their strike on Tuesday." in first.get_data(as_text=True)
    cookie = browser.get_cookie("session")
    token = signed_session(keyed_app, cookie.value)["web_session"]  # the cookie carries the session token only
    # The session token is its only credential; beside it, the ids of this browser's results (desk_runs),
    # which only the signed-in key may open.
    assert signed_session(keyed_app, cookie.value) == {"web_session": token, "desk_runs": [_run_of(first)]}
    assert key not in cookie.value and keys.hash_key(key) not in cookie.value
    assert session_rows(keys_db) == [(keys.hash_key(token), keys.hash_key(key))]

    again = browser.post("/", data={"text": ARTICLE, "target": ["de"]})  # no key typed: the cookie has it
    assert again.status_code == 200
    assert 'name="api_key"' not in again.get_data(as_text=True)
    assert "Signed in with key desk" in again.get_data(as_text=True)

    browser.post("/key/forget")
    assert browser.post("/", data={"text": ARTICLE, "target": ["de"]}).status_code == 401


def test_a_key_removed_after_sign_in_no_longer_works_in_the_form(keyed_app, keys_db):
    _, key = keys.add_key(keys_at(keys_db), "desk")
    browser = keyed_app.test_client()
    assert browser.post("/", data={"text": ARTICLE, "target": ["de"], "api_key": key}).status_code == 200
    keys.remove_key(keys_at(keys_db), "desk")
    assert browser.post("/", data={"text": ARTICLE, "target": ["de"]}).status_code == 401


def _run_of(page) -> str:
    return re.search(r'data-run="([\w-]+)"', page.get_data(as_text=True))[1]


def signed_session(app, cookie: str) -> dict:
    """What a session cookie says, read with the app's own signing secret."""
    return app.session_interface.get_signing_serializer(app).loads(cookie)


def session_rows(keys_db: Path) -> list[tuple[str, str]]:
    return sqlite3.connect(keys_db).execute("SELECT token_hash, key_hash FROM web_sessions").fetchall()


def signed_in_cookie(app, key: str) -> str:
    browser = app.test_client()
    assert browser.post("/", data={"text": ARTICLE, "target": ["de"], "api_key": key}).status_code == 200
    return browser.get_cookie("session").value


def replay(app, cookie: str):
    """A form POST from another browser that holds a copy of ``cookie``."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.post("/", data={"text": ARTICLE, "target": ["de"]})


def test_forget_key_ends_the_session_so_a_copied_cookie_no_longer_signs_in(keyed_app, keys_db):
    _, key = keys.add_key(keys_at(keys_db), "desk")
    browser = keyed_app.test_client()
    assert browser.post("/", data={"text": ARTICLE, "target": ["de"], "api_key": key}).status_code == 200
    copied = browser.get_cookie("session").value
    assert replay(keyed_app, copied).status_code == 200  # the copy works while the session lasts

    forgot = browser.post("/key/forget")
    assert (forgot.status_code, forgot.headers["Location"]) == (303, "/")
    assert session_rows(keys_db) == []
    refused = replay(keyed_app, copied)
    assert refused.status_code == 401
    assert "This service needs an API key: enter yours above" in refused.get_data(as_text=True)
    assert 'name="api_key"' in keyed_app.test_client().get("/", headers={"Cookie": f"session={copied}"}).get_data(
        as_text=True)


def test_removing_a_key_ends_all_its_sessions(keyed_app, keys_db):
    _, key = keys.add_key(keys_at(keys_db), "desk")
    _, other_key = keys.add_key(keys_at(keys_db), "other")
    cookies = [signed_in_cookie(keyed_app, key) for _ in range(2)]
    other_cookie = signed_in_cookie(keyed_app, other_key)
    keys.remove_key(keys_at(keys_db), "desk")
    assert [key_hash for _, key_hash in session_rows(keys_db)] == [keys.hash_key(other_key)]
    keys.add_key(keys_at(keys_db), "desk")  # a new key under the old name does not inherit the sign-ins
    assert [replay(keyed_app, cookie).status_code for cookie in cookies] == [401, 401]
    assert replay(keyed_app, other_cookie).status_code == 200


def test_a_key_id_is_never_reused_when_a_new_key_takes_a_removed_keys_name(keys_db):
    first, first_key = keys.add_key(keys_at(keys_db), "desk")
    keys.remove_key(keys_at(keys_db), "desk")
    second, second_key = keys.add_key(keys_at(keys_db), "desk")
    assert (first.name, second.name) == ("desk", "desk")
    assert first.id != second.id
    assert (first.id, second.id) == (keys.hash_key(first_key)[:16], keys.hash_key(second_key)[:16])
    assert keys.find_key(keys_at(keys_db), keys.hash_key(second_key)) == second
    assert keys.list_keys(keys_at(keys_db)) == [second]


def test_a_keys_file_from_before_sessions_and_roles_still_works_and_its_keys_become_edit(make_app, install, keys_db):
    install("en_de")
    key = keys.KEY_PREFIX + secrets.token_urlsafe(32)
    old = sqlite3.connect(keys_db)
    old.execute("CREATE TABLE api_keys (name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, hint TEXT NOT NULL, "
                "created TEXT NOT NULL)")
    old.execute("INSERT INTO api_keys VALUES ('desk', ?, ?, '2024-01-02T03:04:05+00:00')", (keys.hash_key(key), key[:7] + "…"))
    old.commit()
    old.close()
    record = keys.ApiKey(keys.hash_key(key)[:16], "desk", key[:7] + "…", "2024-01-02T03:04:05+00:00", role="edit")
    assert keys.list_keys(keys_at(keys_db)) == [record]
    app = make_app(api_keys=True, keys_db=keys_db, rate_limit=None)
    assert app.test_client().get("/api/v1/languages", headers={"X-API-Key": key}).status_code == 200
    page = replay(app, signed_in_cookie(app, key)).get_data(as_text=True)
    assert "Signed in with key desk." in page
    assert keys.remove_key(keys_at(keys_db), "desk") == record


# --- roles: translate, edit, admin (issue 31) -------------------------------------------

def needs(name: str, role: str, wanted: str) -> str:
    return (f"the key {name!r} has the role '{role}', and this needs '{wanted}': ask the service's administrator "
            f"(`newsdesk keys role {name} {wanted}`)")


def test_keys_get_a_role_on_the_command_line_translate_unless_told(keys_db):
    assert newsdesk("keys", "add", "wire", keys_db=keys_db).returncode == 0
    chief = newsdesk("keys", "add", "chief", "--role", "admin", keys_db=keys_db)
    assert chief.stderr.startswith(f"added key 'chief' (admin) to {keys_db};")
    changed = newsdesk("keys", "role", "wire", "edit", keys_db=keys_db)
    hint = keys.list_keys(keys_at(keys_db))[1].hint
    assert (changed.returncode, changed.stdout) == (0, f"key 'wire' ({hint}) now has the role edit\n")
    listed = newsdesk("keys", "list", keys_db=keys_db).stdout.splitlines()
    assert [line.split("  ")[:2] for line in listed] == [["chief", "admin"], ["wire", "edit"]]
    odd = newsdesk("keys", "role", "wire", "owner", keys_db=keys_db)
    assert odd.returncode == 2
    assert "Invalid value for '{translate|edit|admin}': 'owner' is not one of 'translate', 'edit', 'admin'." \
        in odd.stderr
    missing = newsdesk("keys", "role", "nobody", "edit", keys_db=keys_db)
    assert (missing.returncode, missing.stderr) == (2, "error: no key named 'nobody' (keys: chief, wire)\n")


def test_only_an_admin_key_replaces_the_glossary_and_only_edit_keys_change_the_memory(make_app, install, keys_db):
    install("en_de")
    client = make_app(api_keys=True, keys_db=keys_db, rate_limit=None, suggestions=True).test_client()
    wire, desk, chief = ({"X-API-Key": keys.add_key(keys_at(keys_db), name, role=role)[1]}
                         for name, role in (("wire", "translate"), ("desk", "edit"), ("chief", "admin")))
    house = {"terms": {"de": {"Gadhafi": "Gaddafi"}}, "keep": ["NTC"]}
    assert client.put("/api/v1/glossary", json=house, headers=chief).status_code == 200
    for headers, name, role in ((wire, "wire", "translate"), (desk, "desk", "edit")):
        wipe = client.put("/api/v1/glossary", json={"terms": {}, "keep": []}, headers=headers)
        assert (wipe.status_code, wipe.get_json()) == (403, {"error": needs(name, role, "admin")})
    assert {field: value for field, value in client.get("/api/v1/glossary", headers=wire).get_json().items()
            if field != "version"} == house  # every key reads it; the wipes changed nothing

    made_up = {"source": "en", "target": "de", "sentence": "Ships are moving again.", "translation": "Erfunden."}
    for method in ("put", "get", "delete"):
        refused = getattr(client, method)("/api/v1/memory", json=made_up if method != "get" else None, headers=wire)
        assert (refused.status_code, refused.get_json()) == (403, {"error": needs("wire", "translate", "edit")})
    suggested = client.post("/suggest", data={"q": made_up["sentence"], "s": "Erfunden.", "source": "en",
                                              "target": "de"}, headers=wire)
    assert (suggested.status_code, suggested.get_json()) == (403, {
        "error": "Invalid API key", "explanation": needs("wire", "translate", "edit")})
    translated = client.post("/translate", json={"q": made_up["sentence"], "source": "en", "target": "de"},
                             headers=desk)
    assert translated.get_json()["translatedText"] == "<de> Ships are moving again."  # nobody's made-up text

    assert client.put("/api/v1/memory", json={**made_up, "translation": "Die Schiffe fahren wieder."},
                      headers=desk).status_code == 200
    assert client.post("/suggest", data={"q": "Ports reopen.", "s": "Häfen öffnen.", "source": "en", "target": "de"},
                       headers=desk).get_json() == {"success": True}
    listed = client.get("/api/v1/memory", headers=desk).get_json()["entries"]
    assert [(entry["sentence"], entry["translation"]) for entry in listed] == [
        ("Ports reopen.", "Häfen öffnen."), ("Ships are moving again.", "Die Schiffe fahren wieder.")]
    translated = client.post("/translate", json={"q": made_up["sentence"], "source": "en", "target": "de"},
                             headers=wire)
    assert translated.get_json()["translatedText"] == "Die Schiffe fahren wieder."  # an editor's correction holds


def test_each_change_names_its_key_and_an_admin_restores_a_wiped_glossary(make_app, install, keys_db):
    install("en_de")
    client = make_app(api_keys=True, keys_db=keys_db, rate_limit=None).test_client()
    wire, desk, chief = ({"X-API-Key": keys.add_key(keys_at(keys_db), name, role=role)[1]}
                         for name, role in (("wire", "translate"), ("desk", "edit"), ("chief", "admin")))
    house = {"terms": {"de": {"Gadhafi": "Gaddafi"}}, "keep": ["NTC"]}
    client.put("/api/v1/glossary", json=house, headers=chief)
    client.put("/api/v1/glossary", json={"terms": {}, "keep": []}, headers=chief)  # a wipe by mistake
    changes = client.get("/api/v1/glossary/changes", headers=desk).get_json()
    assert changes["entries"] == []
    assert {field: changes["previous"][field] for field in ("saved_by", "why", "entries")} == {
        "saved_by": "chief", "why": "replaced", "entries": 2}
    for headers, name, role, path, wanted in ((wire, "wire", "translate", "/api/v1/glossary/changes", "edit"),
                                              (desk, "desk", "edit", "/api/v1/glossary/restore", "admin")):
        refused = (client.get if path.endswith("changes") else client.post)(path, headers=headers)
        assert (refused.status_code, refused.get_json()) == (403, {"error": needs(name, role, wanted)})
    restored = client.post("/api/v1/glossary/restore", headers=chief)
    assert (restored.status_code, {k: v for k, v in restored.get_json().items() if k != "version"}) == (200, house)
    entries = client.get("/api/v1/glossary/changes?changed_by=chief", headers=desk).get_json()["entries"]
    assert [(entry["target"], entry["source"], entry["changed_by"]) for entry in entries] == [
        ("*", "NTC", "chief"), ("de", "Gadhafi", "chief")]

    for headers, sentence in ((desk, "Ships are moving again."), (chief, "Ports reopen.")):
        client.put("/api/v1/memory", json={"source": "en", "target": "de", "sentence": sentence,
                                           "translation": "Korrigiert."}, headers=headers)
    by_desk = client.get("/api/v1/memory?changed_by=desk", headers=desk).get_json()["entries"]
    assert [(entry["sentence"], entry["changed_by"]) for entry in by_desk] == [("Ships are moving again.", "desk")]


def test_a_translate_key_s_correction_on_the_page_changes_its_result_not_the_memory(make_app, install, keys_db):
    install("en_de")
    app = make_app(api_keys=True, keys_db=keys_db, rate_limit=None)
    for name, role in (("wire", "translate"), ("desk", "edit")):
        _, key = keys.add_key(keys_at(keys_db), name, role=role)
        browser = app.test_client()
        page = browser.post("/", data={"text": ARTICLE, "target": ["de"], "api_key": key}).get_data(as_text=True)
        run = re.search(r'data-run="([\w-]+)" data-memory="(\w+)"', page)
        assert run[2] == ("own" if role == "translate" else "shared")
        saved = browser.post(f"/results/{run[1]}/sentences/de/0", json={"text": f"Korrektur von {name}."})
        assert (saved.status_code, saved.get_json()) == (200, {
            "saved": True, "sentence": "Dock workers ended their strike on Tuesday.",
            "translation": f"Korrektur von {name}.", "memory": role == "edit"})
        assert f"Korrektur von {name}." in browser.get(f"/results/{run[1]}").get_data(as_text=True)
    settings = app.config["NEWSDESK"]
    assert [entry.translation for entry in memory.entries(settings)] == ["Korrektur von desk."]


# --- the signing secret and the files' modes ---------------------------------------------

def test_sign_ins_survive_a_restart(make_app, install, keys_db):
    install("en_de")
    _, key = keys.add_key(keys_at(keys_db), "desk")
    before = make_app(api_keys=True, keys_db=keys_db, rate_limit=None)
    cookie = signed_in_cookie(before, key)
    after = make_app(api_keys=True, keys_db=keys_db, rate_limit=None)  # the service started again
    assert replay(after, cookie).status_code == 200
    assert after.secret_key == before.secret_key == (keys_db.parent / "secret_key").read_text()
    assert re.fullmatch(r"[0-9a-f]{64}", after.secret_key)


def test_workers_starting_together_end_with_one_secret(tmp_path):
    path = tmp_path / "newsdesk" / "secret_key"
    with ThreadPoolExecutor(max_workers=8) as pool:
        secrets_read = set(pool.map(lambda _: keys.load_or_create_secret(keys_at(path.with_name("keys.sqlite3"))),
                                    range(32)))
    assert secrets_read == {path.read_text()}
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret_key"]  # no drafts left behind


def test_a_set_secret_key_is_used_and_no_file_is_made(make_app, keys_db):
    app = make_app(secret_key="from-the-environment", keys_db=keys_db)
    assert app.secret_key == "from-the-environment"
    assert not (keys_db.parent / "secret_key").exists()


def test_an_empty_secret_file_is_refused_with_the_fix(make_app, keys_db):
    (keys_db.parent / "secret_key").write_text("")
    with pytest.raises(InvalidSetting, match=re.escape(f"{keys_db.parent / 'secret_key'} is empty: remove it")):
        make_app(keys_db=keys_db)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_keys_file_its_folder_and_the_secret_are_readable_by_this_user_only(make_app, tmp_path):
    keys_db = tmp_path / "private" / "keys.sqlite3"
    make_app(keys_db=keys_db)
    keys.add_key(keys_at(keys_db), "desk")
    assert (mode(keys_db.parent), mode(keys_db), mode(keys_db.parent / "secret_key")) == (0o700, 0o600, 0o600)


def test_a_keys_file_made_before_is_made_private(keys_db):
    sqlite3.connect(keys_db).close()
    os.chmod(keys_db, 0o644)
    keys.list_keys(keys_at(keys_db))
    assert mode(keys_db) == 0o600


# --- rate limits ------------------------------------------------------------------------------

def test_over_the_rate_limit_gets_429_with_retry_after(make_app, install):
    install("en_de")
    client = make_app(rate_limit="2/minute").test_client()
    for _ in range(2):
        assert client.post("/api/v1/summarize", json={"text": ARTICLE}).status_code == 200
    refused = client.post("/api/v1/summarize", json={"text": ARTICLE})
    assert refused.status_code == 429
    assert refused.get_json() == {"error": "too many requests: the limit is 2 per 1 minute per API key, or per address "
                                           "without one (NEWSDESK_RATE_LIMIT); wait the seconds Retry-After gives, "
                                           "then send again"}
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/languages").status_code == 200  # reading is not limited
    assert client.get("/health").status_code == 200


def test_each_key_has_its_own_allowance(make_app, install, keys_db):
    install("en_de")
    _, first = keys.add_key(keys_at(keys_db), "first")
    _, second = keys.add_key(keys_at(keys_db), "second")
    client = make_app(api_keys=True, keys_db=keys_db, rate_limit="1/minute").test_client()
    assert client.post("/api/v1/summarize", json={"text": ARTICLE}, headers={"X-API-Key": first}).status_code == 200
    assert client.post("/api/v1/summarize", json={"text": ARTICLE}, headers={"X-API-Key": first}).status_code == 429
    assert client.post("/api/v1/summarize", json={"text": ARTICLE}, headers={"X-API-Key": second}).status_code == 200


def test_made_up_keys_count_as_the_address_when_keys_are_off(make_app, install):
    """With keys off nothing checks a key, so a new one per request must not buy a new allowance."""
    install("en_de")
    client = make_app(rate_limit="2/minute").test_client()
    statuses = [client.post("/api/v1/summarize", json={"text": ARTICLE}, headers={"X-API-Key": f"nd_{n}"}).status_code
                for n in range(3)]
    assert statuses == [200, 200, 429]


def test_made_up_key_headers_beside_a_web_sign_in_count_as_the_signed_in_key(make_app, install, keys_db):
    install("en_de")
    _, key = keys.add_key(keys_at(keys_db), "desk")
    app = make_app(api_keys=True, keys_db=keys_db, rate_limit="2/minute")
    browser = app.test_client()
    assert browser.post("/", data={"text": ARTICLE, "target": ["de"], "api_key": key}).status_code == 200  # the address's
    statuses = [browser.post("/", data={"text": ARTICLE, "target": ["de"]}, headers={"X-API-Key": f"nd_{n}"}).status_code
                for n in range(3)]
    assert statuses == [200, 200, 429]
    # The sign-in counted against the address, which has one request left; the key has none.
    assert app.test_client().post("/", data={"text": ARTICLE, "target": ["de"]}).status_code == 401


def test_the_web_form_is_rate_limited_too(make_app, install):
    install("en_de")
    client = make_app(rate_limit="1/minute").test_client()
    assert client.post("/", data={"text": ARTICLE, "target": ["de"]}).status_code == 200
    assert client.post("/", data={"text": ARTICLE, "target": ["de"]}).status_code == 429


def test_with_redis_every_worker_counts_against_one_limit(make_app, install, redis_url):
    """Two apps stand for two gunicorn workers: with memory counters each would allow 2."""
    install("en_de")
    workers = [make_app(rate_limit="2/minute", rate_limit_storage=redis_url).test_client() for _ in range(2)]
    statuses = [workers[n % 2].post("/api/v1/summarize", json={"text": ARTICLE}).status_code for n in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("counted_in", ["embedded", "redis_url"])
def test_by_default_the_job_queues_redis_holds_one_limit_for_every_worker(make_app, install, tmp_path, request, counted_in):
    """No NEWSDESK_RATE_LIMIT_STORAGE: the counters live in the Redis the batch jobs use."""
    install("en_de")
    where = {"jobs_dir": tmp_path / "jobs"} if counted_in == "embedded" else {"redis_url": request.getfixturevalue("redis_url")}
    workers = [make_app(rate_limit="2/minute", rate_limit_storage="", **where) for _ in range(2)]
    statuses = [workers[n % 2].test_client().post("/api/v1/summarize", json={"text": ARTICLE}).status_code
                for n in range(3)]
    assert statuses == [200, 200, 429]
    url = where.get("redis_url") or redis_server.embedded_redis(workers[0].config["NEWSDESK"]).url
    assert [name.split(b"/")[0] for name in redis.Redis.from_url(url).keys("LIMITS*")] == [
        b"LIMITS:LIMITER"]  # counted in that Redis, not in the in-memory fallback


def test_without_a_redis_for_the_counters_the_service_starts_and_counts_per_worker(make_app, install, monkeypatch,
                                                                                    caplog):
    def no_redis_server(settings):
        raise QueueUnavailable("the embedded Redis could not be started (no redis-server)")

    monkeypatch.setattr(redis_server, "embedded_redis", no_redis_server)
    install("en_de")
    client = make_app(rate_limit="2/minute", rate_limit_storage="").test_client()
    statuses = [client.post("/api/v1/summarize", json={"text": ARTICLE}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert ("rate limits are counted per worker (memory://): the embedded Redis could not be started "
            "(no redis-server)") in caplog.text


def test_when_redis_is_unreachable_limits_fall_back_to_memory(make_app, install):
    install("en_de")
    client = make_app(rate_limit="2/minute", rate_limit_storage="redis://127.0.0.1:9/0").test_client()
    statuses = [client.post("/api/v1/summarize", json={"text": ARTICLE}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_a_malformed_rate_limit_is_refused_at_start(make_app):
    with pytest.raises(InvalidSetting, match=r"NEWSDESK_RATE_LIMIT='lots' is not a rate limit: write it like "):
        make_app(rate_limit="lots")
