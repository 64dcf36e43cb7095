"""The glossary (issue 16): terms and placeholders, the SQLite store and its files, the CLI and the API."""

from __future__ import annotations

import json
import pickle
import stat

import pytest
from flask import Flask

from service.desk import glossary, glossary_files
from service.cli import cli, main
from service.cli.glossary import glossary_group
from service.errors import InvalidInput
from service.http import glossary as glossary_api
from service.http import inputs
from service.translation import load_pack, translate_with_pack
from service.translation import packs as langpacks
from service.translation.terms import (Glossary, Protected, Replacement, clean_language, clean_term, compile_terms,
                                       content_hash, protect, restore, term_table)
from tests.argospack import build_pack
from tests.stored import glossary_at

GADDAFI = {"Gadhafi": "Gaddafi"}
NEWSROOM = Glossary(by_target={"de": {"Gadhafi": "Gaddafi", "Tripoli": "Tripolis"}, "ru": {"Gadhafi": "Каддафи"}},
                    keep=("NTC",))


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "glossary.sqlite3"


# --- the Glossary -----------------------------------------------------------------


def test_equal_content_makes_equal_glossaries_and_versions():
    shuffled = Glossary(by_target={"ru": {"Gadhafi": "Каддафи"}, "de": {"Tripoli": "Tripolis", "Gadhafi": "Gaddafi"},
                                   "ar": {}}, keep=("NTC", "NTC"))
    assert shuffled == NEWSROOM
    assert shuffled.version == NEWSROOM.version
    assert len(NEWSROOM.version) == 16 and int(NEWSROOM.version, 16) >= 0
    assert hash(shuffled) == hash(NEWSROOM)


@pytest.mark.parametrize("changed", [
    Glossary(by_target={"de": {"Gadhafi": "Gaddafi", "Tripoli": "Tripoli"}, "ru": {"Gadhafi": "Каддафи"}}, keep=("NTC",)),
    Glossary(by_target={"de": {"Gadhafi": "Gaddafi", "Tripoli": "Tripolis"}, "ru": {"Gadhafi": "Каддафи"}}),
    Glossary(by_target={"de": {"Gadhafi": "Gaddafi", "Tripoli": "Tripolis"}}, keep=("NTC",)),
], ids=["a-term", "keep", "a-language"])
def test_any_change_changes_the_version(changed):
    assert changed.version != NEWSROOM.version


def test_the_empty_glossary_has_a_stable_version():
    assert Glossary().version == Glossary(by_target={"de": {}}).version == content_hash({"terms": {}, "keep": []})


def test_a_glossary_pickles_for_batch_jobs():
    assert pickle.loads(pickle.dumps(NEWSROOM)) == NEWSROOM


def test_as_dict_is_the_api_shape():
    assert NEWSROOM.as_dict() == {"terms": {"de": {"Gadhafi": "Gaddafi", "Tripoli": "Tripolis"},
                                            "ru": {"Gadhafi": "Каддафи"}},
                                  "keep": ["NTC"], "version": NEWSROOM.version}
    assert NEWSROOM.size == 4


def test_for_target_keeps_kept_terms_and_adds_that_language():
    assert NEWSROOM.for_target("de") == {"NTC": "NTC", "Gadhafi": "Gaddafi", "Tripoli": "Tripolis"}
    assert NEWSROOM.for_target("ar") == {"NTC": "NTC"}
    assert Glossary().for_target("de") == {}
    overriding = Glossary(by_target={"de": {"NTC": "NÜR"}}, keep=("NTC",))
    assert overriding.for_target("de") == {"NTC": "NÜR"}
    assert overriding.for_target("ru") == {"NTC": "NTC"}


def test_merged_lets_the_other_glossary_win():
    inline = Glossary(by_target={"de": {"Gadhafi": "Gadhafi"}, "ar": {"NTC": "المجلس"}}, keep=("Tripoli",))
    assert NEWSROOM.merged(inline) == Glossary(
        by_target={"de": {"Gadhafi": "Gadhafi"}, "ru": {"Gadhafi": "Каддафи"}, "ar": {"NTC": "المجلس"}},
        keep=("NTC", "Tripoli"))
    assert NEWSROOM.merged(Glossary()) == NEWSROOM
    assert Glossary().merged(NEWSROOM) == NEWSROOM


@pytest.mark.parametrize(("value", "expected"), [
    ("  Gaddafi ", "Gaddafi"),
    ("New   York\u00a0Times", "New York Times"),
    ("Jose\u0301", "José"),  # NFC, as typed text usually is
    ("U.S.", "U.S."),
], ids=["stripped", "one-space", "nfc", "dots"])
def test_clean_term_normalises(value, expected):
    assert clean_term(value, what="the term") == expected


@pytest.mark.parametrize(("value", "message"), [
    (3, "the term must be a term (a string), not int"),
    ("   ", "the term is empty: give the term"),
    ("a\nb", "the term holds a line break or control character: a term is one line of text"),
    ("x" * 201, "the term has 201 characters; a term has at most 200"),
    ("--", "the term '--' has no letter or digit: a term is a word or words"),
], ids=["not-a-string", "empty", "two-lines", "too-long", "no-letter"])
def test_clean_term_refuses(value, message):
    with pytest.raises(InvalidInput) as error:
        clean_term(value, what="the term")
    assert str(error.value) == message


def test_clean_language():
    assert clean_language(" DE ", what="--to") == "de"
    with pytest.raises(InvalidInput) as error:
        clean_language("German", what="--to")
    assert str(error.value) == "--to: 'German' is not a language code; use an ISO 639-1 code such as 'de', 'ru' or 'ar'"


# --- protect and restore ----------------------------------------------------------


@pytest.mark.parametrize(("terms", "text", "protected"), [
    (GADDAFI, "Gadhafi must quit.", "201 must quit."),
    (GADDAFI, "Gadhafi's son and the Gadhafi-led regime.", "201's son and the 202-led regime."),
    (GADDAFI, "Gadhafis, gadhafi, GADHAFI and AlGadhafi stay.", "Gadhafis, gadhafi, GADHAFI and AlGadhafi stay."),
    ({"NTC": "NTC"}, "The NTC, not the ntc or Ntc.", "The 201, not the ntc or Ntc."),
    ({"rebels": "Rebellen"}, "Rebels took it. The rebels left.", "201 took it. The 202 left."),
    ({"rebels": "Rebellen"}, "The Rebels FC won.", "The Rebels FC won."),
    ({"rebels": "Rebellen"}, 'He said: "Rebels!" («Rebels») and\nRebels.', 'He said: "Rebels!" («201») and\n202.'),
    ({"rebels": "Rebellen", "Rebels FC": "Rebels FC"}, "Rebels FC lost; the Rebels FC won.",
     "201 lost; the 202 won."),
    ({"New York": "NY", "New York Times": "NYT"}, "The New York Times is in New York.", "The 201 is in 202."),
    ({"New York": "NY", "New York Times": "NYT"}, "The New York Timesx is new.", "The 201 Timesx is new."),
    ({"New York": "NY"}, "New\u00a0York and New\n York.", "201 and 202."),
    (GADDAFI, "In 201 and 203 Gadhafi left, ٢٠٢ too.", "In 201 and 203 204 left, ٢٠٢ too."),
    ({"Москва": "Moscow"}, "В Москве, и Москва.", "В Москве, и 201."),
    ({"москва": "Moscow"}, "Москва стоит.", "201 стоит."),
    ({"غزة": "Gaza"}, "في غزة وغزة اليوم", "في 201 وغزة اليوم"),
    ({"محمد": "Mohammed"}, "محمدُ ومحمد", "محمدُ ومحمد"),  # a vocalised form is another word
    ({"Jose": "José"}, "Jose\u0301 and Jose.", "Jose\u0301 and 201."),  # a combining accent ends no word
    ({"U.S.": "USA"}, "U.S. troops, not U.S.A troops.", "201 troops, not U.S.A troops."),
    ({}, "Gadhafi must quit.", "Gadhafi must quit."),
], ids=["one-term", "possessive-and-hyphen", "whole-words-and-exact-case", "acronym-case", "lowercase-at-start",
        "capitalised-mid-sentence-is-a-name", "starts-after-quotes-and-lines", "exact-term-wins-mid-sentence",
        "longest-first", "longest-that-ends-a-word", "any-whitespace", "skips-numbers-in-the-text",
        "cyrillic-boundaries", "cyrillic-capitalised", "arabic-clitic-is-another-word", "arabic-harakat",
        "decomposed-accent", "dots", "no-terms"])
def test_protect(terms, text, protected):
    assert protect(text, terms).text == protected


def test_protect_says_what_goes_back():
    assert protect("Gadhafi met Gadhafi in Tripoli.", term_table(NEWSROOM, "de")) == Protected(
        "201 met 202 in 203.", (Replacement("201", "Gadhafi", "Gaddafi"), Replacement("202", "Gadhafi", "Gaddafi"),
                                Replacement("203", "Tripoli", "Tripolis")))
    assert protect("Nothing here.", term_table(NEWSROOM, "de")) == Protected("Nothing here.", ())


def test_a_plain_mapping_and_a_term_table_protect_alike():
    text = "NTC fighters reached Tripoli, Gadhafi's last city."
    assert protect(text, NEWSROOM.for_target("de")) == protect(text, term_table(NEWSROOM, "de"))


def test_term_tables_are_cached_per_version_and_target():
    assert term_table(NEWSROOM, "de") is term_table(Glossary(by_target=NEWSROOM.by_target, keep=NEWSROOM.keep), "de")
    assert term_table(NEWSROOM, "de") is not term_table(NEWSROOM, "ru")


@pytest.mark.parametrize(("translated", "restored"), [
    ("<de> 201 must quit.", "<de> Gaddafi must quit."),
    ("<de> muss 201 zurücktreten.", "<de> muss Gaddafi zurücktreten."),
    ("٢٠١ يجب أن يرحل", "Gaddafi يجب أن يرحل"),  # Arabic-Indic digits are the same number
    ("<de> must quit.", None),  # lost
    ("<de> 201 and 201 must quit.", None),  # doubled
    ("<de> 20 1 must quit.", None),  # split
    ("<de> 2011 must quit.", None),  # run into another number
], ids=["copied", "moved", "arabic-indic-digits", "lost", "doubled", "split", "grown"])
def test_restore(translated, restored):
    assert restore(translated, protect("Gadhafi must quit.", GADDAFI)) == restored


def test_restore_needs_every_placeholder_once():
    protected = protect("Gadhafi met the NTC.", {**GADDAFI, "NTC": "NTC"})
    assert protected.text == "201 met the 202."
    assert restore("202 traf 201.", protected) == "NTC traf Gaddafi."
    assert restore("201 traf den Rat.", protected) is None


def test_restore_capitalises_a_lowercase_target_term_at_a_sentence_start():
    protected = protect("The rebels left. Rebels came.", {"rebels": "повстанцы"})
    assert protected.text == "The 201 left. 202 came."
    assert restore("201 ушли. 202 пришли.", protected) == "Повстанцы ушли. Повстанцы пришли."
    assert restore("Ушли 201, пришли 202.", protected) == "Ушли повстанцы, пришли повстанцы."
    kept = protect("iPhone sales", {"iPhone": "iPhone"})
    assert restore("201 Verkäufe", kept) == "iPhone Verkäufe"


def test_restore_without_replacements_gives_the_translation():
    assert restore("<de> Hallo.", Protected("Hello.")) == "<de> Hallo."


def test_a_thousand_terms_compile_into_one_pattern():
    terms = {f"Name{i}": f"Nom{i}" for i in range(1000)} | {"New York": "NY", "New York Times": "NYT"}
    table = compile_terms(terms)
    protected = protect("Name7 and Name700 read the New York Times.", table)
    assert protected.text == "201 and 202 read the 203."
    assert restore(protected.text, protected) == "Nom7 and Nom700 read the NYT."


@pytest.fixture(scope="module")
def copy_packs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("glossary_packs")
    return {"en_de": build_pack(folder, "en", "de"), "ru_en": build_pack(folder, "ru", "en")}


@pytest.mark.parametrize(("pair", "glossary_for", "text", "expected"), [
    (("en", "de"), GADDAFI, "Gadhafi must quit.", "<de> Gaddafi must quit."),
    (("en", "de"), NEWSROOM.for_target("de"), "The NTC took Tripoli from Gadhafi.",
     "<de> The NTC took Tripolis from Gaddafi."),
    (("ru", "en"), {"Роттердаме": "Rotterdam", "Суда": "Ships"}, "Суда ждут в Роттердаме.",
     "<en> Ships ждут в Rotterdam."),
], ids=["issue-16", "several-terms", "cyrillic-source"])
def test_copy_pack_round_trip(copy_packs, settings, pair, glossary_for, text, expected):
    langpacks.install_archive(copy_packs["_".join(pair)], settings)
    protected = protect(text, glossary_for)
    [translated] = translate_with_pack([protected.text], load_pack(*pair, settings), settings)
    assert restore(translated, protected) == expected


# --- the store --------------------------------------------------------------------


def test_store_round_trip_and_private_file(db):
    assert glossary.load(glossary_at(db)) == Glossary()
    assert not db.exists()
    assert glossary.add_term(glossary_at(db), target="de", source_term="Gadhafi", target_term="Gadafi") is None
    assert glossary.add_term(glossary_at(db), target="DE", source_term=" Gadhafi", target_term="Gaddafi") == "Gadafi"
    assert glossary.add_term(glossary_at(db), target="de", source_term="Tripoli", target_term="Tripolis") is None
    assert glossary.add_term(glossary_at(db), target="ru", source_term="Gadhafi", target_term="Каддафи") is None
    assert glossary.keep_term(glossary_at(db), "NTC") is True
    assert glossary.keep_term(glossary_at(db), "NTC") is False
    assert glossary.load(glossary_at(db)) == NEWSROOM
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


def test_add_term_checks_its_values(db):
    with pytest.raises(InvalidInput) as error:
        glossary.add_term(glossary_at(db), target="German", source_term="Gadhafi", target_term="Gaddafi")
    assert str(error.value) == ("target language: 'German' is not a language code; use an ISO 639-1 code such as "
                                "'de', 'ru' or 'ar'")
    with pytest.raises(InvalidInput) as error:
        glossary.add_term(glossary_at(db), target="de", source_term="Gadhafi", target_term="")
    assert str(error.value) == "the target term is empty: give the term"


def test_remove_term_from_one_language_or_everywhere(db):
    glossary.replace_all(glossary_at(db), Glossary(by_target=NEWSROOM.by_target, keep=("NTC", "Gadhafi")))
    assert glossary.remove_term(glossary_at(db), "Gadhafi", target="ru") == {"ru": "Каддафи"}
    assert glossary.remove_term(glossary_at(db), "Gadhafi") == {"*": "Gadhafi", "de": "Gaddafi"}
    assert glossary.load(glossary_at(db)) == Glossary(by_target={"de": {"Tripoli": "Tripolis"}}, keep=("NTC",))


@pytest.mark.parametrize(("term", "target", "message"), [
    ("Gadafi", None, "'Gadafi' is not in the glossary; did you mean 'Gadhafi'? (terms: Gadhafi, NTC, Tripoli; "
                     "`newsdesk glossary list` shows them all)"),
    ("Gadhafi", "ar", "'Gadhafi' is not in the glossary for ar; it is there for: de, ru"),
    ("NTC", "de", "'NTC' is not in the glossary for de; it is there for: kept in every language"),
    ("Benghazi", None, "'Benghazi' is not in the glossary (terms: Gadhafi, NTC, Tripoli; "
                       "`newsdesk glossary list` shows them all)"),
], ids=["close-match", "other-languages", "kept-only", "unknown"])
def test_remove_term_names_what_there_is(db, term, target, message):
    glossary.replace_all(glossary_at(db), NEWSROOM)
    with pytest.raises(InvalidInput) as error:
        glossary.remove_term(glossary_at(db), term, target=target)
    assert str(error.value) == message


def test_remove_from_an_empty_glossary(db):
    with pytest.raises(InvalidInput) as error:
        glossary.remove_term(glossary_at(db), "NTC")
    assert str(error.value) == "'NTC' is not in the glossary: the glossary is empty"


def test_replace_all_replaces_everything(db):
    glossary.replace_all(glossary_at(db), NEWSROOM)
    assert glossary.replace_all(glossary_at(db), Glossary(keep=("BBC",))) == Glossary(keep=("BBC",))
    assert glossary.load(glossary_at(db)) == Glossary(keep=("BBC",))


# --- files ------------------------------------------------------------------------

LONG_CSV = ("source,language,term\n"
            "Gadhafi,de,Gaddafi\n"
            "Tripoli,de,Tripolis\n"
            "\n"
            "Gadhafi,ru,Каддафи\n"
            "NTC,*,\n")
WIDE_CSV = ("\ufeffsource,de,ru,keep\n"
            "Gadhafi,Gaddafi,Каддафи,\n"
            "Tripoli,Tripolis,,no\n"
            "NTC,,,yes\n")
TBX_2 = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">
<martif type="TBX" xml:lang="en-GB">
  <text><body>
    <termEntry id="e1">
      <langSet xml:lang="en"><tig><term>Gadhafi</term></tig></langSet>
      <langSet xml:lang="de-DE">
        <tig><term>Gadafi</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
        <tig><term>Gaddafi</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
      </langSet>
      <langSet xml:lang="ru"><ntig><termGrp><term>Каддафи</term></termGrp></ntig></langSet>
    </termEntry>
    <termEntry id="e2">
      <langSet xml:lang="en"><tig><term>Tripoli</term></tig></langSet>
      <langSet xml:lang="de"><tig><term>Tripolis</term></tig></langSet>
    </termEntry>
    <termEntry id="e3"><langSet xml:lang="en"><tig><term>NTC</term></tig></langSet></termEntry>
  </body></text>
</martif>
"""
TBX_3 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Core" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <text><body>
    <conceptEntry id="c1">
      <langSec xml:lang="en"><termSec><term>Gadhafi</term></termSec></langSec>
      <langSec xml:lang="de"><termSec><term>Gaddafi</term></termSec><termSec><term>Gadafi</term></termSec></langSec>
      <langSec xml:lang="ru"><termSec><term>Каддафи</term></termSec></langSec>
    </conceptEntry>
    <conceptEntry id="c2">
      <langSec xml:lang="en"><termSec><term>Tripoli</term></termSec></langSec>
      <langSec xml:lang="de"><termSec><term>Tripolis</term></termSec></langSec>
    </conceptEntry>
    <conceptEntry id="c3">
      <descrip type="doNotTranslate">yes</descrip>
      <langSec xml:lang="en"><termSec><term>NTC</term></termSec></langSec>
      <langSec xml:lang="ar"><termSec><term>المجلس الوطني الانتقالي</term></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


@pytest.mark.parametrize(("file_name", "data", "expected"), [
    ("newsroom.csv", LONG_CSV, NEWSROOM),
    ("newsroom.csv", LONG_CSV.removeprefix("source,language,term\n").replace("NTC,*,", "NTC,keep,NTC"), NEWSROOM),
    ("newsroom.tsv", LONG_CSV.replace(",", "\t"), NEWSROOM),
    ("newsroom.CSV", WIDE_CSV, NEWSROOM),
    ("newsroom.tsv", WIDE_CSV.replace(",", "\t"), NEWSROOM),
    ("newsroom.csv", WIDE_CSV.replace(",", ";"), NEWSROOM),
    ("newsroom.csv", 'source,de\n"Gadhafi, Muammar","Gaddafi, Muammar"\n',
     Glossary(by_target={"de": {"Gadhafi, Muammar": "Gaddafi, Muammar"}})),
    ("newsroom.tbx", TBX_2, NEWSROOM),
    ("newsroom.tbx", TBX_3, NEWSROOM.merged(Glossary(by_target={"ar": {"NTC": "المجلس الوطني الانتقالي"}},
                                                     keep=("NTC",)))),
], ids=["csv-rows", "csv-rows-no-header-keep-word", "tsv-rows", "csv-columns", "tsv-columns", "csv-semicolons",
        "csv-quoted",
        "tbx-2", "tbx-3-do-not-translate"])
def test_read_terms(file_name, data, expected):
    assert glossary_files.read_terms(data.encode("utf-8"), file_name=file_name) == expected


TBX_HEAD = '<martif type="TBX" xml:lang="en"><text><body>'
TBX_TAIL = "</body></text></martif>"


@pytest.mark.parametrize(("file_name", "data", "message"), [
    ("terms.xlsx", b"PK", "terms.xlsx: not a glossary file; give a .csv, .tsv or .tbx file (TermBase eXchange)"),
    ("terms.csv", b"Gadhafi,de,Gaddafi\nM\xfcller,de,M\xfcller\n",
     "terms.csv: line 2 is not UTF-8 text: save the file as UTF-8 (in a spreadsheet: CSV UTF-8) and import it again"),
    ("terms.csv", b"\n \n", "terms.csv: the file holds no terms"),
    ("terms.csv", b'Gadhafi,de,Gaddafi\nTripoli,de,"Tripolis\n\n', 'terms.csv: line 2: unexpected end of data: put a field that holds '
                                            'quotes, commas or line breaks in double quotes, with each " inside written ""'),
    ("terms.csv", "Gadhafi,de\nTripoli,German,Tripolis\nNTC,*,NÜR\nGadhafi,de,Gaddafi\nGadhafi,de,Gadafi\n,de,x\n"
                  .encode(),
     "terms.csv: 5 problems, so nothing was imported:\n"
     "  line 1: 2 columns; a row has 3: source term, target language, target term (or a header row such as "
     "source,de,ru,keep)\n"
     "  line 2: the target language: 'German' is not a language code; use an ISO 639-1 code such as 'de', 'ru' or 'ar'\n"
     "  line 3: a kept term (*) is written as it is, so its third column is empty or 'NTC', not 'NÜR'\n"
     "  line 5: 'Gadhafi' for de is 'Gadafi' here but 'Gaddafi' on line 4: keep one of them\n"
     "  line 6: the source term is empty: give the term"),
    ("terms.csv", b"source,de,German\nGadhafi,Gaddafi,x\n",
     "terms.csv: 1 problem, so nothing was imported:\n  line 1, column 3 of the header: 'German' is not a language "
     "code; use an ISO 639-1 code such as 'de', 'ru' or 'ar' (or 'keep' for the column that keeps terms)"),
    ("terms.csv", b"source,de,de\nGadhafi,Gaddafi,x\n",
     "terms.csv: 1 problem, so nothing was imported:\n  line 1: the header names each language once after "
     "'source', e.g. source,de,ru,ar,keep"),
    ("terms.csv", b"source,de,keep\nNTC,,maybe\nGadhafi,Gaddafi,,extra\n",
     "terms.csv: 2 problems, so nothing was imported:\n"
     "  line 2, column keep: 'maybe' is neither yes nor no: write yes to keep 'NTC' as it is in every language, "
     "or leave the cell empty\n"
     "  line 3: 4 columns but the header names 3: put the cells under the header's languages"),
    ("terms.tbx", b"<martif><text>", "terms.tbx: not well-formed XML at line 1, column 15: Premature end of data "
                                     "in tag text line 1; a TBX file is XML, check that its tags close and its & are written &amp;"),
    ("terms.tbx", b"<glossary/>", "terms.tbx: not TBX: its root element is <glossary>, not <martif> (TBX 2) or "
                                  "<tbx> (TBX 3)"),
    ("terms.tbx", b'<martif type="TBX"><text><body/></text></martif>',
     'terms.tbx: <martif> names no source language: add xml:lang="en" (the language of the source terms) to it'),
    ("terms.tbx", f"{TBX_HEAD}{TBX_TAIL}".encode(),
     "terms.tbx: no <termEntry> or <conceptEntry>: is it a TBX termbase?"),
    ("terms.tbx", (f'{TBX_HEAD}<termEntry id="x7"><langSet xml:lang="de"><tig><term>Gaddafi</term></tig></langSet>'
                   f'<langSet xml:lang="ru"><tig><term>Каддафи</term></tig></langSet></termEntry>'
                   f'<termEntry/><termEntry><langSet><tig><term>A</term></tig></langSet></termEntry>'
                   f'<termEntry><langSet xml:lang="en"><tig><term> </term></tig></langSet></termEntry>{TBX_TAIL}').encode(),
     "terms.tbx: 4 problems, so nothing was imported:\n"
     "  entry 1 (id x7): no term in the source language en (it has de, ru): add one, or set the file's xml:lang\n"
     "  entry 2: holds no <term>: give it a langSet with a term, or remove it\n"
     "  entry 3: a <langSet> has no usable xml:lang (None): give it one such as xml:lang=\"de\"\n"
     "  entry 4: its en term is empty: give the term"),
    ("terms.tbx", (f'<?xml version="1.0"?><!DOCTYPE martif [<!ENTITY secret SYSTEM "file:///etc/hostname">]>'
                   f'{TBX_HEAD}<termEntry><langSet xml:lang="en"><tig><term>A&secret;</term></tig></langSet>'
                   f'</termEntry>{TBX_TAIL}').encode(),
     "terms.tbx: 1 problem, so nothing was imported:\n  entry 1: its en term uses an XML entity reference: write the "
     "characters themselves (the file is read without its DTD)"),
], ids=["unknown-suffix", "not-utf8", "empty", "open-quote", "every-bad-row", "bad-header-language",
        "header-language-twice", "bad-keep-cell-and-too-many-cells", "tbx-not-xml", "tbx-other-root",
        "tbx-no-source-language", "tbx-no-entries", "tbx-bad-entries", "tbx-external-entity-not-read"])
def test_bad_files_are_refused_whole(db, file_name, data, message):
    glossary.replace_all(glossary_at(db), NEWSROOM)
    with pytest.raises(InvalidInput) as error:
        glossary.import_terms(glossary_at(db), data, file_name=file_name)
    assert str(error.value) == message
    assert glossary.load(glossary_at(db)) == NEWSROOM


def test_import_goes_over_the_stored_glossary(db):
    glossary.replace_all(glossary_at(db), Glossary(by_target={"de": {"Gadhafi": "Gadafi", "Benghazi": "Bengasi"},
                                                 "ar": {"NTC": "المجلس"}}))
    imported = glossary.import_terms(glossary_at(db), LONG_CSV.encode(), file_name="newsroom.csv")
    assert imported == NEWSROOM
    assert glossary.load(glossary_at(db)) == Glossary(
        by_target={"de": {"Gadhafi": "Gaddafi", "Tripoli": "Tripolis", "Benghazi": "Bengasi"},
                   "ru": {"Gadhafi": "Каддафи"}}, keep=("NTC",))


def test_export_csv(db):
    glossary.replace_all(glossary_at(db), NEWSROOM)
    assert glossary.export(glossary_at(db), fmt="csv") == ("source,language,term\n"
                                              "Gadhafi,de,Gaddafi\n"
                                              "Gadhafi,ru,Каддафи\n"
                                              "NTC,*,NTC\n"
                                              "Tripoli,de,Tripolis\n")


def test_export_tbx(db):
    glossary.replace_all(glossary_at(db), Glossary(by_target={"de": {"NTC": "NÜR"}}, keep=("NTC",)))
    assert glossary.export(glossary_at(db), fmt="tbx") == f"""<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en">
  <martifHeader>
    <fileDesc>
      <sourceDesc>
        <p>newsdesk glossary {glossary.load(glossary_at(db)).version}</p>
      </sourceDesc>
    </fileDesc>
  </martifHeader>
  <text>
    <body>
      <termEntry id="t1">
        <note>do not translate</note>
        <langSet xml:lang="en">
          <tig>
            <term>NTC</term>
          </tig>
        </langSet>
        <langSet xml:lang="de">
          <tig>
            <term>NÜR</term>
          </tig>
        </langSet>
      </termEntry>
    </body>
  </text>
</martif>
"""


@pytest.mark.parametrize("fmt", ["csv", "tbx"])
def test_export_then_import_gives_the_same_glossary(db, tmp_path, fmt):
    tricky = NEWSROOM.merged(Glossary(by_target={"de": {"NTC": "NÜR", 'Say "no", then': "Sag <nein> & dann"},
                                                 "ar": {"NTC": "المجلس"}}, keep=("BBC",)))
    glossary.replace_all(glossary_at(db), tricky)
    again = tmp_path / "again.sqlite3"
    glossary.import_terms(glossary_at(again), glossary.export(glossary_at(db), fmt=fmt).encode(), file_name=f"glossary.{fmt}")
    assert glossary.load(glossary_at(again)) == tricky


def test_export_refuses_other_formats(db):
    with pytest.raises(InvalidInput) as error:
        glossary.export(glossary_at(db), fmt="xlsx")
    assert str(error.value) == "'xlsx' is not an export format; use one of: csv, tbx"


# --- the CLI ----------------------------------------------------------------------


@pytest.fixture
def run(db, monkeypatch, capsys):
    """Run `newsdesk ARGS` in-process with the glossary in a temp folder; return (code, out, err)."""
    monkeypatch.setenv("NEWSDESK_GLOSSARY_DB", str(db))
    # Until service/cli/__init__.py adds the group to its list, add it for the test's run only.
    monkeypatch.setitem(cli.commands, "glossary", glossary_group)

    def run_cli(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run_cli


def test_cli_add_keep_list_remove(run, db):
    assert run("glossary", "list") == (0, f"no glossary terms in {db}; add one with `newsdesk glossary add --to de "
                                          "TERM TRANSLATION` or `newsdesk glossary keep TERM`\n", "")
    assert run("glossary", "add", "--to", "de", "Gadhafi", "Gadafi") == (0, "added: 'Gadhafi' is 'Gadafi' in de\n", "")
    assert run("glossary", "add", "--to", "DE", "Gadhafi", "Gaddafi") == (
        0, "changed: 'Gadhafi' is 'Gaddafi' in de (was 'Gadafi')\n", "")
    assert run("glossary", "add", "--to", "de", "Gadhafi", "Gaddafi") == (0, "unchanged: 'Gadhafi' is 'Gaddafi' in de\n", "")
    assert run("glossary", "add", "--to", "ru", "Gadhafi", "Каддафи")[0] == 0
    assert run("glossary", "keep", "NTC") == (0, "kept: 'NTC' stays as it is in every language\n", "")
    assert run("glossary", "keep", "NTC") == (0, "unchanged: 'NTC' is kept already\n", "")
    assert run("glossary", "list") == (0, "keep  NTC\nde    Gadhafi → Gaddafi\nru    Gadhafi → Каддафи\n", "")
    assert run("glossary", "list", "--to", "ru") == (0, "keep  NTC\nru    Gadhafi → Каддафи\n", "")
    code, out, _ = run("glossary", "list", "--to", "de", "--json")
    assert (code, json.loads(out)) == (0, {"terms": {"de": {"Gadhafi": "Gaddafi"}}, "keep": ["NTC"],
                                           "version": glossary.load(glossary_at(db)).version})
    assert run("glossary", "remove", "Gadhafi", "--to", "ru") == (0, "removed: 'Gadhafi' (ru 'Каддафи')\n", "")
    assert run("glossary", "remove", "NTC") == (0, "removed: 'NTC' (kept)\n", "")
    assert glossary.load(glossary_at(db)) == Glossary(by_target={"de": {"Gadhafi": "Gaddafi"}})


@pytest.mark.parametrize(("args", "code", "err"), [
    (("add", "--to", "German", "Gadhafi", "Gaddafi"), 2,
     "error: --to: 'German' is not a language code; use an ISO 639-1 code such as 'de', 'ru' or 'ar'\n"),
    (("add", "Gadhafi", "Gaddafi"), 2, "Error: Missing option '--to'.\n"),
    (("keep", " "), 2, "error: TERM is empty: give the term\n"),
    (("remove", "Gadafi"), 2, "error: 'Gadafi' is not in the glossary: the glossary is empty\n"),
    (("import", "nowhere.csv"), 2, "Error: Invalid value for 'FILE': File 'nowhere.csv' does not exist.\n"),
    (("export", "--format", "xlsx"), 2, "Error: Invalid value for '--format': 'xlsx' is not one of 'csv', 'tbx'.\n"),
], ids=["bad-language", "no-language", "empty-term", "not-there", "no-file", "bad-format"])
def test_cli_errors_exit_2_with_the_fix(run, args, code, err):
    result = run("glossary", *args)
    assert (result[0], result[2].splitlines()[-1] + "\n") == (code, err)
    assert result[1] == ""


def test_cli_import_and_export(run, db, tmp_path):
    file = tmp_path / "newsroom.tbx"
    file.write_text(TBX_2, encoding="utf-8")
    stored = NEWSROOM
    assert run("glossary", "import", file) == (
        0, f"imported newsroom.tbx: 2 for de, 1 for ru, 1 kept; the glossary has 4 entries now (version {stored.version})\n",
        "")
    assert run("glossary", "export") == (0, glossary_files.write_terms(stored, fmt="csv"), "")
    assert run("glossary", "export", "--format", "tbx") == (0, glossary_files.write_terms(stored, fmt="tbx"), "")


def test_cli_import_of_a_bad_file_imports_nothing(run, db, tmp_path):
    file = tmp_path / "bad.csv"
    file.write_text("Gadhafi,German,Gaddafi\n", encoding="utf-8")
    assert run("glossary", "import", file) == (
        2, "", "error: bad.csv: 1 problem, so nothing was imported:\n  line 1: the target language: 'German' is not a "
               "language code; use an ISO 639-1 code such as 'de', 'ru' or 'ar'\n")
    assert glossary.load(glossary_at(db)) == Glossary()


# --- the API ----------------------------------------------------------------------


@pytest.fixture
def app(make_app, db):
    app = make_app(glossary_db=db)
    if "glossary" not in app.blueprints:  # until service/http/__init__.py registers it
        app.register_blueprint(glossary_api.bp)
    return app


def test_get_an_empty_glossary(client):
    response = client.get("/api/v1/glossary")
    assert (response.status_code, response.json) == (200, {"terms": {}, "keep": [], "version": Glossary().version})


def test_put_then_get(client, db):
    body = {"terms": {"de": {"Gadhafi": "Gaddafi", "Tripoli": "Tripolis"}, "ru": {"Gadhafi": "Каддафи"}},
            "keep": ["NTC"]}
    response = client.put("/api/v1/glossary", json=body)
    assert (response.status_code, response.json) == (200, {**body, "version": NEWSROOM.version})
    assert client.get("/api/v1/glossary").json == {**body, "version": NEWSROOM.version}
    assert glossary.load(glossary_at(db)) == NEWSROOM
    again = client.put("/api/v1/glossary", json={**client.get("/api/v1/glossary").json, "keep": []})  # GET's shape back
    assert again.json["keep"] == [] and again.json["terms"] == body["terms"]


@pytest.mark.parametrize(("body", "message"), [
    ([], 'the body must be a JSON object, e.g. {"terms": {"de": {"Gadhafi": "Gaddafi"}}, "keep": ["NTC"]}'),
    ({}, 'send the whole glossary, e.g. {"terms": {"de": {"Gadhafi": "Gaddafi"}}, "keep": ["NTC"]}; to empty it send '
         '{"terms": {}, "keep": []}'),
    ({"term": {}}, "field 'term' is not part of a glossary: send 'terms' and 'keep', e.g. "
                   '{"terms": {"de": {"Gadhafi": "Gaddafi"}}, "keep": ["NTC"]}'),
    ({"terms": []}, "field 'terms' must be an object of language -> {source term: target term}, e.g. "
                    '{"de": {"Gadhafi": "Gaddafi"}}'),
    ({"terms": {"German": {}}}, "field 'terms': 'German' is not a language code; use an ISO 639-1 code such as "
                                "'de', 'ru' or 'ar'"),
    ({"terms": {"de": ["Gaddafi"]}}, "field 'terms' → 'de' must be an object of source term -> target term, e.g. "
                                     '{"Gadhafi": "Gaddafi"}'),
    ({"terms": {"de": {"Gadhafi": 3}}}, "field 'terms' → 'de' → 'Gadhafi' must be a term (a string), not int"),
    ({"terms": {"de": {" ": "x"}}}, "field 'terms' → 'de': the source term ' ' is empty: give the term"),
    ({"keep": "NTC"}, 'field \'keep\' must be a list of terms kept as they are, e.g. ["NTC"]'),
    ({"keep": ["NTC", "a\nb"]}, "field 'keep' item 2 holds a line break or control character: a term is one line of text"),
], ids=["not-an-object", "nothing", "unknown-field", "terms-not-an-object", "bad-language", "language-not-an-object",
        "term-not-a-string", "empty-source-term", "keep-not-a-list", "keep-item-two-lines"])
def test_put_refuses_bad_shapes_by_field(client, db, body, message):
    client.put("/api/v1/glossary", json={"keep": ["BBC"]})
    response = client.put("/api/v1/glossary", json=body)
    assert (response.status_code, response.json) == (400, {"error": message})
    assert glossary.load(glossary_at(db)) == Glossary(keep=("BBC",))


def test_put_needs_json(client):
    response = client.put("/api/v1/glossary", data={"terms": "x"})
    assert (response.status_code, response.json) == (400, {"error": 'send the glossary as JSON (Content-Type: '
                                                           'application/json), e.g. {"terms": {"de": {"Gadhafi": '
                                                           '"Gaddafi"}}, "keep": ["NTC"]}'})


def test_the_blueprint_alone_in_a_small_app(db):
    small = Flask(__name__)
    from service.config import Settings
    from service.http.error_responses import register_error_handlers

    small.config["NEWSDESK"] = Settings.load(environ={}, overrides={"glossary_db": db})
    small.register_blueprint(glossary_api.bp)
    register_error_handlers(small)
    assert small.test_client().put("/api/v1/glossary", json={"keep": ["NTC"]}).json["keep"] == ["NTC"]


def test_inline_glossary():
    assert inputs.inline_glossary({"de": {"Gadhafi": "Gaddafi"}, "*": ["NTC"]}) == Glossary(
        by_target={"de": {"Gadhafi": "Gaddafi"}}, keep=("NTC",))
    assert inputs.inline_glossary({}) == Glossary()
    assert NEWSROOM.merged(inputs.inline_glossary({"de": {"Gadhafi": "Gadhafi"}})).for_target("de") == {
        "NTC": "NTC", "Gadhafi": "Gadhafi", "Tripoli": "Tripolis"}


@pytest.mark.parametrize(("value", "message"), [
    (["NTC"], 'field \'glossary\' must be an object of language -> terms, e.g. {"de": {"Gadhafi": "Gaddafi"}, '
              '"*": ["NTC"]}'),
    ({"*": "NTC"}, 'field \'glossary\' → \'*\' must be a list of terms kept as they are, e.g. ["NTC"]'),
    ({"de": "Gaddafi"}, "field 'glossary' → 'de' must be an object of source term -> target term, e.g. "
                        '{"Gadhafi": "Gaddafi"}'),
    ({"Deutsch": {}}, "field 'glossary': 'Deutsch' is not a language code; use an ISO 639-1 code such as 'de', "
                      "'ru' or 'ar'"),
    ({"*": [""]}, "field 'glossary' → '*' item 1 is empty: give the term"),
], ids=["not-an-object", "keep-not-a-list", "language-not-an-object", "bad-language", "empty-kept-term"])
def test_inline_glossary_refuses_bad_shapes(value, message):
    with pytest.raises(InvalidInput) as error:
        inputs.inline_glossary(value)
    assert str(error.value) == message


# --- who changed what, and one undo (issue 31) ----------------------------------------

def test_each_entry_records_who_changed_it_last_and_entries_that_stay_keep_theirs(db):
    glossary.add_term(glossary_at(db), target="de", source_term="Gadhafi", target_term="Gaddafi")
    glossary.replace_all(glossary_at(db), NEWSROOM, changed_by="chief")
    by_entry = {(change.target, change.source): change.changed_by for change in glossary.changes(glossary_at(db))}
    assert by_entry == {("*", "NTC"): "chief", ("de", "Gadhafi"): "(command line)", ("de", "Tripoli"): "chief",
                        ("ru", "Gadhafi"): "chief"}  # Gaddafi was already so: the replace did not change it
    assert [change.source for change in glossary.changes(glossary_at(db), changed_by="chief")] == ["NTC", "Tripoli", "Gadhafi"]


def test_a_wipe_or_an_import_can_be_undone_and_the_undo_too(db, tmp_path):
    glossary.replace_all(glossary_at(db), NEWSROOM, changed_by="chief")
    glossary.replace_all(glossary_at(db), Glossary(), changed_by="wire")  # the wipe of issue 31
    assert glossary.load(glossary_at(db)) == Glossary()
    kept = glossary.previous(glossary_at(db))
    assert (kept.saved_by, kept.why, kept.entries) == ("wire", "replaced", 4)
    restored, undone = glossary.restore(glossary_at(db), changed_by="chief")
    assert (restored, undone.saved_by) == (NEWSROOM, "wire")
    assert glossary.previous(glossary_at(db)).entries == 0  # the empty one is kept: restoring again empties it again
    glossary.import_terms(glossary_at(db), b"Benghazi,de,Bengasi\n", file_name="more.csv", changed_by="desk")
    assert glossary.previous(glossary_at(db)).why == "import of more.csv"
    assert glossary.restore(glossary_at(db))[0] == NEWSROOM
    assert {change.changed_by for change in glossary.changes(glossary_at(db))} == {"chief"}  # restored rows keep their author


def test_restore_with_nothing_kept_says_when_a_version_is_kept(run):
    code, out, err = run("glossary", "restore")
    assert (code, err) == (2, "error: no earlier version of the glossary is kept: one is kept each time the whole "
                              "glossary is replaced (PUT /api/v1/glossary), imported into or restored\n")


def test_the_cli_restores_the_glossary_and_lists_who_changed_what(run, db):
    glossary.replace_all(glossary_at(db), NEWSROOM, changed_by="chief")
    glossary.replace_all(glossary_at(db), Glossary(keep=("BBC",)), changed_by="wire")
    code, out, _ = run("glossary", "changes")
    updated = glossary.changes(glossary_at(db))[0].updated
    kept = glossary.previous(glossary_at(db))
    assert (code, out) == (0, f"keep  BBC  (wire, {updated})\n"
                              f"kept for restore: 4 entries set aside {kept.saved} by wire (replaced)\n")
    code, out, _ = run("glossary", "restore")
    assert (code, out) == (0, f"restored the glossary set aside {kept.saved} by wire (replaced): 4 entries (version "
                              f"{NEWSROOM.version}); the one it replaced is kept: `newsdesk glossary restore` again "
                              "brings it back\n")
    assert run("glossary", "changes", "--changed-by", "wire")[1].startswith("kept for restore: 1 entries")


def test_a_glossary_file_from_before_issue_31_is_read_and_its_entries_name_nobody(db):
    import sqlite3

    db.parent.mkdir(parents=True)
    old = sqlite3.connect(db)
    old.execute("CREATE TABLE glossary_terms (target TEXT NOT NULL, source TEXT NOT NULL, term TEXT NOT NULL, "
                "updated TEXT NOT NULL, PRIMARY KEY (target, source))")
    old.execute("INSERT INTO glossary_terms VALUES ('de', 'Gadhafi', 'Gaddafi', '2025-01-02T03:04:05+00:00')")
    old.commit()
    old.close()
    assert glossary.load(glossary_at(db)) == Glossary(by_target={"de": {"Gadhafi": "Gaddafi"}})
    assert glossary.changes(glossary_at(db)) == [glossary.Change("de", "Gadhafi", "Gaddafi", "", "2025-01-02T03:04:05+00:00")]
