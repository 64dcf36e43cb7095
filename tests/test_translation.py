"""The translation engine, through genuine generated packs (copy models: "<de> " + input)."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from service import translation
from service.translation import decoding, models

from service.translation import packs as langpacks
from service.errors import InvalidInput, LanguagePackMissing, UnsupportedLanguage

ARTICLE = [
    "Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer.",
    'According to union spokesman J. de Vries, "the offer meets our main demands."',
    "Operators said traffic would be back to normal by Friday.",
]


def with_settings(settings, **changes):
    return dataclasses.replace(settings, **changes)


def test_translates_every_sentence_in_order(settings, install):
    install("en_de")
    assert translation.translate(ARTICLE, "en", "de", settings) == [f"<de> {s}" for s in ARTICLE]


def test_each_pack_gives_its_own_output(settings, install):
    install("en_de", "en_ru", "en_ar")
    outputs = {target: translation.translate(["Hello world."], "en", target, settings) for target in ("de", "ru", "ar")}
    assert outputs == {"de": ["<de> Hello world."], "ru": ["<ru> Hello world."], "ar": ["<ar> Hello world."]}


def test_empty_and_blank_sentences_keep_their_place(settings, install):
    install("en_de")
    assert translation.translate(["", "Hello world.", "   ", "Ships wait."], "en", "de", settings) == [
        "", "<de> Hello world.", "", "<de> Ships wait."]


def test_non_latin_sources_translate_through_their_packs(settings, install):
    install("ru_en", "ar_en")
    assert translation.translate(["Суда ждут в порту."], "ru", "en", settings) == ["<en> Суда ждут в порту."]
    assert translation.translate(["السفن تنتظر في الميناء."], "ar", "en", settings) == ["<en> السفن تنتظر في الميناء."]


def test_pivots_through_english_when_no_direct_pack_exists(settings, install):
    install("de_en", "en_ar")
    assert translation.plan_route("de", "ar", settings) == [("de", "en"), ("en", "ar")]
    assert translation.translate(["Guten Tag.", "Schiffe warten."], "de", "ar", settings) == [
        "<ar> <en> Guten Tag.", "<ar> <en> Schiffe warten."]


def test_a_direct_pack_beats_the_pivot(settings, install):
    install("de_en", "en_ar", "de_ar")
    assert translation.plan_route("de", "ar", settings) == [("de", "ar")]
    assert translation.translate(["Guten Tag."], "de", "ar", settings) == ["<ar> Guten Tag."]


def test_a_missing_pair_says_exactly_how_to_fix_it(settings):
    with pytest.raises(LanguagePackMissing) as caught:
        translation.translate(["Hello."], "en", "de", settings)
    assert str(caught.value) == (
        f"no en->de language pack is installed: put translate-en_de-*.argosmodel in {settings.langpacks_dir}/ "
        "and run `newsdesk langpacks install`, or run `newsdesk langpacks install --download` where the internet is reachable"
    )


def test_a_missing_pivot_hop_is_named(settings, install):
    install("de_en")
    with pytest.raises(LanguagePackMissing) as caught:
        translation.translate(["Hallo."], "de", "ru", settings)
    assert str(caught.value) == (
        f"no de->ru language pack is installed (nor de->en->ru): put translate-en_ru-*.argosmodel in "
        f"{settings.langpacks_dir}/ and run `newsdesk langpacks install`, or run "
        "`newsdesk langpacks install --download` where the internet is reachable"
    )


def test_same_language_returns_the_input(settings):
    assert translation.translate(["Hello."], "en", "en", settings) == ["Hello."]


@pytest.mark.parametrize("code", ["EN", "english", "e", "", "d3", None])
def test_a_bad_language_code_is_refused(settings, code):
    with pytest.raises(UnsupportedLanguage) as caught:
        translation.translate(["Hello."], code, "de", settings)
    assert str(caught.value) == f"{code!r} is not a language code: use ISO 639-1 codes such as 'en', 'de', 'ru', 'ar'"


def test_one_string_instead_of_a_list_is_refused(settings):
    with pytest.raises(InvalidInput, match="^translate\\(\\) takes a list of sentences, not one string$"):
        translation.translate("Hello.", "en", "de", settings)


def test_a_target_prefix_pack_gets_the_prefix_and_loses_it_in_the_output(settings, install):
    install("en_fr_prefix")
    # The prefix is forced as the first output piece, so the copy model emits no tag.
    assert translation.translate(["Hello world_x."], "en", "fr", settings) == ["Hello world_x."]


def test_a_bpe_pack_tokenizes_with_moses_and_bpe(settings, packs):
    langpacks.install_archive(packs["en_de_bpe"], settings)
    assert (settings.packages_dir / "translate-en_de" / "bpe.model").is_file()
    assert translation.translate(["Hello world.", "The other strikers are in Rotterdam."], "en", "de", settings) == [
        "<de> Hello world.", "<de> The other strikers are in Rotterdam."]


def test_underscores_survive_decoding(settings, install):
    # argostranslate's own decode turns "_" into " "; ours must not.
    install("en_de")
    assert translation.translate(["file_name.txt @user_1"], "en", "de", settings) == ["<de> file_name.txt @user_1"]


def test_a_long_sentence_is_translated_in_parts_and_nothing_is_lost(settings, install):
    install("en_de")
    short_parts = with_settings(settings, max_input_tokens=12)
    [output] = translation.translate([ARTICLE[0]], "en", "de", short_parts)
    assert output.count("<de>") > 1
    assert output.replace("<de> ", "") == ARTICLE[0]


def test_decoding_is_capped_relative_to_the_input(settings, install):
    install("en_de")
    tokenizer = translation.load_pack("en", "de", settings).tokenizer
    pieces = tokenizer.encode("Hello world.")
    capped = with_settings(settings, decoding_ratio=0.5, decoding_extra=0)
    [output] = translation.translate(["Hello world."], "en", "de", capped)
    kept = math.ceil(0.5 * len(pieces))  # the tag, then kept - 1 copied pieces
    assert output == "<de> " + tokenizer.decode(pieces[: kept - 1])
    assert len(output) < len("<de> Hello world.")


@pytest.mark.parametrize("beam_size", [1, 4])
@pytest.mark.parametrize("max_batch_size", [None, 2])
def test_beam_and_batch_settings_do_not_change_the_copy(settings, install, beam_size, max_batch_size):
    install("en_de")
    tuned = with_settings(settings, beam_size=beam_size, max_batch_size=max_batch_size)
    assert translation.translate(ARTICLE, "en", "de", tuned) == [f"<de> {s}" for s in ARTICLE]


@pytest.fixture
def model_calls(settings, install, monkeypatch):
    """Install en->de and record the size of every batch sent to the model (a batch dealt over
    several replicas counts once: how many lanes were idle is not what these tests are about)."""
    install("en_de")
    loaded = translation.load_pack("en", "de", settings)
    calls = []
    real = loaded.translator.translate_batch

    class Spy:
        def translate_batch(self, batch, **options):
            return real(batch, **options)

    spied = dataclasses.replace(loaded, translator=Spy())
    monkeypatch.setattr(translation, "load_pack", lambda *args: spied)
    real_groups = decoding._decode_groups
    monkeypatch.setattr(decoding, "_decode_groups",
                        lambda groups, *rest: calls.append(sum(map(len, groups))) or real_groups(groups, *rest))
    return calls


def test_the_whole_list_goes_to_the_model_in_one_call(settings, model_calls):
    translation.translate([f"{s} ({i})" for i in range(7) for s in ARTICLE], "en", "de", settings)
    assert model_calls == [21]


@pytest.fixture
def dealt_groups(monkeypatch):
    """Record, per batch sent to the model, the sizes of the groups it was dealt in (one per replica)."""
    seen = []
    real = decoding._decode_groups
    monkeypatch.setattr(decoding, "_decode_groups",
                        lambda groups, *rest: seen.append([len(group) for group in groups]) or real(groups, *rest))
    return seen


@pytest.mark.parametrize("shared_batches", [True, False], ids=["shared-batches", "a-batch-per-request"])
def test_issue_33_a_lone_request_is_dealt_over_both_replicas_and_translates_as_one_batch_does(
        settings, install, dealt_groups, shared_batches):
    """inter_threads=2: a lone request's parts are decoded in two groups at once, one per replica;
    the texts, confidences and alignments are those of one replica decoding them as one batch."""
    install("en_de")
    sentences = [f"{sentence} ({number})" for number in range(3) for sentence in ARTICLE]
    outputs = {}
    for lanes in (1, 2):
        chosen = with_settings(settings, inter_threads=lanes, shared_batches=shared_batches, cache_sentences=0)
        outputs[lanes] = translation.translate_detailed(sentences, "en", "de", chosen, aligned=True)
    assert dealt_groups == [[9], [5, 4]]
    assert [item.text for item in outputs[2]] == [f"<de> {sentence}" for sentence in sentences]
    assert outputs[2] == outputs[1]  # texts, confidences, alternatives
    for dealt, whole in zip(outputs[2], outputs[1]):
        assert (dealt.alignment.source, dealt.alignment.target, dealt.alignment.links) == (
            whole.alignment.source, whole.alignment.target, whole.alignment.links)
        assert (dealt.alignment.weights == whole.alignment.weights).all()


def test_issue_33_alternatives_come_back_with_their_own_sentence_when_dealt(settings, install, dealt_groups):
    """The unsure pack's runner-up for "offer" is "union": each sentence with it gets its own."""
    install("en_de_unsure")
    sentences = ["The offer was made.", "Hello world.", "They accepted the offer on Friday.", "Ships wait."]
    outputs = {lanes: translation.translate_detailed(sentences, "en", "de", with_settings(settings, inter_threads=lanes),
                                                     alternatives=1)
               for lanes in (1, 2)}
    assert dealt_groups == [[4], [2, 2]]
    assert outputs[2] == outputs[1]
    assert [item.alternatives for item in outputs[2]][::2] == [("<de> The union was made.",),
                                                                ("<de> They accepted the union on Friday.",)]


def test_a_sentence_translated_once_comes_from_the_cache(settings, model_calls):
    first = translation.translate(ARTICLE, "en", "de", settings)
    again = translation.translate(ARTICLE, "en", "de", settings)
    assert first == again == [f"<de> {s}" for s in ARTICLE]
    assert model_calls == [3]
    stats = translation.sentence_cache(settings).stats()
    assert (stats["hits"], stats["misses"], stats["entries"], stats["hit_rate"]) == (3, 3, 3, 0.5)


def test_an_edited_article_translates_only_the_changed_sentence(settings, model_calls):
    translation.translate(ARTICLE, "en", "de", settings)
    edited = [ARTICLE[0], ARTICLE[1].replace("demands", "wishes"), ARTICLE[2]]
    assert translation.translate(edited, "en", "de", settings) == [f"<de> {s}" for s in edited]
    assert model_calls == [3, 1]


def test_repeated_sentences_in_one_call_are_translated_once(settings, model_calls):
    assert translation.translate([ARTICLE[0]] * 4 + [""], "en", "de", settings) == [f"<de> {ARTICLE[0]}"] * 4 + [""]
    assert model_calls == [1]


def test_a_redis_cache_serves_every_worker(settings, model_calls, redis_url):
    """A second worker (its own cache empty) finds the first worker's sentences in Redis."""
    shared = with_settings(settings, cache_redis_url=redis_url)
    assert translation.translate(ARTICLE, "en", "de", shared) == [f"<de> {s}" for s in ARTICLE]
    translation.sentence_cache(settings).clear()  # as if another worker: nothing cached locally
    assert translation.translate(ARTICLE, "en", "de", shared) == [f"<de> {s}" for s in ARTICLE]
    assert model_calls == [3]
    stats = translation.shared_cache(shared).stats()
    assert (stats["hits"], stats["misses"], stats["failures"]) == (3, 3, 0)


def test_an_unreachable_redis_cache_never_fails_a_translation(settings, model_calls):
    shared = with_settings(settings, cache_redis_url="redis://127.0.0.1:9/0")
    assert translation.translate(ARTICLE, "en", "de", shared) == [f"<de> {s}" for s in ARTICLE]
    assert model_calls == [3]
    assert translation.shared_cache(shared).stats()["failures"] == 1  # then paused: one failure, not one per call


def test_the_cache_is_bounded_and_can_be_turned_off(settings, model_calls):
    small = with_settings(settings, cache_sentences=2)
    translation.translate(ARTICLE, "en", "de", small)
    assert translation.sentence_cache(small).stats()["entries"] == 2
    off = with_settings(settings, cache_sentences=0)
    translation.translate(ARTICLE, "en", "de", off)
    translation.translate(ARTICLE, "en", "de", off)
    assert model_calls == [3, 3, 3]


def test_a_reinstalled_pack_does_not_serve_the_old_packs_sentences(settings, install, packs):
    install("en_de")
    translation.translate(["Hello."], "en", "de", settings)
    langpacks.install_archive(packs["en_de_other"], settings, force=True)  # another file: another cache scope
    translation.translate(["Hello."], "en", "de", settings)
    assert (translation.sentence_cache(settings).stats()["hits"], translation.sentence_cache(settings).stats()["misses"]) == (0, 2)


def test_a_loaded_pack_is_reused(settings, install, monkeypatch):
    install("en_de")
    loads = []
    real_load = models._load
    monkeypatch.setattr(models, "_load", lambda pack, s: loads.append(pack.code) or real_load(pack, s))
    for _ in range(3):
        translation.translate(["Hello world."], "en", "de", settings)
    assert loads == ["translate-en_de"]
    assert translation.loaded_pairs() == [("en", "de")]


def test_a_reinstalled_pack_is_loaded_afresh(settings, install, packs, monkeypatch):
    install("en_de")
    translation.translate(["Hello."], "en", "de", settings)
    langpacks.install_archive(packs["en_de_v2"], settings)
    loads = []
    real_load = models._load
    monkeypatch.setattr(models, "_load", lambda pack, s: loads.append(pack.version) or real_load(pack, s))
    assert translation.translate(["Hello."], "en", "de", settings) == ["<de> Hello."]
    assert loads == ["2.0"]
    assert translation.loaded_pairs() == [("en", "de")]


def test_threads_share_one_loaded_pack_safely(settings, install):
    install("en_de", "en_ru")
    results, errors = {}, []

    def work(number: int) -> None:
        target = "de" if number % 2 else "ru"
        sentences = [f"Ships wait {number} times.", *ARTICLE]
        try:
            results[number] = (target, translation.translate(sentences, "en", target, settings))
        except Exception as error:  # collected, then asserted below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for number, (target, output) in results.items():
        assert output == [f"<{target}> Ships wait {number} times."] + [f"<{target}> {s}" for s in ARTICLE]
    assert translation.loaded_pairs() == [("en", "de"), ("en", "ru")]


def test_cli_install_then_python_translate_as_a_user_would(tmp_path, packs):
    """The issue's check: `newsdesk langpacks install FILE`, then translate() in Python."""
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path),
           "NEWSDESK_PACKAGES_DIR": str(tmp_path / "packages")}
    newsdesk = Path(sys.executable).parent / "newsdesk"
    installed = subprocess.run([newsdesk, "langpacks", "install", packs["en_de"]], env=env,
                               capture_output=True, text=True, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout == f"installed: translate-en_de 1.0 (en->de) in {tmp_path}/packages/translate-en_de\n"
    script = "from service.translation import translate; print(translate(['Hello world.'], 'en', 'de'))"
    translated = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert (translated.returncode, translated.stdout) == (0, "['<de> Hello world.']\n"), translated.stderr


def test_the_benchmark_pack_copies_at_transformer_base_size(settings, tmp_path):
    """bench/ measures with this pack: it must be base-sized and give real-length output."""
    from tests.argospack import CORPUS, build_base_pack

    archive = build_base_pack(tmp_path, "en", "de", CORPUS.splitlines() * 4, pieces=400)
    langpacks.install_archive(archive, settings)
    # The default cap (2 x input + 10) is far above the copy's length: output ends at </s>.
    assert translation.translate(ARTICLE, "en", "de", settings) == [f"<de> {s}" for s in ARTICLE]
    model = settings.packages_dir / "translate-en_de" / "model"
    assert json.loads((model / "config.json").read_text())["add_source_eos"] is True
    assert (model / "model.bin").stat().st_size > 40_000_000  # 6+6 layers, d512, 16k vocabulary, int8



# Settings that cannot change what a pack makes of a sentence (where things live, limits,
# threads, batching, caches, access): a new setting must be added here or to
# translation.OUTPUT_SETTINGS, so that no decoding setting is forgotten by the cache key.
HARMLESS_TO_OUTPUT = {
    "packages_dir", "langpacks_dir", "install_on_start", "download_missing", "index_url", "download_timeout",
    "max_pack_bytes", "inter_threads", "intra_threads", "max_batch_size", "cache_sentences", "cache_redis_url",
    "cache_redis_ttl", "max_characters", "max_sentence_characters", "max_request_bytes", "preload_packs", "max_files",
    "request_timeout", "api_keys", "keys_db", "secret_key", "rate_limit", "rate_limit_storage", "redis_url",
    "jobs_dir", "job_result_ttl", "job_retries", "job_claim_seconds", "max_job_articles", "max_job_bytes",
    "secure_cookies", "batch_limit", "max_stored_job_bytes", "jobs_max_memory", "results_db", "keep_results",
    # Shared batches decode each sentence as a batch of its own would: the same output.
    "shared_batches", "batch_wait", "metrics", "metrics_token",
    # The glossary and the memory change outputs through their own version in the cache key, not as settings.
    "glossary_db", "memory_db", "uncertain_below", "suggestions",
    # What documents and LibreTranslate's files may be, and where a key may come from.
    "max_document_bytes", "max_document_unpacked_bytes", "max_document_pages", "max_document_paragraphs",
    "document_read_memory", "document_read_seconds",
    "keys_in_query", "keep_translated_files",
}


def test_every_setting_is_either_in_the_cache_key_or_harmless_to_the_output():
    from service.config import Settings

    names = {field.name for field in dataclasses.fields(Settings)}
    assert names - HARMLESS_TO_OUTPUT - set(translation.OUTPUT_SETTINGS) == set()
    assert not HARMLESS_TO_OUTPUT & set(translation.OUTPUT_SETTINGS)


@pytest.mark.parametrize("name, value", [("beam_size", 1), ("compute_type", "float32"), ("decoding_ratio", 9.0),
                                         ("decoding_extra", 99), ("max_input_tokens", 77)])
def test_each_output_setting_changes_the_cache_scope(settings, install, name, value):
    install("en_de")
    loaded = translation.load_pack("en", "de", settings)
    for shared in (False, True):
        before = translation.cache_scope(loaded, settings, shared=shared)
        assert translation.cache_scope(loaded, with_settings(settings, **{name: value}), shared=shared) != before
    assert translation.cache_scope(loaded, settings, shared=True) == translation.cache_scope(loaded, settings)[1:]
