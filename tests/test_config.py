"""Settings: defaults -> NEWSDESK_* environment -> overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import Settings
from service.errors import InvalidSetting


def test_defaults_keep_packs_out_of_the_global_argos_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings = Settings.load(environ={})
    assert settings.packages_dir == tmp_path / "data" / "newsdesk" / "packages"
    assert "argos-translate" not in str(settings.packages_dir)
    assert (settings.langpacks_dir, settings.beam_size, settings.download_missing) == (Path("langpacks"), 4, True)


def test_environment_then_overrides():
    environ = {"NEWSDESK_BEAM_SIZE": "1", "NEWSDESK_DOWNLOAD_MISSING": "off",
               "NEWSDESK_PACKAGES_DIR": "~/packs", "NEWSDESK_DECODING_RATIO": "1.5"}
    settings = Settings.load(environ=environ, overrides={"beam_size": 2})
    assert settings.beam_size == 2
    assert settings.download_missing is False
    assert settings.packages_dir == Path("~/packs").expanduser()
    assert settings.decoding_ratio == 1.5


@pytest.mark.parametrize("variable, value, message", [
    ("NEWSDESK_BEAM_SIZE", "four", "NEWSDESK_BEAM_SIZE='four': must be a whole number"),
    ("NEWSDESK_DECODING_RATIO", "x", "NEWSDESK_DECODING_RATIO='x': must be a number"),
    ("NEWSDESK_INSTALL_ON_START", "maybe", "NEWSDESK_INSTALL_ON_START='maybe': use one of 1/0, true/false, yes/no, on/off"),
    ("NEWSDESK_INTER_THREADS", "many", "NEWSDESK_INTER_THREADS='many': must be a whole number"),
], ids=["int", "float", "bool", "from-the-cores"])
def test_a_bad_environment_value_names_the_variable(variable, value, message):
    with pytest.raises(InvalidSetting) as caught:
        Settings.load(environ={variable: value})
    assert str(caught.value) == message


def test_an_unknown_override_is_refused():
    with pytest.raises(InvalidSetting, match="^unknown setting 'beam'; known: packages_dir, "):
        Settings.load(environ={}, overrides={"beam": 1})


def test_every_setting_is_documented_once():
    documented = [variable for variable, _, meaning in Settings.documentation() if meaning]
    assert documented == [f"NEWSDESK_{name.upper()}" for name in Settings.names()]
    page = (Path(__file__).resolve().parent.parent / "docs" / "settings.md").read_text()
    assert [variable for variable in documented if f"`{variable}`" not in page] == []


LIMITS = ["max_pack_bytes", "max_batch_size", "max_characters", "max_sentence_characters", "max_request_bytes",
          "max_files", "request_timeout", "batch_limit", "keep_results", "rate_limit", "max_document_bytes",
          "max_document_unpacked_bytes", "max_document_pages", "max_document_paragraphs", "document_read_memory",
          "document_read_seconds", "max_job_articles", "max_job_bytes",
          "max_stored_job_bytes", "jobs_max_memory"]


def test_every_limit_is_lifted_by_none_and_only_by_none():
    """One spelling of "no limit" (issue 14): none in the environment, None in code."""
    limits = [spec.name for spec in Settings.__dataclass_fields__.values() if spec.metadata.get("limit")]
    assert limits == LIMITS
    settings = Settings.load(environ={f"NEWSDESK_{name.upper()}": "none" for name in LIMITS})
    assert {name: getattr(settings, name) for name in LIMITS} == dict.fromkeys(LIMITS)
    assert all(meaning.endswith("; none = no limit") for variable, _, meaning in Settings.documentation()
               if variable.removeprefix("NEWSDESK_").lower() in LIMITS)


@pytest.mark.parametrize("variable, value, message", [
    ("NEWSDESK_REQUEST_TIMEOUT", "0", "NEWSDESK_REQUEST_TIMEOUT=0.0: a limit must be above 0; write none for no limit"),
    ("NEWSDESK_MAX_BATCH_SIZE", "0", "NEWSDESK_MAX_BATCH_SIZE=0: a limit must be above 0; write none for no limit"),
    ("NEWSDESK_RATE_LIMIT", "", "NEWSDESK_RATE_LIMIT='': write a limit such as 120/minute, or none for no limit"),
    ("NEWSDESK_MAX_CHARACTERS", "-5", "NEWSDESK_MAX_CHARACTERS=-5: a limit must be above 0; write none for no limit"),
], ids=["zero-timeout", "zero-batch", "empty-rate", "negative"])
def test_the_old_spellings_of_no_limit_are_refused_with_the_new_one(variable, value, message):
    with pytest.raises(InvalidSetting) as caught:
        Settings.load(environ={variable: value})
    assert str(caught.value) == message


def test_a_zero_limit_given_in_code_is_refused_too():
    with pytest.raises(InvalidSetting, match=r"^NEWSDESK_MAX_FILES=0: a limit must be above 0; write none for no limit$"):
        Settings.load(environ={}, overrides={"max_files": 0})
