"""The translation memory (issue 16): the store on both backends, TMX and XLIFF, the CLI and the HTTP door."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from service import outcome
from service.desk import exchange, memory
from service.errors import InvalidInput, TooLarge
from service.desk.memory import Correction
from service.pipeline import process

REPO = Path(__file__).resolve().parent.parent
ARTICLE = ("Harbour strike ends\n\n"
           "Dock workers in Rotterdam ended a five-day strike on Tuesday. "
           "Operators said traffic would be back to normal by Friday.\n\n"
           "The strike forced several shipping lines to divert vessels to Antwerp & Hamburg.")
SENTENCES = ["Dock workers in Rotterdam ended a five-day strike on Tuesday.",
             "Operators said traffic would be back to normal by Friday.",
             "The strike forced several shipping lines to divert vessels to Antwerp & Hamburg."]
GERMAN = [f"<de> {sentence}" for sentence in SENTENCES]


@pytest.fixture
def sqlite_settings(settings, tmp_path):
    return replace(settings, memory_db=tmp_path / "memory" / "memory.sqlite3", redis_url="")


@pytest.fixture(params=["sqlite", "redis"])
def store(request, sqlite_settings):
    """Settings whose memory is in SQLite, or in a real Redis (NEWSDESK_REDIS_URL set)."""
    if request.param == "sqlite":
        return sqlite_settings
    return replace(sqlite_settings, redis_url=request.getfixturevalue("redis_url"))


# --- normalisation -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Gadhafi must quit.", "Gadhafi must quit."),
    ("  Gadhafi   must quit.  ", "Gadhafi must quit."),
    ("Gadhafi\tmust\r\nquit.\n", "Gadhafi must quit."),
    ("Gadhafi\u00a0must\u2009quit.\u3000", "Gadhafi must quit."),  # no-break, thin, ideographic spaces
    ("Cafe\u0301 ouvert.", "Caf\u00e9 ouvert."),  # NFC: e + combining acute is é
    ("gadhafi must quit.", "gadhafi must quit."),  # case is kept
    ("Gadhafi must quit", "Gadhafi must quit"),  # punctuation is kept
    ("Gadhafi must quit !", "Gadhafi must quit !"),  # a space before punctuation too
], ids=["as-is", "runs-of-spaces", "tabs-and-line-breaks", "unicode-spaces", "nfc", "case-kept", "no-full-stop",
        "space-before-mark"])
def test_normalise_sentence(text, expected):
    assert memory.normalise_sentence(text) == expected


# --- the store, on both backends ------------------------------------------------------------------

def test_put_then_lookup_many_matches_normalised_sentences_only(store):
    entry = memory.put(store, source="en", target="de", sentence="  Gadhafi  must quit. ",
                       translation="Gaddafi muss  zurücktreten. ")
    assert (entry.source, entry.target, entry.sentence, entry.translation) == (
        "en", "de", "Gadhafi must quit.", "Gaddafi muss zurücktreten.")
    found = memory.lookup_many(store, source="en", target="de", sentences=[
        "Gadhafi must quit.", "gadhafi must quit.", "Gadhafi\nmust quit.", "Gadhafi must quit", "", "Gadhafi must quit."])
    assert found == ["Gaddafi muss zurücktreten.", None, "Gaddafi muss zurücktreten.", None, None,
                     "Gaddafi muss zurücktreten."]
    assert memory.lookup_many(store, source="en", target="ru", sentences=["Gadhafi must quit."]) == [None]
    assert memory.lookup_many(store, source="de", target="en", sentences=["Gadhafi must quit."]) == [None]
    assert memory.lookup_many(store, source="en", target="de", sentences=[]) == []
    # What the translation step may pass, and no correction can be stored under, finds nothing.
    assert memory.lookup_many(store, source="en", target="en", sentences=["Gadhafi must quit."]) == [None]
    assert memory.lookup_many(store, source="zh-Hant", target="de", sentences=["Gadhafi must quit."]) == [None]
    assert memory.version(store, source="zh-Hant", target="de") == memory.NO_VERSION


def test_a_second_put_replaces_the_first(store):
    memory.put(store, source="en", target="de", sentence="Talks resume.", translation="Gespräche gehen weiter.")
    memory.put(store, source="en", target="de", sentence="Talks  resume.", translation="Die Gespräche beginnen wieder.")
    assert [(e.sentence, e.translation) for e in memory.entries(store)] == [("Talks resume.", "Die Gespräche beginnen wieder.")]


def test_version_changes_with_every_change_of_its_pair_only(store):
    assert memory.version(store, source="en", target="de") == memory.NO_VERSION == "0"
    memory.put(store, source="en", target="de", sentence="Talks resume.", translation="Gespräche gehen weiter.")
    first = memory.version(store, source="en", target="de")
    memory.lookup_many(store, source="en", target="de", sentences=["Talks resume."])
    assert memory.version(store, source="en", target="de") == first  # reading changes nothing
    memory.put(store, source="en", target="ru", sentence="Talks resume.", translation="Переговоры возобновились.")
    assert memory.version(store, source="en", target="de") == first  # another pair
    memory.put(store, source="en", target="de", sentence="Talks resume.", translation="Die Gespräche beginnen wieder.")
    second = memory.version(store, source="en", target="de")
    memory.remove(store, source="en", target="de", sentence="Talks resume.")
    third = memory.version(store, source="en", target="de")
    assert len({memory.NO_VERSION, first, second, third}) == 4


def test_remove_returns_the_entry_and_refuses_an_absent_one(store):
    memory.put(store, source="en", target="de", sentence="Gadhafi must quit.", translation="Gaddafi muss gehen.")
    removed = memory.remove(store, source="en", target="de", sentence=" Gadhafi must quit.")
    assert (removed.sentence, removed.translation) == ("Gadhafi must quit.", "Gaddafi muss gehen.")
    assert memory.lookup_many(store, source="en", target="de", sentences=["Gadhafi must quit."]) == [None]
    before = memory.version(store, source="en", target="de")
    with pytest.raises(InvalidInput) as caught:
        memory.remove(store, source="en", target="de", sentence="Gadhafi must quit.")
    assert str(caught.value) == ("the translation memory holds no en->de correction of 'Gadhafi must quit.': "
                                 "list them with `newsdesk memory list --from en --to de`")
    assert memory.version(store, source="en", target="de") == before
    assert memory.entries(store) == []


def _store_a_few(settings) -> None:
    memory.put_many(settings, corrections=[
        Correction("en", "de", "The Strasse was closed.", "Die Straße war gesperrt."),
        Correction("en", "de", "Putin spoke.", "Putin sprach."),
        Correction("en", "ru", "Putin spoke.", "Путин выступил."),
        Correction("de", "en", "Putin sprach.", "Putin spoke."),
        Correction("en", "de", "Aid arrived.", "Hilfe kam an."),
    ])


def test_entries_are_ordered_by_pair_then_sentence_and_filtered(store):
    _store_a_few(store)
    listed = [(e.source, e.target, e.sentence) for e in memory.entries(store)]
    assert listed == [("de", "en", "Putin sprach."), ("en", "de", "Aid arrived."), ("en", "de", "Putin spoke."),
                      ("en", "de", "The Strasse was closed."), ("en", "ru", "Putin spoke.")]
    assert [e.sentence for e in memory.entries(store, source="en", target="de")] == [
        "Aid arrived.", "Putin spoke.", "The Strasse was closed."]
    assert [e.source for e in memory.entries(store, target="en")] == ["de"]
    assert [e.sentence for e in memory.entries(store, source="en", target="de", limit=1, offset=1)] == ["Putin spoke."]
    assert [e.sentence for e in memory.entries(store, limit=None, offset=4)] == ["Putin spoke."]


@pytest.mark.parametrize("search, expected", [
    ("putin", [("de", "en"), ("en", "de"), ("en", "ru")]),  # sentence or translation, any case
    ("ПУТИН", [("en", "ru")]),  # folded beyond ASCII, in SQLite too
    ("STRASSE", [("en", "de")]),  # Straße folds to strasse
    ("nowhere", []),
], ids=["ascii", "cyrillic", "sharp-s", "none"])
def test_search_ignores_case_the_same_way_on_both_backends(store, search, expected):
    _store_a_few(store)
    assert [(e.source, e.target) for e in memory.entries(store, search=search)] == expected


@pytest.mark.parametrize("fields, error, message", [
    ({"source": "EN"}, InvalidInput, "source language 'EN' is not usable: give an ISO 639-1 code such as 'en' or 'de'"),
    ({"target": "de:x"}, InvalidInput, "target language 'de:x' is not usable: give an ISO 639-1 code such as 'en' or 'de'"),
    ({"target": "en"}, InvalidInput, "source and target are both 'en': a correction translates from one language "
                                     "into another"),
    ({"sentence": " \n "}, InvalidInput, "the sentence is empty: a correction needs the source sentence and its translation"),
    ({"translation": ""}, InvalidInput, "the translation is empty: a correction needs the source sentence and its "
                                        "translation"),
    ({"sentence": "Bad\x00byte."}, InvalidInput, "the sentence holds a control character or a lone surrogate at "
                                                 "position 4: remove it"),
    ({"translation": "Lone \ud800."}, InvalidInput, "the translation holds a control character or a lone surrogate "
                                                    "at position 6: remove it"),
    ({"sentence": "x" * 5_001}, TooLarge, "the sentence has 5,001 characters; the limit is 5,000 "
                                          "(NEWSDESK_MAX_SENTENCE_CHARACTERS): store one sentence per correction"),
], ids=["upper-case-code", "colon-in-code", "same-language", "empty-sentence", "empty-translation", "control-character",
        "lone-surrogate", "too-long"])
def test_put_refuses_what_cannot_be_a_correction(sqlite_settings, fields, error, message):
    values = {"source": "en", "target": "de", "sentence": "Talks resume.", "translation": "Gespräche gehen weiter."}
    with pytest.raises(error) as caught:
        memory.put(sqlite_settings, **{**values, **fields})
    assert str(caught.value) == message
    assert not sqlite_settings.memory_db.exists()  # checked before anything is written


def test_put_many_stores_nothing_when_one_correction_is_unusable(store):
    with pytest.raises(TooLarge) as caught:
        memory.put_many(store, corrections=[Correction("en", "de", "Aid arrived.", "Hilfe kam an."),
                                            Correction("en", "de", "Long " + "x" * 5_000, "Lang.")])
    assert str(caught.value) == ("correction 2 (en->de, 'Long " + "x" * 55 + "'): the sentence has 5,005 characters; "
                                 "the limit is 5,000 (NEWSDESK_MAX_SENTENCE_CHARACTERS): store one sentence per "
                                 "correction; nothing was stored")
    assert memory.entries(store) == []


def test_sqlite_file_is_private_and_reading_never_creates_it(sqlite_settings):
    path = sqlite_settings.memory_db
    assert memory.lookup_many(sqlite_settings, source="en", target="de", sentences=["Talks resume."]) == [None]
    assert memory.entries(sqlite_settings) == [] and memory.version(sqlite_settings, source="en", target="de") == "0"
    assert not path.exists() and not path.parent.exists()
    memory.put(sqlite_settings, source="en", target="de", sentence="Talks resume.", translation="Gespräche gehen weiter.")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_sqlite_lookup_is_one_query_however_many_sentences(sqlite_settings, monkeypatch):
    """Past SQLite's cap on parameters per statement (32,766 here, 999 in older builds)."""
    sentences = [f"Sentence {number}." for number in range(40_000)]
    memory.put_many(sqlite_settings, corrections=[Correction("en", "de", s, s.replace("Sentence", "Satz"))
                                                  for s in sentences[::1000]])
    found = memory.lookup_many(sqlite_settings, source="en", target="de", sentences=sentences)
    assert [(i, t) for i, t in enumerate(found) if t] == [(i, f"Satz {i}.") for i in range(0, 40_000, 1000)]


def test_redis_memory_lives_under_its_documented_keys(sqlite_settings, redis_url):
    import redis

    store = replace(sqlite_settings, redis_url=redis_url)
    memory.put(store, source="en", target="de", sentence="Talks resume.", translation="Gespräche gehen weiter.")
    client = redis.Redis.from_url(store.redis_url)
    stored = json.loads(client.hget("newsdesk:memory:en:de", "Talks resume."))
    assert list(stored) == ["translation", "updated", "changed_by"]
    assert (stored["translation"], stored["changed_by"]) == ("Gespräche gehen weiter.", "(command line)")
    assert client.get("newsdesk:memory:en:de:version").decode() == memory.version(store, source="en", target="de")
    memory.remove(store, source="en", target="de", sentence="Talks resume.")
    assert client.exists("newsdesk:memory:en:de") == 0 and client.smembers("newsdesk:memory:pairs") == set()


def test_an_unreachable_redis_is_a_clear_error(sqlite_settings):
    from service.errors import QueueUnavailable

    settings = replace(sqlite_settings, redis_url="redis://:secret@127.0.0.1:9/0")  # nothing listens on port 9
    with pytest.raises(QueueUnavailable) as caught:
        memory.lookup_many(settings, source="en", target="de", sentences=["Talks resume."])
    assert str(caught.value).startswith("the translation memory (Redis at redis://127.0.0.1:9/0) does not answer (")
    assert "secret" not in str(caught.value)


# --- scaled out: every worker sees a correction at once --------------------------------------------

def test_two_workers_on_one_redis_see_each_others_corrections_at_once(make_app, redis_url, tmp_path):
    workers = [make_app(redis_url=redis_url, memory_db=tmp_path / f"worker{n}.sqlite3") for n in (1, 2)]
    first, second = (app.test_client() for app in workers)
    body = {"source": "en", "target": "de", "sentence": "Gadhafi must quit.", "translation": "Gaddafi muss gehen."}
    assert first.put("/api/v1/memory", json=body).status_code == 200
    second_settings = workers[1].config["NEWSDESK"]
    assert memory.lookup_many(second_settings, source="en", target="de", sentences=["Gadhafi must quit."]) == [
        "Gaddafi muss gehen."]
    assert [e["translation"] for e in second.get("/api/v1/memory?source=en&target=de").get_json()["entries"]] == [
        "Gaddafi muss gehen."]
    assert second.delete("/api/v1/memory", json={k: body[k] for k in ("source", "target", "sentence")}).status_code == 200
    assert first.get("/api/v1/memory").get_json() == {"entries": []}
    assert not (tmp_path / "worker1.sqlite3").exists() and not (tmp_path / "worker2.sqlite3").exists()


def test_a_correction_from_another_process_is_seen_at_once(sqlite_settings, redis_url):
    """Another machine's worker, as far as this process can tell: nothing is shared but Redis."""
    settings = replace(sqlite_settings, redis_url=redis_url)
    before = memory.version(settings, source="en", target="de")
    script = ("from service.desk import memory; from service.config import Settings; "
              "memory.put(Settings.load(), source='en', target='de', sentence='Talks resume.', "
              "translation='Gespräche gehen weiter.')")
    subprocess.run([sys.executable, "-c", script], cwd=REPO, check=True, timeout=60,
                   env={**os.environ, "NEWSDESK_REDIS_URL": redis_url})
    assert memory.lookup_many(settings, source="en", target="de", sentences=["Talks resume."]) == ["Gespräche gehen weiter."]
    assert memory.version(settings, source="en", target="de") != before


# --- TMX ---------------------------------------------------------------------------------------------

def test_tmx_export_then_import_gives_the_same_entries(store, tmp_path):
    memory.put_many(store, corrections=[
        Correction("en", "de", 'Tom & Jerry said "<no>".', "Tom & Jerry sagten „<nein>“.", "2024-03-01T08:30:00+00:00"),
        Correction("en", "ar", "Talks resume.", "استؤنفت المحادثات.", "2024-03-02T09:00:00+00:00"),
        Correction("de", "en", "Gespräche gehen weiter.", "Talks resume.", "2024-03-03T10:15:00+00:00"),
    ])
    exported = memory.entries(store, limit=None)
    tmx = exchange.write_tmx(exported)
    reading = exchange.read_tmx(tmx.encode())
    assert reading.problems == ()
    fresh = replace(store, memory_db=tmp_path / "fresh.sqlite3", redis_url="")
    memory.put_many(fresh, corrections=reading.corrections)
    assert memory.entries(fresh, limit=None) == exported


def test_tmx_export_is_tmx_1_4(sqlite_settings):
    memory.put(sqlite_settings, source="en", target="de", sentence="Aid arrived.", translation="Hilfe kam an.",
               changed_by="desk")
    updated = memory.entries(sqlite_settings)[0].updated
    stamp = updated[:19].replace("-", "").replace(":", "") + "Z"
    assert exchange.write_tmx(memory.entries(sqlite_settings)) == f"""<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header creationtool="newsdesk" creationtoolversion="1" segtype="sentence" o-tmf="newsdesk" adminlang="en" \
srclang="en" datatype="plaintext"/>
  <body>
    <tu srclang="en" changedate="{stamp}" changeid="desk">
      <tuv xml:lang="en">
        <seg>Aid arrived.</seg>
      </tuv>
      <tuv xml:lang="de">
        <seg>Hilfe kam an.</seg>
      </tuv>
    </tu>
  </body>
</tmx>
"""


def test_tmx_from_a_cat_tool_multilingual_with_inline_codes_and_region_tags():
    data = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="X" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en-US"
  srclang="EN-US" datatype="html"/><body>
<tu changedate="20240105T101500Z"><tuv xml:lang="en-US"><seg>A <bpt i="1">&lt;b&gt;</bpt>bold<ept i="1">&lt;/b&gt;</ept>
  move.</seg></tuv><tuv xml:lang="de-AT"><seg>Ein <bpt i="1">&lt;b&gt;</bpt>kühner<ept i="1">&lt;/b&gt;</ept> Schritt.</seg></tuv>
  <tuv lang="fr"><seg>Un geste <hi type="b">audacieux</hi>.</seg></tuv></tu>
<tu srclang="de"><tuv xml:lang="en"><seg>Talks resume.</seg></tuv><tuv xml:lang="de"><seg>Gespräche<ph x="1"/> gehen weiter.</seg></tuv></tu>
</body></tmx>""".encode()
    reading = exchange.read_tmx(data)
    assert reading.problems == ()
    assert reading.corrections == (
        Correction("en", "de", "A bold move.", "Ein kühner Schritt.", "2024-01-05T10:15:00+00:00"),
        Correction("en", "fr", "A bold move.", "Un geste audacieux.", "2024-01-05T10:15:00+00:00"),
        Correction("de", "en", "Gespräche gehen weiter.", "Talks resume.", None),
    )


BAD_TMX = """<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en"><seg>Aid arrived.</seg></tuv><tuv xml:lang="de"><seg>Hilfe kam an.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Secret: &xxe;</seg></tuv><tuv xml:lang="de"><seg>Geheim</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Boom.</seg></tuv><tuv xml:lang="de"><seg>&b;</seg></tuv></tu>
<tu><tuv xml:lang="de"><seg>Nur Deutsch.</seg></tuv><tuv xml:lang="fr"><seg>Seulement.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Alone.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>   </seg></tuv><tuv xml:lang="de"><seg>Leer.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Twice.</seg></tuv><tuv xml:lang="de"><seg>Zweimal.</seg></tuv><tuv xml:lang="de-CH"><seg>Zwei.</seg></tuv></tu>
<tu><tuv xml:lang="x-klingon"><seg>Qapla'.</seg></tuv><tuv xml:lang="en"><seg>Success.</seg></tuv></tu>
<tu srclang="*all*"><tuv xml:lang="en"><seg>Talks resume.</seg></tuv><tuv xml:lang="de"><seg>Gespräche.</seg></tuv><tuv xml:lang="ru"><seg>Переговоры.</seg></tuv></tu>
</body></tmx>""".encode()


def test_bad_tmx_units_are_reported_with_their_position_none_dropped_silently():
    reading = exchange.read_tmx(BAD_TMX)
    assert reading.corrections == (Correction("en", "de", "Aid arrived.", "Hilfe kam an."),)
    entity = ("which is not expanded (entities are read as they stand, for safety): write the character itself")
    assert reading.problems == (
        f"unit 2 (line 5): it uses the entity &xxe;, {entity}",
        f"unit 3 (line 6): it uses the entity &b;, {entity}",
        "unit 4 (line 7): it has no <tuv> in its source language 'en'",
        "unit 5 (line 8): it has only the 'en' text, no translation",
        "unit 6 (line 9): the <tuv> in 'en' has no text in its <seg>",
        "unit 7 (line 10): two <tuv> are in 'de': which one is the translation cannot be told",
        "unit 8 (line 11): a <tuv> has language 'x-klingon', not a language tag such as 'en' or 'en-US'",
        "unit 9 (line 12): no source language (srclang) is given and it has 3 <tuv>, not 2",
    )
    assert all("root:" not in problem for problem in reading.problems)  # /etc/passwd was never read


@pytest.mark.parametrize("data, message", [
    (b"", "the file is not well-formed XML (Document is empty, line 1, column 1): export it again from the tool"),
    (b"<tmx><body>", "the file is not well-formed XML (Premature end of data in tag body line 1, line 1, column 12): "
                     "export it again from the tool"),
    (b"<html/>", "the file's root element is <html>, not <tmx>: give a TMX 1.4 file"),
    (b"<tmx version='1.4'><header/></tmx>", "the TMX file has no <body>: export it again from the tool"),
], ids=["empty", "cut-off", "not-tmx", "no-body"])
def test_a_file_that_is_no_tmx_is_refused_whole(data, message):
    with pytest.raises(InvalidInput) as caught:
        exchange.read_tmx(data)
    assert str(caught.value) == message


# --- XLIFF -------------------------------------------------------------------------------------------

@pytest.fixture
def article(settings, install) -> dict:
    """A real processed article (outcome.to_dict data), translated into German by a generated copy-model pack."""
    install("en_de")
    result = process(ARTICLE, targets=["de"], summary=1, source="en", settings=settings)
    assert list(result.sentences) == SENTENCES and list(result.translations["de"].sentences) == GERMAN
    return outcome.to_dict(result)


def _units(xliff: str) -> list[dict]:
    root = etree.fromstring(xliff.encode())
    ns = {"x": exchange.XLIFF_NS}
    return [{"id": unit.get("id"), "source": unit.findtext("x:source", namespaces=ns),
             "target": unit.findtext("x:target", namespaces=ns), "state": unit.find("x:target", ns).get("state"),
             "delivered": unit.findtext("x:alt-trans[@tool-id='newsdesk']/x:target", namespaces=ns)}
            for unit in root.iterfind(".//x:trans-unit", ns)]


def test_article_to_xliff_has_one_unit_per_body_sentence(article):
    xliff = exchange.article_to_xliff(article, target="de", reviewed={2})
    root = etree.fromstring(xliff.encode())
    assert (root.tag, root.get("version")) == (f"{{{exchange.XLIFF_NS}}}xliff", "1.2")
    file = root[0]
    assert (file.get("original"), file.get("source-language"), file.get("target-language"), file.get("datatype")) == (
        "Harbour strike ends", "en", "de", "plaintext")
    assert _units(xliff) == [
        {"id": "0", "source": SENTENCES[0], "target": GERMAN[0], "state": "needs-review-translation", "delivered": GERMAN[0]},
        {"id": "1", "source": SENTENCES[1], "target": GERMAN[1], "state": "needs-review-translation", "delivered": GERMAN[1]},
        {"id": "2", "source": SENTENCES[2], "target": GERMAN[2], "state": "translated", "delivered": GERMAN[2]},
    ]
    assert "Antwerp &amp; Hamburg" in xliff


def test_article_to_xliff_needs_the_target_language(article):
    with pytest.raises(InvalidInput) as caught:
        exchange.article_to_xliff(article, target="ru")
    assert str(caught.value) == "the article has no translation into 'ru' (it has: de): process it with that target first"


def _review(xliff: str, edits: dict[str, tuple[str | None, str | None]]) -> bytes:
    """An editor's pass: {unit id: (new target text or None, new state or None)}."""
    root = etree.fromstring(xliff.encode())
    for unit in root.iter(f"{{{exchange.XLIFF_NS}}}trans-unit"):
        if unit.get("id") in edits:
            text, state = edits[unit.get("id")]
            target = unit.find(f"{{{exchange.XLIFF_NS}}}target")
            if text is not None:
                target.text = text
            if state is not None:
                target.set("state", state)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_a_reviewed_xliff_reads_back_edited_and_approved_units(article, store):
    xliff = exchange.article_to_xliff(article, target="de")
    reviewed = _review(xliff, {"0": ("Die Hafenarbeiter in Rotterdam beendeten am Dienstag ihren Streik.", "translated"),
                               "2": (None, "signed-off")})
    reading = exchange.read_xliff(reviewed)
    assert reading == exchange.Reading(corrections=(
        Correction("en", "de", SENTENCES[0], "Die Hafenarbeiter in Rotterdam beendeten am Dienstag ihren Streik."),
        Correction("en", "de", SENTENCES[2], GERMAN[2]),
    ), problems=(), passed_over=1)
    memory.put_many(store, corrections=reading.corrections)
    assert memory.lookup_many(store, source="en", target="de", sentences=SENTENCES) == [
        "Die Hafenarbeiter in Rotterdam beendeten am Dienstag ihren Streik.", None, GERMAN[2]]


def test_an_edit_counts_whatever_the_state_and_whitespace_alone_is_no_edit(article):
    xliff = exchange.article_to_xliff(article, target="de")
    reviewed = _review(xliff, {"0": ("Neu.", None), "1": ("  " + GERMAN[1].replace(" ", "\n  ") + " ", "translated"),
                               "2": ("", None)})
    reading = exchange.read_xliff(reviewed)
    assert reading.corrections == (Correction("en", "de", SENTENCES[0], "Neu."),)
    assert reading.passed_over == 1
    # line 22 of the export, 10 lines further down for the line breaks put into unit 1
    assert reading.problems == ("unit 3 (line 32), id '2': its <target> is empty but was edited: write the translation, "
                                "or set the state back to needs-review-translation",)


def test_an_xliff_whose_tool_dropped_newsdesks_alt_trans_counts_translated_units():
    data = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">
<file original="a" source-language="en-GB" target-language="de-DE" datatype="plaintext"><body>
<group id="g"><trans-unit id="0"><source>Aid <g id="1">arrived</g>.</source><target state="translated">Hilfe <g id="1">kam</g> an.</target></trans-unit></group>
<trans-unit id="1"><source>Talks resume.</source><target state="needs-review-translation">Gespräche.</target></trans-unit>
<trans-unit id="2" translate="no"><source>AFP</source><target state="final">AFP</target></trans-unit>
<trans-unit id="3"><source>Rain.</source></trans-unit>
</body></file></xliff>""".encode()
    assert exchange.read_corrections(data) == exchange.Reading(
        corrections=(Correction("en", "de", "Aid arrived.", "Hilfe kam an."),), problems=(), passed_over=3)


# --- the command line ----------------------------------------------------------------------------------

@pytest.fixture
def run(monkeypatch, capsys, tmp_path):
    """Run `newsdesk ARGS` in-process with the memory group registered; return (code, out, err)."""
    from service.cli import main

    monkeypatch.setenv("NEWSDESK_MEMORY_DB", str(tmp_path / "cli" / "memory.sqlite3"))

    def run_cli(*args) -> tuple[int, str, str]:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run_cli


def test_cli_add_list_remove(run, tmp_path):
    where = tmp_path / "cli" / "memory.sqlite3"
    code, out, err = run("memory", "add", "--from", "en", "--to", "DE", "Gadhafi  must quit.", "Gaddafi muss gehen.")
    assert (code, err) == (0, "")
    assert out == f"stored en->de: 'Gadhafi must quit.' => 'Gaddafi muss gehen.' in {where}\n"
    run("memory", "add", "--from", "en", "--to", "ru", "Gadhafi must quit.", "Каддафи должен уйти.")
    code, out, _ = run("memory", "list", "--to", "de")
    updated = memory.entries(memory_settings(where))[0].updated
    assert (code, out) == (0, f"en->de  Gadhafi must quit.  =>  Gaddafi muss gehen.  ((command line), {updated})\n")
    code, out, _ = run("memory", "list", "--search", "каддафи", "--json")
    assert code == 0 and [(e["target"], e["translation"]) for e in json.loads(out)] == [("ru", "Каддафи должен уйти.")]
    code, out, err = run("memory", "remove", "--from", "en", "--to", "de", "Gadhafi must quit.")
    assert (code, out, err) == (0, "removed en->de: 'Gadhafi must quit.' => 'Gaddafi muss gehen.'\n", "")
    code, out, err = run("memory", "remove", "--from", "en", "--to", "de", "Gadhafi must quit.")
    assert (code, out) == (2, "")
    assert err == ("error: the translation memory holds no en->de correction of 'Gadhafi must quit.': list them with "
                   "`newsdesk memory list --from en --to de`\n")
    code, out, _ = run("memory", "list", "--to", "de")
    assert (code, out) == (0, f"no corrections match in {where}; add one with "
                              "`newsdesk memory add --from en --to de SENTENCE TRANSLATION`\n")


def memory_settings(path: Path):
    from service.config import Settings

    return Settings.load(environ={}, overrides={"memory_db": path})


def test_cli_export_then_import_into_another_memory(run, tmp_path, monkeypatch):
    run("memory", "add", "--from", "en", "--to", "de", "Aid arrived.", "Hilfe kam an.")
    run("memory", "add", "--from", "en", "--to", "ru", "Aid arrived.", "Помощь прибыла.")
    code, out, err = run("memory", "export", "--to", "de")
    assert (code, err) == (0, "")
    assert [(c.source, c.target, c.sentence, c.translation) for c in exchange.read_tmx(out.encode()).corrections] == [
        ("en", "de", "Aid arrived.", "Hilfe kam an.")]
    exported = tmp_path / "export.tmx"
    exported.write_text(out, encoding="utf-8")
    monkeypatch.setenv("NEWSDESK_MEMORY_DB", str(tmp_path / "other.sqlite3"))
    code, out, err = run("memory", "import", exported)
    assert (code, err) == (0, "")
    assert out == (f"imported 1 correction(s) from {exported} into {tmp_path / 'other.sqlite3'}; "
                   "`newsdesk memory restore` undoes it\n")
    assert [(e.target, e.translation) for e in memory.entries(memory_settings(tmp_path / "other.sqlite3"))] == [
        ("de", "Hilfe kam an.")]


def test_restore_undoes_an_import_and_a_second_restore_redoes_it(store):
    memory.put(store, source="en", target="de", sentence="Aid arrived.", translation="Hilfe kam an.",
               changed_by="desk-a")
    memory.put(store, source="en", target="de", sentence="Talks resumed.", translation="Gespräche gingen weiter.",
               changed_by="desk-a")
    before = memory.entries(store)
    imported = memory.import_corrections(store, corrections=[
        Correction("en", "de", "Aid arrived.", "Made up."), Correction("en", "ru", "Aid arrived.", "Выдумка.")],
        why="import of bad.tmx", changed_by="intruder")
    assert [(e.target, e.translation) for e in imported] == [("de", "Made up."), ("ru", "Выдумка.")]
    version = memory.version(store, source="en", target="de")
    kept = memory.previous(store)
    assert (kept.saved_by, kept.why, kept.sentences) == ("intruder", "import of bad.tmx", 2)
    restored, back, gone = memory.restore(store, changed_by="admin")
    assert (restored, back, gone) == (kept, 1, 1)
    assert memory.entries(store) == before  # the desk's correction as it was, who made it and when included
    assert memory.lookup_many(store, source="en", target="ru", sentences=["Aid arrived."]) == [None]
    assert memory.version(store, source="en", target="de") != version  # cached translations are not reused
    assert (memory.previous(store).saved_by, memory.previous(store).why) == ("admin", "restore")
    memory.restore(store)
    assert [(e.target, e.sentence, e.translation, e.changed_by) for e in memory.entries(store)] == [
        ("de", "Aid arrived.", "Made up.", "intruder"), ("de", "Talks resumed.", "Gespräche gingen weiter.", "desk-a"),
        ("ru", "Aid arrived.", "Выдумка.", "intruder")]


def test_restore_with_nothing_kept_says_what_keeps_a_version(store):
    memory.put(store, source="en", target="de", sentence="Aid arrived.", translation="Hilfe kam an.")
    assert memory.previous(store) is None
    with pytest.raises(InvalidInput) as refused:
        memory.restore(store)
    assert str(refused.value) == ("no earlier version of the translation memory is kept: one is kept each time "
                                  "`newsdesk memory import` changes it")


def test_cli_restore_undoes_the_last_import(run, tmp_path):
    run("memory", "add", "--from", "en", "--to", "de", "Aid arrived.", "Hilfe kam an.")
    tmx = tmp_path / "overwrite.tmx"
    tmx.write_text(exchange.write_tmx([memory.Entry("en", "de", "Aid arrived.", "Made up.", "2026-01-01T00:00:00Z")]),
                   encoding="utf-8")
    assert run("memory", "import", tmx)[0] == 0
    code, out, err = run("memory", "restore")
    assert (code, err) == (0, "")
    assert out.startswith("restored the 1 sentence(s) set aside ")
    assert out.endswith(" by (command line) (import of overwrite.tmx): 1 correction(s) as they were, 0 removed that "
                        "were new; what this replaced is kept: `newsdesk memory restore` again brings it back\n")
    settings = memory_settings(tmp_path / "cli" / "memory.sqlite3")
    assert [e.translation for e in memory.entries(settings)] == ["Hilfe kam an."]


def test_cli_import_refuses_a_file_with_unusable_units_unless_told(run, tmp_path):
    bad = tmp_path / "bad.tmx"
    bad.write_bytes(BAD_TMX)
    code, out, err = run("memory", "import", bad)
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0] == f"{bad}: unit 2 (line 5): it uses the entity &xxe;, which is not expanded (entities are read as " \
                       "they stand, for safety): write the character itself"
    assert len(lines) == 9
    assert lines[-1] == (f"error: nothing imported: 8 unit(s) of {bad} cannot be used (listed above); fix them, or pass "
                         "--skip-unusable to import the rest")
    assert memory.entries(memory_settings(tmp_path / "cli" / "memory.sqlite3")) == []
    code, out, err = run("memory", "import", "--skip-unusable", bad)
    assert code == 0 and len(err.splitlines()) == 8
    assert out == (f"imported 1 correction(s) from {bad} into {tmp_path / 'cli' / 'memory.sqlite3'}; "
                   "8 unusable unit(s) skipped; `newsdesk memory restore` undoes it\n")


def test_cli_imports_a_reviewed_xliff(run, article, tmp_path):
    reviewed = tmp_path / "article.de.xlf"
    reviewed.write_bytes(_review(exchange.article_to_xliff(article, target="de"), {"1": ("Der Verkehr läuft.", None)}))
    code, out, err = run("memory", "import", reviewed)
    assert (code, err) == (0, "")
    assert out == (f"imported 1 correction(s) from {reviewed} into {tmp_path / 'cli' / 'memory.sqlite3'}; "
                   "2 unit(s) left as newsdesk translated them; `newsdesk memory restore` undoes it\n")


# --- the HTTP door ------------------------------------------------------------------------------------

@pytest.fixture
def memory_app(make_app, tmp_path):
    """The app, with its memory in a file of this test's own."""

    def build(**extra):
        return make_app(memory_db=tmp_path / "http" / "memory.sqlite3", **extra)

    return build


def test_http_put_list_delete(memory_app):
    client = memory_app().test_client()
    body = {"source": "en", "target": "de", "sentence": " Gadhafi must quit. ", "translation": "Gaddafi muss gehen."}
    response = client.put("/api/v1/memory", json=body)
    assert response.status_code == 200
    entry = response.get_json()
    assert list(entry) == ["source", "target", "sentence", "translation", "updated", "changed_by"]
    assert {k: entry[k] for k in ("source", "target", "sentence", "translation", "changed_by")} == {
        "source": "en", "target": "de", "sentence": "Gadhafi must quit.", "translation": "Gaddafi muss gehen.",
        "changed_by": "(no key)"}  # keys are off
    client.put("/api/v1/memory", json={**body, "target": "ru", "translation": "Каддафи должен уйти."})
    assert client.get("/api/v1/memory").get_json()["entries"][0] == entry
    listed = client.get("/api/v1/memory?source=en&target=ru&search=КАДДАФИ&limit=5&offset=0").get_json()
    assert [e["translation"] for e in listed["entries"]] == ["Каддафи должен уйти."]
    assert [e["target"] for e in client.get("/api/v1/memory?limit=1&offset=1").get_json()["entries"]] == ["ru"]
    response = client.delete("/api/v1/memory", json={"source": "en", "target": "de", "sentence": "Gadhafi must quit."})
    assert (response.status_code, response.get_json()) == (200, {"removed": entry})
    response = client.delete("/api/v1/memory?source=en&target=ru&sentence=Gadhafi%20must%20quit.")
    assert response.status_code == 200
    response = client.delete("/api/v1/memory", json={"source": "en", "target": "ru", "sentence": "Gadhafi must quit."})
    assert (response.status_code, response.get_json()) == (400, {"error": (
        "the translation memory holds no en->ru correction of 'Gadhafi must quit.': list them with "
        "`newsdesk memory list --from en --to ru`")})


@pytest.mark.parametrize("method, path, body, message", [
    ("put", "/api/v1/memory", {"target": "de", "sentence": "A.", "translation": "B."},
     "field 'source' is missing: give a language code such as 'en' or 'de'"),
    ("put", "/api/v1/memory", {"source": "en", "target": "xx", "sentence": "A.", "translation": "B."},
     "field 'target': 'xx' is not a language newsdesk knows; use one of: ar, de, en, es, fr, it, nl, pl, pt, ru, tr, uk"),
    ("put", "/api/v1/memory", {"source": "en", "target": "de", "translation": "B."},
     "field 'sentence' is missing: send the text to work on"),
    ("put", "/api/v1/memory", {"source": ["en"], "target": "de", "sentence": "A.", "translation": "B."},
     "field 'source' must be a language code (a string) such as 'en' or 'de'"),
    ("put", "/api/v1/memory", {"source": "auto", "target": "de", "sentence": "A.", "translation": "B."},
     "field 'source': 'auto' is not a language newsdesk knows; use one of: ar, de, en, es, fr, it, nl, pl, pt, ru, tr, uk"),
    ("put", "/api/v1/memory", {"source": "en", "target": "de", "sentence": "A.", "translation": 3},
     "field 'translation' must be a string"),
    ("put", "/api/v1/memory", {"source": "en", "target": "en", "sentence": "A.", "translation": "B."},
     "source and target are both 'en': a correction translates from one language into another"),
    ("get", "/api/v1/memory?limit=0", None, "field 'limit' must be a whole number of at least 1 and at most 1,000 (got '0')"),
    ("get", "/api/v1/memory?offset=-1", None, "field 'offset' must be a whole number of at least 0 (got '-1')"),
    ("get", "/api/v1/memory?source=english", None,
     "field 'source': 'english' is not a language newsdesk knows; use one of: ar, de, en, es, fr, it, nl, pl, pt, ru, tr, uk"),
    ("delete", "/api/v1/memory", {"source": "en", "target": "de"}, "field 'sentence' is missing: send the text to work on"),
], ids=["no-source", "unknown-target", "no-sentence", "source-not-text", "auto-source", "translation-not-text", "same-language", "limit-zero",
        "negative-offset", "unknown-filter", "delete-without-sentence"])
def test_http_errors_name_the_field(memory_app, method, path, body, message):
    response = getattr(memory_app().test_client(), method)(path, json=body)
    assert (response.status_code, response.get_json()) == (400, {"error": message})


def test_suggest_is_refused_with_libretranslates_words_when_off(memory_app):
    response = memory_app().test_client().post("/suggest", data={"q": "Hello.", "s": "Hallo.", "source": "en",
                                                                 "target": "de"})
    assert (response.status_code, response.get_json()) == (403, {
        "error": "Suggestions are disabled on this server.",
        "explanation": "this service keeps no suggestions (NEWSDESK_SUGGESTIONS is off); its administrator can turn it "
                       "on, and suggestions then go into the translation memory, which editors review at /api/v1/memory"})


@pytest.mark.parametrize("missing, holds", [
    ("q", "the original text"), ("s", "the suggested translation of q"), ("source", "the language code of q"),
    ("target", "the language code of s"),
], ids=["q", "s", "source", "target"])
def test_suggest_names_the_missing_parameter_as_libretranslate(memory_app, missing, holds):
    fields = {"q": "Hello.", "s": "Hallo.", "source": "en", "target": "de", missing: ""}
    response = memory_app(suggestions=True).test_client().post("/suggest", data=fields)
    assert (response.status_code, response.get_json()) == (400, {
        "error": f"Invalid request: missing {missing} parameter", "explanation": f"field {missing!r} is missing: send {holds}"})


def test_suggest_stores_the_suggestion_sentence_by_sentence(memory_app):
    app = memory_app(suggestions=True)
    client = app.test_client()
    response = client.post("/suggest", json={"q": "Talks resume. Aid arrived.", "s": "Gespräche gehen weiter. Hilfe kam.",
                                             "source": "en", "target": "de"})
    assert (response.status_code, response.get_json()) == (200, {"success": True})
    response = client.post("/suggest", data={"q": "One. Two.", "s": "Eins und zwei.", "source": "en", "target": "de"})
    assert response.status_code == 200
    settings = app.config["NEWSDESK"]
    assert memory.lookup_many(settings, source="en", target="de", sentences=[
        "Talks resume.", "Aid arrived.", "One. Two.", "One."]) == ["Gespräche gehen weiter.", "Hilfe kam.", "Eins und zwei.", None]


def test_suggest_with_source_auto_stores_under_the_detected_language(memory_app):
    app = memory_app(suggestions=True)
    response = app.test_client().post("/suggest", data={
        "q": "Dock workers in Rotterdam ended a five-day strike on Tuesday.", "s": "Die Hafenarbeiter streikten nicht mehr.",
        "source": "auto", "target": "de"})
    assert (response.status_code, response.get_json()) == (200, {"success": True})
    assert [(e.source, e.target) for e in memory.entries(app.config["NEWSDESK"])] == [("en", "de")]


def test_each_correction_names_who_changed_it_last_and_lists_filter_by_it(store):
    memory.put(store, source="en", target="de", sentence="Talks resume.", translation="Gespräche gehen weiter.",
               changed_by="desk")
    memory.put(store, source="en", target="de", sentence="Aid arrived.", translation="Hilfe kam.")
    assert [(e.sentence, e.changed_by) for e in memory.entries(store)] == [
        ("Aid arrived.", "(command line)"), ("Talks resume.", "desk")]
    assert [e.sentence for e in memory.entries(store, changed_by="desk")] == ["Talks resume."]
    memory.put(store, source="en", target="de", sentence="Talks resume.", translation="Die Gespräche gehen weiter.",
               changed_by="chief")
    assert memory.entries(store, changed_by="desk") == []


def test_a_memory_file_from_before_issue_31_is_read_and_its_corrections_name_nobody(sqlite_settings):
    import sqlite3

    path = sqlite_settings.memory_db
    path.parent.mkdir(parents=True)
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE memory (source TEXT NOT NULL, target TEXT NOT NULL, sentence TEXT NOT NULL, translation "
                "TEXT NOT NULL, updated TEXT NOT NULL, PRIMARY KEY (source, target, sentence)) WITHOUT ROWID")
    old.execute("INSERT INTO memory VALUES ('en', 'de', 'Aid arrived.', 'Hilfe kam.', '2025-01-02T03:04:05+00:00')")
    old.commit()
    old.close()
    assert memory.entries(sqlite_settings) == [
        memory.Entry("en", "de", "Aid arrived.", "Hilfe kam.", "2025-01-02T03:04:05+00:00", "")]
    assert memory.lookup_many(sqlite_settings, source="en", target="de", sentences=["Aid arrived."]) == ["Hilfe kam."]
