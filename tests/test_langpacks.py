"""Language packs: manifest, install (atomic, idempotent, checked), verify, remove, download."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from service.translation import packs as langpacks
from service.errors import BadLanguagePack, DownloadFailed, PackChecksumMismatch, PackNotFound
from tests.conftest import MANIFEST, index_entry


def leftovers(packages_dir: Path) -> list[str]:
    """Everything in the packages folder except the lock file."""
    if not packages_dir.exists():
        return []
    return sorted(p.name for p in packages_dir.iterdir() if p.name != ".lock")


# --- manifest ---------------------------------------------------------------------


def test_manifest_names_the_six_packs_of_the_argos_index():
    refs = langpacks.read_manifest(MANIFEST.parent)
    assert [(r.code, r.version, r.filename) for r in refs] == [
        ("translate-en_ar", "1.0", "translate-en_ar-1_0.argosmodel"),
        ("translate-en_de", "1.0", "translate-en_de-1_0.argosmodel"),
        ("translate-en_ru", "1.9", "translate-en_ru-1_9.argosmodel"),
        ("translate-ar_en", "1.0", "translate-ar_en-1_0.argosmodel"),
        ("translate-de_en", "1.0", "translate-de_en-1_0.argosmodel"),
        ("translate-ru_en", "1.9", "translate-ru_en-1_9.argosmodel"),
    ]
    assert refs[1].links == ("https://argos-net.com/v1/translate-en_de-1_0.argosmodel",)


def test_a_folder_without_a_manifest_of_its_own_uses_the_packaged_one_and_a_site_s_own_replaces_it(tmp_path):
    """`newsdesk langpacks` failed outside the project folder (issue 17): the manifest ships with newsdesk."""
    assert [ref.code for ref in langpacks.read_manifest(tmp_path)] == [
        "translate-en_ar", "translate-en_de", "translate-en_ru", "translate-ar_en", "translate-de_en", "translate-ru_en"]
    (tmp_path / "manifest.json").write_text(
        '{"packs": [{"code": "translate-en_fr", "from_code": "en", "to_code": "fr", "package_version": "1.0"}]}')
    assert [ref.code for ref in langpacks.read_manifest(tmp_path)] == ["translate-en_fr"]
    (tmp_path / "manifest.json").write_text("{broken")
    with pytest.raises(Exception, match=f"^{tmp_path}/manifest.json is not a valid pack manifest: "):
        langpacks.read_manifest(tmp_path)


# --- install ----------------------------------------------------------------------


def test_install_unpacks_the_pack_and_records_its_checksum(settings, packs):
    result = langpacks.install_archive(packs["en_de"], settings)
    assert result.action == "installed"
    pack = result.pack
    assert (pack.code, pack.pair, pack.version) == ("translate-en_de", ("en", "de"), "1.0")
    assert pack.path == settings.packages_dir / "translate-en_de"
    assert (pack.path / "model" / "model.bin").is_file()
    assert (pack.path / "sentencepiece.model").is_file()
    assert pack.sha256 == langpacks.file_sha256(packs["en_de"])
    assert pack.source == str(packs["en_de"].resolve())
    record = json.loads((pack.path / langpacks.RECORD_NAME).read_text())
    assert record["archive_sha256"] == pack.sha256
    assert set(record["files"]) == {"metadata.json", "README.md", "sentencepiece.model", "model/model.bin",
                                    "model/config.json", "model/shared_vocabulary.json"}
    assert leftovers(settings.packages_dir) == ["translate-en_de"]


def test_installing_the_same_file_again_changes_nothing(settings, packs):
    first = langpacks.install_archive(packs["en_de"], settings)
    before = os.stat(first.pack.path / "model" / "model.bin").st_mtime_ns
    again = langpacks.install_archive(packs["en_de"], settings)
    assert again.action == "unchanged"
    assert os.stat(first.pack.path / "model" / "model.bin").st_mtime_ns == before


def test_a_different_file_for_the_same_version_is_refused_unless_forced(settings, packs):
    langpacks.install_archive(packs["en_de"], settings)
    other = packs["en_de_other"]
    with pytest.raises(PackChecksumMismatch) as caught:
        langpacks.install_archive(other, settings)
    old, new = langpacks.file_sha256(packs["en_de"]), langpacks.file_sha256(other)
    assert str(caught.value) == (
        f"translate-en_de-1_0.argosmodel: translate-en_de 1.0 is already installed from a different file "
        f"(sha256 {old[:12]}, this file {new[:12]}); run `newsdesk langpacks install --force {other}` to replace it"
    )
    assert langpacks.find_installed(settings.packages_dir, "en", "de").sha256 == old
    forced = langpacks.install_archive(other, settings, force=True)
    assert forced.action == "replaced"
    assert forced.pack.sha256 == new
    assert leftovers(settings.packages_dir) == ["translate-en_de"]


def test_a_new_version_replaces_the_old_one(settings, packs):
    langpacks.install_archive(packs["en_de"], settings)
    result = langpacks.install_archive(packs["en_de_v2"], settings)
    assert (result.action, result.pack.version) == ("replaced", "2.0")
    assert [p.version for p in langpacks.installed_packs(settings.packages_dir)] == ["2.0"]


def make_archive(path: Path, entries: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def good_entries(top="translate-en_de-1_0", **metadata) -> dict[str, bytes]:
    meta = {"package_version": "1.0", "from_code": "en", "to_code": "de", **metadata}
    return {
        f"{top}/metadata.json": json.dumps(meta).encode(),
        f"{top}/model/model.bin": b"weights",
        f"{top}/sentencepiece.model": b"pieces",
    }


BAD_PACKS = [
    pytest.param(lambda p: (p.write_bytes(b"plain text, not a zip"), p)[1],
                 "{name}: not a zip archive, so not an Argos .argosmodel pack", id="not-a-zip"),
    pytest.param(lambda p: make_archive(p, {"translate-en_de-1_0/model/model.bin": b"x"}),
                 "{name}: no translate-en_de-1_0/metadata.json, so not an Argos pack", id="no-metadata"),
    pytest.param(lambda p: make_archive(p, {**good_entries(), "translate-en_de-1_0/metadata.json": b"{oops"}),
                 "{name}: metadata.json is not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
                 id="metadata-not-json"),
    pytest.param(lambda p: make_archive(p, good_entries(from_code="English")),
                 "{name}: metadata.json from_code is 'English', not an ISO 639 language code like 'en'", id="bad-from-code"),
    pytest.param(lambda p: make_archive(p, good_entries(to_code=None)),
                 "{name}: metadata.json to_code is None, not an ISO 639 language code like 'en'", id="no-to-code"),
    pytest.param(lambda p: make_archive(p, good_entries(to_code="en")),
                 "{name}: metadata.json translates en into itself", id="same-codes"),
    pytest.param(lambda p: make_archive(p.with_name("translate-en_fr-1_0.argosmodel"), good_entries()),
                 "{name}: the file name says en->fr but metadata.json says en->de", id="renamed-file"),
    pytest.param(lambda p: make_archive(p, {**good_entries(), "translate-en_de-1_0/../../evil.txt": b"x"}),
                 "{name}: entry 'translate-en_de-1_0/../../evil.txt' would be written outside the pack folder",
                 id="zip-slip"),
    pytest.param(lambda p: make_archive(p, {**good_entries(), "/etc/evil": b"x"}),
                 "{name}: an Argos pack holds exactly one folder, this archive has 2 top-level entries",
                 id="absolute-path"),
    pytest.param(lambda p: make_archive(p, good_entries(), links={"translate-en_de-1_0/link": "/etc/passwd"}),
                 "{name}: entry 'translate-en_de-1_0/link' is a symbolic link; packs hold plain files", id="symlink"),
    pytest.param(lambda p: make_archive(p, {**good_entries(), "translate-en_de-1_0/model/huge.bin": bytes(3_000_000)}),
                 "{name}: unpacks to 3,000,075 bytes, over the 1,000,000-byte limit (NEWSDESK_MAX_PACK_BYTES); "
                 "a real pack is well under it", id="zip-bomb"),
    pytest.param(lambda p: make_archive(p, {k: v for k, v in good_entries().items() if "model.bin" not in k}),
                 "{name}: no translate-en_de-1_0/model/model.bin (the CTranslate2 model)", id="no-model"),
    pytest.param(lambda p: make_archive(p, {k: v for k, v in good_entries().items() if "sentencepiece" not in k}),
                 "{name}: no tokenizer (translate-en_de-1_0/sentencepiece.model or translate-en_de-1_0/bpe.model)",
                 id="no-tokenizer"),
    pytest.param(lambda p: make_archive(p, good_entries(type="sbd")),
                 "{name}: a 'sbd' pack, newsdesk installs translate packs only", id="not-a-translate-pack"),
]


@pytest.mark.parametrize("make_bad, message", BAD_PACKS)
def test_a_bad_pack_is_refused_by_name_and_leaves_nothing(settings, tmp_path, make_bad, message):
    settings = settings.__class__(**{**vars(settings), "max_pack_bytes": 1_000_000})
    bad = make_bad(tmp_path / "bad.argosmodel")
    with pytest.raises(BadLanguagePack) as caught:
        langpacks.install_archive(bad, settings)
    assert str(caught.value) == message.format(name=bad.name)
    assert leftovers(settings.packages_dir) == []
    assert not (tmp_path / "evil.txt").exists()


def test_a_bad_pack_leaves_the_installed_one_working(settings, packs, tmp_path):
    langpacks.install_archive(packs["en_de"], settings)
    bad = make_archive(tmp_path / "translate-en_de-9_9.argosmodel", good_entries(top="x", package_version="9.9")
                       | {"x/../escape": b"x"})
    with pytest.raises(BadLanguagePack):
        langpacks.install_archive(bad, settings, force=True)
    assert leftovers(settings.packages_dir) == ["translate-en_de"]
    assert langpacks.verify_packs(settings.packages_dir)[0].ok


def test_a_pack_whose_data_outgrows_the_limit_while_unpacking_is_removed(settings, tmp_path, monkeypatch):
    # Headers can lie about sizes: the limit is also enforced on the bytes written.
    archive = make_archive(tmp_path / "translate-en_de-1_0.argosmodel",
                           {**good_entries(), "translate-en_de-1_0/model/big.bin": bytes(50_000)})
    monkeypatch.setattr(langpacks.archive, "_check_entries", lambda *args: None)
    small = settings.__class__(**{**vars(settings), "max_pack_bytes": 10_000})
    with pytest.raises(BadLanguagePack) as caught:
        langpacks.install_archive(archive, small)
    assert str(caught.value) == (
        "translate-en_de-1_0.argosmodel: unpacks to more than the 10,000-byte limit (NEWSDESK_MAX_PACK_BYTES)"
    )
    assert leftovers(settings.packages_dir) == []


def test_drop_in_folder_installs_good_files_and_reports_bad_ones(settings, packs, langpacks_dir):
    for name in ("en_de", "ru_en"):
        (langpacks_dir / packs[name].name).write_bytes(packs[name].read_bytes())
    (langpacks_dir / "broken.argosmodel").write_bytes(b"not a zip")
    results, failures = langpacks.install_drop_ins(settings)
    assert [(r.pack.code, r.action) for r in results] == [("translate-en_de", "installed"), ("translate-ru_en", "installed")]
    assert failures == ["broken.argosmodel: not a zip archive, so not an Argos .argosmodel pack"]
    again, _ = langpacks.install_drop_ins(settings)
    assert [r.action for r in again] == ["unchanged", "unchanged"]


def test_missing_packs_lists_what_the_manifest_needs(settings, install):
    install("en_de", "de_en")
    assert [ref.code for ref in langpacks.missing_packs(settings)] == [
        "translate-en_ar", "translate-en_ru", "translate-ar_en", "translate-ru_en"]


# --- verify and remove ------------------------------------------------------------


def test_verify_finds_changed_and_missing_files(settings, install):
    install("en_de", "en_ru")
    assert [(r.code, r.ok) for r in langpacks.verify_packs(settings.packages_dir)] == [
        ("translate-en_de", True), ("translate-en_ru", True)]
    de = settings.packages_dir / "translate-en_de"
    (de / "model" / "model.bin").write_bytes(b"corrupted")
    (de / "sentencepiece.model").unlink()
    results = langpacks.verify_packs(settings.packages_dir)
    assert results[0].problems == (
        "model/model.bin changed since it was installed (checksum differs)",
        "sentencepiece.model is missing",
    )
    assert results[1].ok


@pytest.mark.parametrize("name", ["translate-en_de", "en_de", "en-de"])
def test_remove_by_code_or_pair(settings, install, name):
    install("en_de", "de_en")
    removed = langpacks.remove_pack(settings, name)
    assert removed == ("translate-en_de", "1.0")
    assert leftovers(settings.packages_dir) == ["translate-de_en"]


def test_removing_an_unknown_pack_says_how_to_see_installed_ones(settings):
    with pytest.raises(PackNotFound) as caught:
        langpacks.remove_pack(settings, "en_xx")
    assert str(caught.value) == "no installed pack 'en_xx': `newsdesk langpacks list` shows what is installed"


# --- download ---------------------------------------------------------------------


def en_de_ref() -> langpacks.PackRef:
    return next(r for r in langpacks.read_manifest(MANIFEST.parent) if r.code == "translate-en_de")


def serve_en_de(pack_server, packs, settings):
    pack_server.files["files/translate-en_de-1_0.argosmodel"] = packs["en_de"].read_bytes()
    index_url = pack_server.publish_index(
        [index_entry("translate-en_de", "1.0", [pack_server.url("files/translate-en_de-1_0.argosmodel")])])
    return settings.__class__(**{**vars(settings), "index_url": index_url})


def test_download_installs_a_pack_from_the_index(settings, packs, pack_server):
    settings = serve_en_de(pack_server, packs, settings)
    index = langpacks.fetch_index(settings)
    result = langpacks.download_and_install(en_de_ref(), settings, index=index, progress=False)
    assert (result.action, result.pack.code) == ("installed", "translate-en_de")
    assert result.pack.source == pack_server.url("files/translate-en_de-1_0.argosmodel")
    assert result.pack.sha256 == langpacks.file_sha256(packs["en_de"])
    assert (settings.langpacks_dir / "translate-en_de-1_0.argosmodel").is_file()
    assert not (settings.langpacks_dir / "translate-en_de-1_0.argosmodel.part").exists()


def test_download_resumes_a_partial_file(settings, packs, pack_server):
    settings = serve_en_de(pack_server, packs, settings)
    data = packs["en_de"].read_bytes()
    (settings.langpacks_dir / "translate-en_de-1_0.argosmodel.part").write_bytes(data[:1000])
    path = langpacks.download_pack(en_de_ref(), settings, index=langpacks.fetch_index(settings))
    assert path.read_bytes() == data
    assert ("files/translate-en_de-1_0.argosmodel", "bytes=1000-") in pack_server.requests


def test_download_starts_over_when_the_server_ignores_ranges(settings, packs, pack_server):
    settings = serve_en_de(pack_server, packs, settings)
    pack_server.honour_range = False
    (settings.langpacks_dir / "translate-en_de-1_0.argosmodel.part").write_bytes(b"stale bytes")
    path = langpacks.download_pack(en_de_ref(), settings, index=langpacks.fetch_index(settings))
    assert path.read_bytes() == packs["en_de"].read_bytes()


def test_an_interrupted_download_is_kept_and_resumed_next_time(settings, packs, pack_server):
    settings = serve_en_de(pack_server, packs, settings)
    index = langpacks.fetch_index(settings)
    pack_server.cut_after = 5000
    with pytest.raises(DownloadFailed) as caught:
        langpacks.download_pack(en_de_ref(), settings, index=index)
    url = pack_server.url("files/translate-en_de-1_0.argosmodel")
    assert str(caught.value).startswith(
        f"could not download translate-en_de 1.0 ({url}: connection closed early; run the command again to resume; ")
    assert (settings.langpacks_dir / "translate-en_de-1_0.argosmodel.part").stat().st_size == 5000
    assert not (settings.langpacks_dir / "translate-en_de-1_0.argosmodel").exists()
    pack_server.cut_after = None
    path = langpacks.download_pack(en_de_ref(), settings, index=index)
    assert path.read_bytes() == packs["en_de"].read_bytes()


def test_a_downloaded_file_for_the_wrong_pair_is_refused_and_deleted(settings, packs, pack_server):
    settings = serve_en_de(pack_server, packs, settings)
    pack_server.files["files/translate-en_de-1_0.argosmodel"] = packs["en_ru"].read_bytes()
    with pytest.raises(BadLanguagePack) as caught:
        langpacks.download_and_install(en_de_ref(), settings, index=langpacks.fetch_index(settings), progress=False)
    assert str(caught.value) == "translate-en_de-1_0.argosmodel: the file name says en->de but metadata.json says en->ru"
    assert not (settings.langpacks_dir / "translate-en_de-1_0.argosmodel").exists()
    assert langpacks.installed_packs(settings.packages_dir) == []


def test_when_every_link_fails_the_error_says_what_to_copy_where(settings, pack_server):
    ref = langpacks.PackRef("translate-en_de", "en", "de", "1.0", (pack_server.url("nowhere.argosmodel"),))
    with pytest.raises(DownloadFailed) as caught:
        langpacks.download_pack(ref, settings, index=[])
    assert str(caught.value) == (
        f"could not download translate-en_de 1.0 ({pack_server.url('nowhere.argosmodel')}: HTTP 404 Not Found). "
        f"Offline? copy translate-en_de-1_0.argosmodel (from {pack_server.url('nowhere.argosmodel')}) into "
        f"{settings.langpacks_dir}/ and run `newsdesk langpacks install`, or run "
        "`newsdesk langpacks install --download translate-en_de` where the internet is reachable"
    )


def test_offline_the_index_fetch_fails_fast_with_instructions(settings):
    wanted = [en_de_ref()]
    with pytest.raises(DownloadFailed) as caught:
        langpacks.fetch_index_or_explain(settings, wanted)
    assert str(caught.value) == (
        "could not read the Argos package index at http://127.0.0.1:9/index.json: [Errno 111] Connection refused.\n"
        "Offline? On a machine with internet access download\n"
        "  https://argos-net.com/v1/translate-en_de-1_0.argosmodel\n"
        f"then copy the files into {settings.langpacks_dir.resolve()}/ and run `newsdesk langpacks install`."
    )


def test_index_links_come_before_the_manifest_links():
    ref = en_de_ref()
    index = [index_entry("translate-en_de", "1.0", ["https://mirror.example/a.argosmodel", "ipfs://Qm123"]),
             index_entry("translate-en_de", "0.9", ["https://old.example/b.argosmodel"])]
    assert langpacks.links_for(ref, index) == [
        "https://mirror.example/a.argosmodel", "https://argos-net.com/v1/translate-en_de-1_0.argosmodel"]


# --- start-up ---------------------------------------------------------------------


def test_start_up_offline_installs_drop_ins_and_reports_the_rest(settings, packs, langpacks_dir):
    (langpacks_dir / packs["en_de"].name).write_bytes(packs["en_de"].read_bytes())
    settings = settings.__class__(**{**vars(settings), "download_missing": True})
    report = langpacks.prepare_packs(settings)
    assert report.installed == ("translate-en_de 1.0",)
    assert [ref.code for ref in report.missing] == [
        "translate-en_ar", "translate-en_ru", "translate-ar_en", "translate-de_en", "translate-ru_en"]
    assert report.failed == (
        "could not read the Argos package index at http://127.0.0.1:9/index.json: [Errno 111] Connection refused; "
        "not downloading the missing packs",
    )


def test_start_up_downloads_missing_packs_when_the_index_answers(settings, packs, pack_server):
    settings = serve_en_de(pack_server, packs, settings)
    settings = settings.__class__(**{**vars(settings), "download_missing": True})
    report = langpacks.prepare_packs(settings)
    assert report.installed == ("translate-en_de 1.0",)
    assert "translate-en_de" not in [ref.code for ref in report.missing]
    # The other five are not on this server: each one fails with its own message.
    assert len(report.failed) == 5
