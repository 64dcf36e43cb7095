"""Offline source-language detection."""

from __future__ import annotations

import pytest

from service.language import detect_language


@pytest.mark.parametrize("code, text", [
    ("en", "Dock workers in Rotterdam ended a five-day strike after unions accepted a new pay offer."),
    ("de", "Die Hafenarbeiter in Rotterdam haben ihren fünftägigen Streik beendet, nachdem die Gewerkschaften zustimmten."),
    ("ru", "Докеры в Роттердаме прекратили пятидневную забастовку после того, как профсоюзы приняли предложение."),
    ("ar", "أنهى عمال الموانئ في روتردام إضرابا استمر خمسة أيام بعد أن قبلت النقابات عرضا جديدا للأجور."),
])
def test_detects_the_four_newsroom_languages_confidently(code, text):
    detection = detect_language(text)
    assert detection.code == code
    assert detection.confidence > 0.9


def test_text_without_letters_falls_back_to_english_with_no_confidence():
    assert (detect_language("12 34 !!").code, detect_language("12 34 !!").confidence) == ("en", 0.0)
