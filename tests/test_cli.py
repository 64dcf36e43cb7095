"""The `newsdesk` command: exit codes and exact output."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from service.cli import main
from tests.conftest import index_entry


@pytest.fixture
def run(settings, monkeypatch, capsys):
    """Run `newsdesk ARGS` in-process against the test settings; return (code, out, err)."""
    monkeypatch.setenv("NEWSDESK_PACKAGES_DIR", str(settings.packages_dir))
    monkeypatch.setenv("NEWSDESK_LANGPACKS_DIR", str(settings.langpacks_dir))

    def run_cli(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run_cli


def test_list_shows_missing_and_installed_packs(run, install, packs, settings):
    install("en_de", "en_fr_prefix")
    code, out, err = run("langpacks", "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["code", "pair", "status", "version", "size", "source"]
    assert lines[1].split() == ["translate-en_ar", "en->ar", "missing", "1.0", "-",
                                "https://argos-net.com/v1/translate-en_ar-1_0.argosmodel"]
    assert lines[2].split()[:4] == ["translate-en_de", "en->de", "installed", "1.0"]
    assert lines[2].split()[-1] == str(packs["en_de"].resolve())
    assert lines[7].split()[:6] == ["translate-en_fr", "en->fr", "installed", "(not", "in", "manifest)"]
    assert lines[-1] == (f"5 missing: copy the files into {settings.langpacks_dir}/ and run `newsdesk langpacks install`, "
                         "or run `newsdesk langpacks install --download`.")


def test_list_json_is_machine_readable(run, install):
    install("en_de")
    code, out, _ = run("langpacks", "list", "--json")
    rows = json.loads(out)
    assert code == 0
    assert [(r["code"], r["status"]) for r in rows] == [
        ("translate-en_ar", "missing"), ("translate-en_de", "installed"), ("translate-en_ru", "missing"),
        ("translate-ar_en", "missing"), ("translate-de_en", "missing"), ("translate-ru_en", "missing")]


def test_install_files_then_again_is_idempotent(run, packs, settings):
    code, out, err = run("langpacks", "install", packs["en_de"], packs["ru_en"])
    assert (code, err) == (0, "")
    assert out == (f"installed: translate-en_de 1.0 (en->de) in {settings.packages_dir}/translate-en_de\n"
                   f"installed: translate-ru_en 1.0 (ru->en) in {settings.packages_dir}/translate-ru_en\n")
    code, out, _ = run("langpacks", "install", packs["en_de"])
    assert (code, out) == (0, f"unchanged: translate-en_de 1.0 (en->de) in {settings.packages_dir}/translate-en_de\n")


def test_install_a_bad_file_fails_with_its_name(run, tmp_path):
    bad = tmp_path / "translate-en_de-1_0.argosmodel"
    bad.write_text("<html>404</html>")
    assert run("langpacks", "install", bad) == (
        1, "", "error: translate-en_de-1_0.argosmodel: not a zip archive, so not an Argos .argosmodel pack\n")


def test_install_without_files_takes_the_drop_in_folder(run, packs, settings):
    assert run("langpacks", "install") == (0, f"no .argosmodel files in {settings.langpacks_dir}/ to install\n", "")
    (settings.langpacks_dir / packs["de_en"].name).write_bytes(packs["de_en"].read_bytes())
    (settings.langpacks_dir / "junk.argosmodel").write_bytes(b"junk")
    code, out, err = run("langpacks", "install")
    assert code == 1
    assert out == f"installed: translate-de_en 1.0 (de->en) in {settings.packages_dir}/translate-de_en\n"
    assert err == "error: junk.argosmodel: not a zip archive, so not an Argos .argosmodel pack\n"


def test_install_a_different_file_for_an_installed_version_needs_force(run, packs, settings):
    run("langpacks", "install", packs["en_de"])
    code, _, err = run("langpacks", "install", packs["en_de_other"])
    assert code == 1
    assert err.startswith("error: translate-en_de-1_0.argosmodel: translate-en_de 1.0 is already installed from a different file")
    code, out, _ = run("langpacks", "install", "--force", packs["en_de_other"])
    assert (code, out) == (0, f"replaced: translate-en_de 1.0 (en->de) in {settings.packages_dir}/translate-en_de\n")


def test_download_offline_fails_fast_and_says_what_to_copy_where(run, settings):
    code, out, err = run("langpacks", "install", "--download", "en_de", "translate-ru_en")
    assert (code, out) == (1, "")
    assert err == (
        "error: could not read the Argos package index at http://127.0.0.1:9/index.json: [Errno 111] Connection refused.\n"
        "Offline? On a machine with internet access download\n"
        "  https://argos-net.com/v1/translate-en_de-1_0.argosmodel\n"
        "  https://argos-net.com/v1/translate-ru_en-1_9.argosmodel\n"
        f"then copy the files into {settings.langpacks_dir.resolve()}/ and run `newsdesk langpacks install`.\n"
    )


def test_download_of_an_unknown_pack_is_a_usage_error(run):
    code, _, err = run("langpacks", "install", "--download", "en_xx")
    assert code == 2
    assert err == ("error: 'en_xx' is not in the pack manifest; known packs: translate-en_ar, translate-en_de, "
                   "translate-en_ru, translate-ar_en, translate-de_en, translate-ru_en\n")


def test_download_with_a_progress_bar_then_installs(run, packs, pack_server, monkeypatch, settings):
    pack_server.files["en_de.argosmodel"] = packs["en_de"].read_bytes()
    monkeypatch.setenv("NEWSDESK_INDEX_URL", pack_server.publish_index(
        [index_entry("translate-en_de", "1.0", [pack_server.url("en_de.argosmodel")])]))
    code, out, err = run("langpacks", "install", "--download", "translate-en_de")
    assert code == 0
    assert out == f"installed: translate-en_de 1.0 (en->de) in {settings.packages_dir}/translate-en_de\n"
    assert "translate-en_de-1_0.argosmodel: 100%" in err  # tqdm's bar on stderr


def test_download_when_nothing_is_missing(run, install):
    install(*["en_ar", "en_de", "en_ru", "ar_en", "de_en", "ru_en"])
    assert run("langpacks", "install", "--download") == (0, "every pack in the manifest is installed\n", "")


def test_verify_reports_broken_packs_with_exit_1(run, install, settings):
    install("en_de", "en_ru")
    assert run("langpacks", "verify") == (0, "translate-en_de: ok\ntranslate-en_ru: ok\n", "")
    (settings.packages_dir / "translate-en_ru" / "model" / "model.bin").write_bytes(b"")
    assert run("langpacks", "verify") == (
        1,
        "translate-en_de: ok\ntranslate-en_ru: BROKEN\n  model/model.bin changed since it was installed (checksum differs)\n",
        "reinstall broken packs with `newsdesk langpacks install --force FILE`\n",
    )


def test_remove(run, install):
    install("en_de")
    assert run("langpacks", "remove", "en_de") == (0, "removed: translate-en_de 1.0\n", "")
    assert run("langpacks", "remove", "en_de") == (
        1, "", "error: no installed pack 'en_de': `newsdesk langpacks list` shows what is installed\n")


def test_translate_a_file_line_by_line(run, install, tmp_path):
    install("en_de")
    source = tmp_path / "article.txt"
    source.write_text("Hello world.\nShips wait.\n", encoding="utf-8")
    assert run("translate", "-s", "en", "-t", "de", source) == (0, "<de> Hello world.\n<de> Ships wait.\n", "")


def test_translate_without_a_pack_fails_with_the_fix(run, tmp_path, settings):
    source = tmp_path / "article.txt"
    source.write_text("Hello.\n")
    code, out, err = run("translate", "-s", "en", "-t", "ru", source)
    assert (code, out) == (1, "")
    assert err == (f"error: no en->ru language pack is installed: put translate-en_ru-*.argosmodel in "
                   f"{settings.langpacks_dir}/ and run `newsdesk langpacks install`, or run "
                   "`newsdesk langpacks install --download` where the internet is reachable\n")


def test_translate_with_a_bad_language_code_is_a_usage_error(run, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("Hello.\n")
    assert run("translate", "-s", "english", "-t", "de", source) == (
        2, "", "error: --source: 'english' is not a language newsdesk knows; use one of: ar, de, en, es, fr, it, nl, pl, pt, ru, tr, uk\n")


def test_a_bad_setting_is_reported_not_raised(run, monkeypatch):
    monkeypatch.setenv("NEWSDESK_BEAM_SIZE", "four")
    assert run("langpacks", "list") == (1, "", "error: NEWSDESK_BEAM_SIZE='four': must be a whole number\n")


def test_unknown_command_is_a_usage_error(run):
    code, _, err = run("frobnicate")
    assert code == 2
    assert "No such command 'frobnicate'" in err


def test_settings_lists_every_variable(run):
    code, out, _ = run("settings")
    assert code == 0
    assert "NEWSDESK_PACKAGES_DIR=" in out
    assert "NEWSDESK_BEAM_SIZE=4\n    beam width for decoding (1 = greedy, fastest)\n" in out


HEAVY = {"torch", "stanza", "spacy", "minisbd", "argostranslate", "ctranslate2"}


@pytest.mark.parametrize("code", [
    "import service",
    "import service.cli as c; c.main(['--help'])",
    "import service.cli as c; c.main(['langpacks', 'list'])",
], ids=["import", "help", "langpacks-list"])
def test_start_up_imports_no_model_libraries(code, tmp_path):
    check = f"{code}\nimport sys; print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(HEAVY)!r})))"
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                          env={"HOME": str(tmp_path), "NEWSDESK_LANGPACKS_DIR": "langpacks"}, cwd=str(_repo()))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def _repo():
    from tests.conftest import REPO

    return REPO


# --- process and summarize --------------------------------------------------------

HARBOUR = Path(__file__).parent / "data" / "harbour_strike.txt"


def test_process_writes_one_file_per_language_and_a_json(run, install, tmp_path):
    install("en_de", "en_ru")
    article = tmp_path / "article.txt"
    article.write_text(HARBOUR.read_text(), encoding="utf-8")
    code, out, err = run("process", article, "--to", "de,ru", "--summary", "2")
    assert (code, err) == (0, "")
    assert out.splitlines() == [str(tmp_path / "article.de.md"), str(tmp_path / "article.ru.md"),
                                str(tmp_path / "article.newsdesk.json")]
    assert (tmp_path / "article.de.md").read_text() == DE_MARKDOWN
    everything = json.loads((tmp_path / "article.newsdesk.json").read_text())
    assert everything["source"]["language"] == "en"
    assert everything["summary"]["indices"] == [0, 2]
    pair = everything["translations"]["ru"]["pairs"][0]
    lead = "Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer from port operators."
    assert (pair["source"], pair["target"], pair["uncertain"]) == (lead, f"<ru> {lead}", False)
    assert pair["confidence"] > 0.99
    assert article.read_text() == HARBOUR.read_text()  # the input is untouched


DE_MARKDOWN = """# <de> Harbour strike ends

*March 3, 2024 · Author: Anna Example (Reuters, dpa) · Editor: Ben Example*

## Summary

- <de> Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer from port operators.
- <de> Operators said traffic would be back to normal by Friday.

<de> Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer from port operators.

<de> According to union spokesman J. de Vries, "the offer meets our main demands." <de> Operators said traffic would be back to normal by Friday.

### <de> Ships diverted to Antwerp

<de> The strike forced several shipping lines to divert vessels to Antwerp and Hamburg.
"""


@pytest.mark.parametrize("output_format, suffix, expected", [
    ("text", "txt", "<de> Harbour strike ends\n\nSummary:\n- <de> Dock workers"),
    ("html", "html", '<!doctype html>\n<html lang="de" dir="ltr">'),
    ("json", "json", '{\n  "source": {\n    "language": "en"'),
], ids=["text", "html", "json"])
def test_process_formats(run, install, tmp_path, output_format, suffix, expected):
    install("en_de")
    code, _, _ = run("process", HARBOUR, "--to", "de", "--format", output_format, "-o", tmp_path)
    assert code == 0
    assert (tmp_path / f"harbour_strike.de.{suffix}").read_text().startswith(expected)


def test_html_output_escapes_the_article_and_sets_direction(run, install, tmp_path):
    install("en_ar")
    article = tmp_path / "a.txt"
    article.write_text("Harbour news\n\nThe port said <script>alert(1)</script> was found in a crate on the quay today.\n"
                       "Officials said the crate was opened by the customs service on Tuesday morning in Rotterdam.\n")
    assert run("process", article, "--to", "ar", "--format", "html")[0] == 0
    page = (tmp_path / "a.ar.html").read_text()
    assert '<html lang="ar" dir="rtl">' in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_on_a_terminal_the_bar_moves_with_each_step_of_one_article(install, settings, tmp_path):
    import fcntl
    import os
    import pty
    import struct
    import termios

    install("en_de", "en_ru")
    article = tmp_path / "harbour.txt"
    article.write_text(HARBOUR.read_text(encoding="utf-8"), encoding="utf-8")
    env = {**os.environ, "NEWSDESK_PACKAGES_DIR": str(settings.packages_dir),
           "NEWSDESK_LANGPACKS_DIR": str(settings.langpacks_dir),
           "TQDM_MININTERVAL": "0"}  # every step drawn (by default at most ten frames a second)
    terminal, pane = pty.openpty()  # stderr a terminal, as for an editor at a shell
    fcntl.ioctl(pane, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 160, 0, 0))  # of some size: tqdm draws in it
    done = subprocess.run([sys.executable, "-m", "service.cli", "process", str(article), "--to", "de,ru",
                           "--output-dir", str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=pane,
                          cwd=str(_repo()), env=env, timeout=120)
    os.close(pane)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the other end is closed: all read
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    screen = shown.decode("utf-8", "replace")
    assert done.returncode == 0, screen
    # One file, five steps: cleaned, split, summarized, then each language.
    frames = [frame.split("|")[0] + " " + frame.split("|")[-1].split()[0] for frame in screen.split("\r")
              if frame.startswith("harbour.txt: ")]
    assert frames[:3] == ["harbour.txt: Cleaned the text:  20% 1/5", "harbour.txt: Found 4 sentences in English:  40% 2/5",
                          "harbour.txt: Summarized:  60% 3/5"]
    assert {"harbour.txt: Translating into German…:  60% 3/5", "harbour.txt: Translating into Russian…:  60% 3/5",
            "harbour.txt: Translated into German: 100% 5/5", "harbour.txt: Translated into Russian: 100% 5/5"} & set(frames)
    assert frames[-1].endswith("100% 5/5")
    assert done.stdout.decode().splitlines() == [str(tmp_path / "out" / name) for name in (
        "harbour.de.md", "harbour.ru.md", "harbour.newsdesk.json")]


def test_process_stdin_to_stdout(run, install, monkeypatch):
    install("en_de")
    monkeypatch.setattr("sys.stdin", io.StringIO(HARBOUR.read_text()))
    code, out, _ = run("process", "-", "--to", "de", "--format", "text", "--summary", "1")
    assert code == 0
    assert out.startswith("<de> Harbour strike ends\n\nSummary:\n- <de> Dock workers in Rotterdam ended")


def test_a_language_without_its_pack_is_reported_and_the_others_are_written(run, install, tmp_path, settings):
    install("en_de")
    source = tmp_path / "harbour.txt"
    source.write_text(HARBOUR.read_text())
    code, out, err = run("process", source, "--to", "de,ru")
    assert code == 1
    assert out.splitlines() == [str(tmp_path / "harbour.de.md"), str(tmp_path / "harbour.newsdesk.json")]
    assert err.splitlines() == [
        f"error: {source}: no en->ru language pack is installed: put translate-en_ru-*.argosmodel in "
        f"{settings.langpacks_dir}/ and run `newsdesk langpacks install`, or run "
        "`newsdesk langpacks install --download` where the internet is reachable",
        "1 of 1 files failed"]
    assert (tmp_path / "harbour.de.md").read_text().startswith("# <de> Harbour strike ends")


def test_one_failing_file_does_not_stop_the_others(run, install, tmp_path):
    install("en_de")
    good, empty, missing = tmp_path / "good.txt", tmp_path / "empty.txt", tmp_path / "missing.txt"
    good.write_text(HARBOUR.read_text())
    empty.write_text("   \n")
    code, out, err = run("process", empty, good, missing, "--to", "de")
    assert code == 1
    assert out.splitlines() == [str(tmp_path / "good.de.md"), str(tmp_path / "good.newsdesk.json")]
    assert err.splitlines() == [
        f"error: {empty} is empty: give a file that holds the article's text",
        f"error: {missing}: cannot read it (No such file or directory)",  # the file named once
        "2 of 3 files failed",
    ]


def test_process_never_overwrites_an_input(run, install, tmp_path):
    install("en_de")
    article = tmp_path / "story.txt"
    article.write_text(HARBOUR.read_text())
    clash = tmp_path / "story.de.txt"
    clash.write_text("my own notes")
    code, _, err = run("process", article, clash, "--to", "de", "--format", "text")
    assert code == 1
    assert f"error: {article}: writing story.de.txt would overwrite an input; choose another folder with -o" in err
    assert clash.read_text() == "my own notes"


def test_process_names_every_missing_pack(run, tmp_path):
    code, _, err = run("process", HARBOUR, "--to", "ar,ru", "-o", tmp_path)
    assert code == 1
    assert "no en->ar language pack is installed" in err and "no en->ru language pack is installed" in err


def test_summarize_needs_no_pack(run):
    assert run("summarize", HARBOUR, "--summary", "2") == (0, (
        "Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer from port operators.\n"
        "Operators said traffic would be back to normal by Friday.\n"), "")


def test_issue13_show_removed_lists_what_the_cleaner_left_out(run):
    code, out, err = run("summarize", HARBOUR, "--summary", "1", "--show-removed")
    assert code == 0
    assert out.startswith("Dock workers in Rotterdam ended a five-day strike on Tuesday")
    assert err.splitlines() == [
        f"{HARBOUR}: 8 line(s) left out of the article",
        "  [navigation: menu, section or link list of the page] 1. Skip to content",
        "  [navigation: menu, section or link list of the page] 2. Skip to main menu",
        "  [navigation: menu, section or link list of the page] 3. Skip to more sites",
        "  [repeat: repeats text the article already has (title, pull quote, teaser)] Dock workers in Rotterdam "
        "ended a five-day strike after unions accepted a new pay offer.",
        "  [navigation: menu, section or link list of the page] https://p.example.com/p/4xk2q",
        "  [caption: image or video caption, with the image's alt text] Cranes standing idle at the container terminal",
        "  [caption: image or video caption, with the image's alt text] Cranes stood idle for most of the weekImage: ANP",
        "  [credit: photo or agency credit] Image: Reuters",
    ]
    assert run("summarize", HARBOUR, "--summary", "1")[2] == ""  # only on request


def test_summarize_json_and_bad_method(run):
    code, out, _ = run("summarize", HARBOUR, "--summary", "1", "--json")
    assert code == 0
    assert json.loads(out) == {"title": "Harbour strike ends", "language": "en", "method": "news", "indices": [0],
                               "summary": ["Dock workers in Rotterdam ended a five-day strike on Tuesday after unions "
                                           "accepted a new pay offer from port operators."]}
    code, _, err = run("summarize", HARBOUR, "--method", "best")
    assert (code, err) == (2, "error: unknown summary method 'best'; use one of: news, lexrank, lsa, luhn, textrank, "
                              "edmundson, sumbasic, kl\n")


def test_several_languages_on_stdout_each_begin_with_a_marker(run, install, monkeypatch):
    """`process - --to ar,de` printed both translations with nothing between them (issue 17)."""
    import io

    install("en_ar", "en_de")
    monkeypatch.setattr("sys.stdin", io.StringIO("Harbour strike ends\n\nDock workers ended their strike."))
    code, out, _ = run("process", "-", "--to", "ar,de", "--source", "en", "--format", "text")
    assert code == 0
    assert out.startswith("==> ar <==\n<ar> Harbour strike ends\n")
    assert "\n==> de <==\n<de> Harbour strike ends\n" in out


def test_with_a_progress_bar_every_line_goes_out_through_it(run, install, tmp_path, monkeypatch):
    """12 files on a terminal: the bar and the list of written files overwrote each other (issue 17)."""
    import tqdm

    install("en_de")
    written = []
    monkeypatch.setattr(tqdm.tqdm, "write", classmethod(lambda cls, line, file=None, **_: written.append(line)))
    monkeypatch.setattr(tqdm.tqdm, "__init__", _shown_bar(tqdm.tqdm.__init__))
    files = []
    for number in range(3):
        files.append(tmp_path / f"a{number}.txt")
        files[-1].write_text(f"Dock workers ended strike number {number}.")
    code, out, _ = run("process", *files, "--to", "de", "--source", "en", "--format", "text")
    assert code == 0 and out == ""  # nothing printed around the bar
    assert written == [str(tmp_path / f"a{n}.{suffix}") for n in range(3) for suffix in ("de.txt", "newsdesk.json")]


def _shown_bar(real_init):
    """tqdm as on a terminal: never disabled (tests run without one)."""
    def init(self, *args, **kwargs):
        kwargs["disable"] = False
        real_init(self, *args, **kwargs)
    return init


def test_a_pack_with_damaged_metadata_is_listed_broken_removable_and_replaceable(run, install, packs, settings):
    """It was skipped by verify, unknown to remove, and install --force refused it (issue 17)."""
    install("en_de")
    (settings.packages_dir / "translate-en_de" / "metadata.json").write_text("{not json")
    code, out, err = run("langpacks", "verify")
    assert code == 1
    assert out.startswith("translate-en_de: BROKEN\n  broken: ")
    assert ("remove it with `newsdesk langpacks remove translate-en_de`, or reinstall it with "
            "`newsdesk langpacks install --force`") in out
    code, out, _ = run("langpacks", "install", "--force", packs["en_de"])
    assert code == 0 and "translate-en_de 1.0" in out
    assert run("langpacks", "verify")[:2] == (0, "translate-en_de: ok\n")
    (settings.packages_dir / "translate-en_de" / "metadata.json").write_text("{not json")
    code, out, _ = run("langpacks", "remove", "en_de")
    assert code == 0 and out.startswith("removed: translate-en_de ")
    assert not (settings.packages_dir / "translate-en_de").exists()


def test_langpacks_works_from_any_folder(tmp_path, monkeypatch, capsys, settings):
    """From outside the project (no langpacks/ here): the packaged manifest says what is needed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSDESK_PACKAGES_DIR", str(settings.packages_dir))
    monkeypatch.delenv("NEWSDESK_LANGPACKS_DIR", raising=False)
    assert main(["langpacks", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [row["code"] for row in listed][:3] == ["translate-en_ar", "translate-en_de", "translate-en_ru"]


UNKNOWN_XX = ("'xx' is not a language newsdesk knows; use one of: ar, de, en, es, fr, it, nl, pl, pt, ru, tr, uk")


@pytest.mark.parametrize("args, what", [
    (["process", "--to", "de,xx", "ARTICLE"], "--to"),
    (["translate", "-s", "en", "-t", "xx", "ARTICLE"], "--target"),
    (["glossary", "add", "--to", "xx", "Gadhafi", "Gaddafi"], "--to"),
    (["memory", "add", "--from", "en", "--to", "xx", "Talks resume.", "Gespräche."], "--to"),
], ids=["process", "translate", "glossary", "memory"])
def test_an_unknown_language_is_one_message_in_every_command(run, tmp_path, monkeypatch, args, what):
    # Issue 28: process asked for a pack that cannot exist; glossary and memory stored the code.
    monkeypatch.setenv("NEWSDESK_GLOSSARY_DB", str(tmp_path / "glossary.sqlite3"))
    monkeypatch.setenv("NEWSDESK_MEMORY_DB", str(tmp_path / "memory.sqlite3"))
    article = tmp_path / "a.txt"
    article.write_text("Dock workers ended their strike on Tuesday.\n")
    code, out, err = run(*[str(article) if arg == "ARTICLE" else arg for arg in args])
    assert (code, out, err) == (2, "", f"error: {what}: {UNKNOWN_XX}\n")
    assert not (tmp_path / "glossary.sqlite3").exists() and not (tmp_path / "memory.sqlite3").exists()


def test_translate_reads_files_as_summarize_does(run, tmp_path):
    missing, empty = tmp_path / "missing.txt", tmp_path / "empty.txt"
    empty.write_text(" \n\n")
    assert run("translate", "-s", "en", "-t", "de", missing) == (
        2, "", f"error: {missing}: cannot read it (No such file or directory)\n")
    assert run("summarize", missing) == (2, "", f"error: {missing}: cannot read it (No such file or directory)\n")
    assert run("translate", "-s", "en", "-t", "de", empty) == (
        2, "", f"error: {empty} is empty: give it the sentences to translate, one a line\n")
    assert run("summarize", empty) == (2, "", f"error: {empty} is empty: give a file that holds the article's text\n")
