"""Per-sentence confidence from the model's own scores, and alternatives (issue 16), with a
copy pack whose scores we control: it is sure of every piece but "offer" (see tests/argospack.py)."""

from __future__ import annotations

import math

import pytest

from service import outcome, render, translation
from service.pipeline import process

UNSURE = "Unions made an offer."
SURE = "Hello world."


@pytest.fixture
def unsure_pack(settings, packs):
    from service.translation import packs as langpacks

    langpacks.install_archive(packs["en_de_unsure"], settings)


def test_confidence_is_the_geometric_mean_of_the_pieces_probabilities(settings, unsure_pack):
    unsure, sure = translation.translate_detailed([UNSURE, SURE], "en", "de", settings)
    assert (unsure.text, sure.text) == ("<de> Unions made an offer.", "<de> Hello world.")
    assert sure.confidence >= 0.999
    assert 0.95 < unsure.confidence < 0.99  # one piece at about 0.68, over about a dozen
    loaded = translation.load_pack("en", "de", settings)
    pieces = loaded.tokenizer.encode(UNSURE)
    output = loaded.translator.translate_batch([pieces], beam_size=settings.beam_size)[0].hypotheses[0]
    scored = loaded.translator.score_batch([pieces], [output])[0]  # each output piece's log probability, and the end's
    assert unsure.confidence == pytest.approx(math.exp(sum(scored.log_probs) / len(scored.log_probs)), abs=0.002)


def test_a_cached_sentence_keeps_its_confidence(settings, unsure_pack):
    first = translation.translate_detailed([UNSURE], "en", "de", settings)
    again = translation.translate_detailed([UNSURE], "en", "de", settings)
    assert translation.sentence_cache(settings).stats()["hits"] == 1
    assert again == first


def test_alternatives_are_the_next_best_translations(settings, unsure_pack):
    [decoded] = translation.translate_detailed([UNSURE], "en", "de", settings, alternatives=1)
    assert (decoded.text, decoded.alternatives) == ("<de> Unions made an offer.", ("<de> Unions made an union.",))


def test_process_marks_uncertain_sentences_in_every_output(settings, unsure_pack):
    from dataclasses import replace

    result = process(f"{SURE} {UNSURE}", targets=("de",), source="en", settings=replace(settings, uncertain_below=0.99))
    pairs = outcome.to_dict(result)["translations"]["de"]["pairs"]
    assert [(pair["target"], pair["uncertain"]) for pair in pairs] == [
        ("<de> Hello world.", False), ("<de> Unions made an offer.", True)]
    assert all(0 < pair["confidence"] <= 1 for pair in pairs) and "alternatives" not in pairs[0]
    confidence = f"{result.translations['de'].confidences[1]:.2f}"
    line = f"- {confidence} · <de> Unions made an offer. ← Unions made an offer."
    assert render.to_markdown(result, "de").endswith(
        f"## For review: the model was unsure of these translations\n\n{line}\n")
    assert render.to_text(result, "de").endswith(f"For review: the model was unsure of these translations:\n{line}\n")
    assert '<ul class="uncertain"><li><data value=' in render.to_html(result, "de")
    assert "For review" not in render.to_markdown(result)  # the source has nothing to review


def test_stored_results_keep_confidences_and_alternatives(settings, unsure_pack):
    result = process(UNSURE, targets=("de",), source="en", settings=settings, alternatives=1)
    again = outcome.from_dict(outcome.to_dict(result), list(result.paragraph_index))
    assert again.translations["de"] == result.translations["de"]


def test_the_api_gives_confidence_and_alternatives_per_pair(make_app, unsure_pack):
    client = make_app(rate_limit=None, uncertain_below=0.99).test_client()
    response = client.post("/api/v1/process", json={"text": UNSURE, "targets": ["de"], "source": "en",
                                                    "alternatives": 1})
    [pair] = response.get_json()["translations"]["de"]["pairs"]
    assert (pair["target"], pair["alternatives"], pair["uncertain"]) == (
        "<de> Unions made an offer.", ["<de> Unions made an union."], True)
    refused = client.post("/api/v1/process", json={"text": UNSURE, "targets": ["de"], "alternatives": 9})
    assert (refused.status_code, refused.get_json()) == (400, {"error": (
        "field 'alternatives' must be a whole number from 0 to 5: how many other translations to give for each "
        "sentence")})


def test_libretranslate_alternatives_in_its_shape(make_app, unsure_pack):
    client = make_app(rate_limit=None).test_client()
    one = client.post("/translate", json={"q": UNSURE, "source": "en", "target": "de", "alternatives": 1})
    assert one.get_json() == {"translatedText": "<de> Unions made an offer.",
                              "alternatives": ["<de> Unions made an union."]}
    many = client.post("/translate", data={"q": UNSURE, "source": "en", "target": "de", "alternatives": "1"})
    assert many.get_json()["alternatives"] == ["<de> Unions made an union."]  # form fields are strings
    listed = client.post("/translate", json={"q": [UNSURE, SURE], "source": "en", "target": "de", "alternatives": 1})
    assert listed.get_json()["alternatives"][0] == ["<de> Unions made an union."]
    html = client.post("/translate", json={"q": f"<p>{UNSURE}</p>", "source": "en", "target": "de",
                                           "format": "html", "alternatives": 1})
    assert html.get_json() == {"translatedText": "<p>&lt;de&gt; Unions made an offer.</p>", "alternatives": []}
    plain = client.post("/translate", json={"q": UNSURE, "source": "en", "target": "de"})
    assert plain.get_json() == {"translatedText": "<de> Unions made an offer."}  # no field unless asked


def test_through_a_pivot_the_confidences_multiply(settings, packs, unsure_pack):
    from service.translation import packs as langpacks

    langpacks.install_archive(packs["ru_en"], settings)
    [english] = translation.translate_detailed([UNSURE], "ru", "en", settings)
    [german] = translation.translate_detailed([english.text], "en", "de", settings)
    [through] = translation.translate_detailed([UNSURE], "ru", "de", settings)  # ru->en->de
    assert through.text == german.text
    assert through.confidence == round(english.confidence * german.confidence, 4) < 0.99


def test_the_command_line_writes_alternatives_into_the_json(settings, unsure_pack, tmp_path, monkeypatch, capsys):
    import json

    from service.cli import main

    monkeypatch.setenv("NEWSDESK_PACKAGES_DIR", str(settings.packages_dir))
    article = tmp_path / "offer.txt"
    article.write_text(UNSURE)
    assert main(["process", str(article), "--to", "de", "--source", "en", "--alternatives", "1"]) == 0
    [pair] = json.loads((tmp_path / "offer.newsdesk.json").read_text())["translations"]["de"]["pairs"]
    assert pair["alternatives"] == ["<de> Unions made an union."]
