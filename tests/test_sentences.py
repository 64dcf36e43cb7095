"""Sentence splitting: golden cases per language (exact lists)."""

from __future__ import annotations

import pytest

from service.stages.sentences import split_sentences

CASES = [
    ("en", "Mr. Smith met Dr. Jones at 5 p.m. on Monday. They talked.",
     ["Mr. Smith met Dr. Jones at 5 p.m. on Monday.", "They talked."], "abbreviations"),
    ("en", "J. R. R. Tolkien wrote books. He died in 1973.",
     ["J. R. R. Tolkien wrote books.", "He died in 1973."], "initials"),
    ("en", "It rose 3.5% to $1.25 billion. Then it fell.",
     ["It rose 3.5% to $1.25 billion.", "Then it fell."], "decimals"),
    ("en", 'According to union spokesman J. de Vries, "the offer meets our main demands." Operators said traffic would be back to normal by Friday.',
     ['According to union spokesman J. de Vries, "the offer meets our main demands."',
      "Operators said traffic would be back to normal by Friday."], "quote-then-sentence"),
    ("en", 'He said: "Wait..." Nobody moved. It was over.',
     ['He said: "Wait..."', "Nobody moved.", "It was over."], "ellipsis"),
    ("en", "Visit https://www.example.com/news/a.b?c=1 for more. Then go home.",
     ["Visit https://www.example.com/news/a.b?c=1 for more.", "Then go home."], "url"),
    ("en", "Write to j.doe@example.co.uk. Then wait.", ["Write to j.doe@example.co.uk.", "Then wait."], "email"),
    ("en", "Ships diverted to Antwerp\nThe strike forced lines to divert vessels.",
     ["Ships diverted to Antwerp", "The strike forced lines to divert vessels."], "heading-line-is-a-boundary"),
    ("en", "First paragraph without a stop\n\nSecond paragraph.", ["First paragraph without a stop", "Second paragraph."],
     "paragraph-is-a-boundary"),
    ("de", "Er kam z. B. am 3. März. Dann ging er.", ["Er kam z. B. am 3. März.", "Dann ging er."], "german-abbreviation"),
    ("ru", "Докеры т. е. рабочие прекратили забастовку. Суда ждут.",
     ["Докеры т. е. рабочие прекратили забастовку.", "Суда ждут."], "russian-abbreviation"),
    ("ar", "أنهى عمال الموانئ الإضراب. السفن تنتظر؟ نعم.", ["أنهى عمال الموانئ الإضراب.", "السفن تنتظر؟", "نعم."],
     "arabic-question-mark"),
    ("xx", "Unknown languages use English rules. Like this.", ["Unknown languages use English rules.", "Like this."],
     "fallback"),
    ("en", "", [], "empty"),
    ("en", "  \n\t ", [], "blank"),
]

# Issue 13: running news text in en, de, ru, ar (made-up sentences).
ISSUE13 = [
    # a quotation closed with another mark than it opened with
    ("en", 'He said: “We will not stop." The talks went on.',
     ['He said: “We will not stop."', "The talks went on."], "issue13-lone-quote"),
    ("en", 'She wrote: “The port is closed." Ships waited. Then "the crews" went home.',
     ['She wrote: “The port is closed."', "Ships waited.", 'Then "the crews" went home.'],
     "issue13-stray-quote-hides-no-sentence"),
    ("en", 'He asked: “Why?". Nobody answered.', ['He asked: “Why?".', "Nobody answered."],
     "issue13-quote-and-full-stop"),
    ("en", '"Are you coming?" she asked. He nodded.', ['"Are you coming?" she asked.', "He nodded."],
     "issue13-quotation-goes-on-in-lower-case"),
    ("en", "The talks ended! ) The ships sailed.", ["The talks ended! )", "The ships sailed."],
     "issue13-lone-bracket"),
    ("en", "The talks ended. ... The ships sailed.", ["The talks ended. ...", "The ships sailed."],
     "issue13-lone-ellipsis"),
    ("en", "a. The first item b. The second item", ["a. The first item", "b. The second item"],
     "issue13-list-item-in-lower-case"),
    ("de", 'Er sagte: „Wir hören nicht auf." Die Gespräche gingen weiter.',
     ['Er sagte: „Wir hören nicht auf."', "Die Gespräche gingen weiter."], "issue13-german-mismatched-quote"),
    ("de", "Sie fragte: „Warum?“. Niemand antwortete.", ["Sie fragte: „Warum?“.", "Niemand antwortete."],
     "issue13-german-lone-quote"),
    ("de", "„Kommst du?“, fragte sie. Er nickte.", ["„Kommst du?“, fragte sie.", "Er nickte."],
     "issue13-german-quotation-then-comma"),
    ("de", "Er rief: »Wir bleiben hier.« Dann ging er.", ["Er rief: »Wir bleiben hier.«", "Dann ging er."],
     "issue13-german-reversed-guillemets"),
    ("de", "Er sagte: „Wir kommen.“ – Dann ging er.", ["Er sagte: „Wir kommen.“", "– Dann ging er."],
     "issue13-german-closing-quote-before-dash"),
    ("de", "Die Zahl steht auf Seite 12. Dort steht mehr.", ["Die Zahl steht auf Seite 12.", "Dort steht mehr."],
     "issue13-german-number-before-sentence-starter"),
    ("de", "Wir treffen uns am 3. Oktober in Bonn. Der 2. Weltkrieg endete 1945.",
     ["Wir treffen uns am 3. Oktober in Bonn.", "Der 2. Weltkrieg endete 1945."], "issue13-german-ordinals"),
    ("de", "Die Feier fand in der Dr.-Müller-Halle statt. Alle kamen.",
     ["Die Feier fand in der Dr.-Müller-Halle statt.", "Alle kamen."], "issue13-glued-hyphen"),
    ("de", "Ergebnis: 1. Anna Berger (AUT) 245,7 Punkte - 2. Eva Muster (SUI) 237,7. Dann kam Regen.",
     ["Ergebnis: 1. Anna Berger (AUT) 245,7 Punkte - 2. Eva Muster (SUI) 237,7.", "Dann kam Regen."],
     "issue13-german-ranking-is-not-a-list"),
    ("de", "Die Zahl steht auf Seite 12. „Wir bleiben“, sagte er.",
     ["Die Zahl steht auf Seite 12.", "„Wir bleiben“, sagte er."], "issue13-german-number-before-quote"),
    ("ru", 'Он сказал: "Мы не остановимся." Переговоры продолжились.',
     ['Он сказал: "Мы не остановимся."', "Переговоры продолжились."], "issue13-russian-quote-then-capital"),
    ("ru", "Она спросила: «Вы придёте?». Он кивнул.", ["Она спросила: «Вы придёте?».", "Он кивнул."],
     "issue13-russian-lone-quote"),
    ("ru", "Он сказал: «Мы устали. Мы уходим». Суд закрылся.",
     ["Он сказал: «Мы устали.", "Мы уходим».", "Суд закрылся."], "issue13-russian-sentences-inside-a-quotation"),
    ("ru", "Фильм «Чьи улицы?», который выйдет в августе. Это рассказ.",
     ["Фильм «Чьи улицы?», который выйдет в августе.", "Это рассказ."], "issue13-russian-closing-quote-then-comma"),
    ("ru", '"Мы победим!" - сказал тренер. Матч начался.', ['"Мы победим!" - сказал тренер.', "Матч начался."],
     "issue13-russian-quotation-then-dash"),
    ("ru", "Концерт памяти П. И. Чайковского прошёл в Москве. Зал имени П.И. Чайковского был полон.",
     ["Концерт памяти П. И. Чайковского прошёл в Москве.", "Зал имени П.И. Чайковского был полон."],
     "issue13-russian-initials"),
    ("ru", "Штраф составил 200 тыс. руб. Об этом сообщил суд. Памятник открыли в 1998 г. Он живёт в г. Москве.",
     ["Штраф составил 200 тыс. руб.", "Об этом сообщил суд.", "Памятник открыли в 1998 г.", "Он живёт в г. Москве."],
     "issue13-russian-units-at-a-sentence-end"),
    ("ru", "Приехали министры, губернаторы и т. д. Встреча прошла спокойно, т. е. без споров.",
     ["Приехали министры, губернаторы и т. д.", "Встреча прошла спокойно, т. е. без споров."], "issue13-russian-etc"),
    ("ar", "قال الوزير، في مؤتمر صحفي، إن الميناء مغلق. وأضاف أن السفن تنتظر.",
     ["قال الوزير، في مؤتمر صحفي، إن الميناء مغلق.", "وأضاف أن السفن تنتظر."], "issue13-arabic-comma"),
    ("ar", "وقال المتحدث: الاتفاق جاهز. وغادر القاعة.", ["وقال المتحدث: الاتفاق جاهز.", "وغادر القاعة."],
     "issue13-arabic-colon"),
    ("ar", "الاجتماع انتهى مبكرا. وغادر الوزراء اليوم. وعادت السفن.",
     ["الاجتماع انتهى مبكرا.", "وغادر الوزراء اليوم.", "وعادت السفن."], "issue13-arabic-word-ending-like-an-abbreviation"),
    ("ar", "وقال د. أحمد إن الوضع مستقر. وغادر.", ["وقال د. أحمد إن الوضع مستقر.", "وغادر."],
     "issue13-arabic-doctor"),
    ("ar", 'قال الوزير: "لن نتوقف." وغادر القاعة.', ['قال الوزير: "لن نتوقف."', "وغادر القاعة."],
     "issue13-arabic-quote"),
    ("ar", "قال: «لماذا؟». ولم يجب أحد.", ["قال: «لماذا؟».", "ولم يجب أحد."], "issue13-arabic-lone-quote"),
    ("ru", "В 2010-2012 гг. Виктор посещал г. Волгоград неоднократно.",
     ["В 2010-2012 гг. Виктор посещал г. Волгоград неоднократно."], "issue27-russian-years-open-the-sentence"),
    ("ru", "Дом, где родился Л.Н.Толстой, 1898 г. В 1854 году дом продан на вывоз в село Долгое.",
     ["Дом, где родился Л.Н.Толстой, 1898 г. В 1854 году дом продан на вывоз в село Долгое."],
     "issue27-russian-year-after-a-comma"),
    ("ru", "Он работал там в 2010–2012 гг. Потом он уехал.", ["Он работал там в 2010–2012 гг.", "Потом он уехал."],
     "issue27-russian-years-end-a-clause"),
    ("ru", "«К чему ты готовишься? – спросила мама. – Завтра ведь выходной».",
     ["«К чему ты готовишься? – спросила мама. – Завтра ведь выходной»."], "issue27-russian-dialogue-with-dashes"),
    ("ru", "«Мы не уйдём, – сказал он. – Мы останемся». Потом он ушёл.",
     ["«Мы не уйдём, – сказал он. – Мы останемся».", "Потом он ушёл."], "issue27-russian-dialogue-then-a-sentence"),
    ("ar", "لقد رأيت ذلك بعيني!! لا يصدق.", ["لقد رأيت ذلك بعيني!!", "لا يصدق."], "issue27-arabic-double-exclamation"),
    ("ar", "ماذا?! لا أصدق. حقا!? نعم.", ["ماذا?!", "لا أصدق.", "حقا!?", "نعم."], "issue27-arabic-mixed-marks"),
    ("en", '"', ['"'], "issue13-a-line-of-marks-only-is-kept"),
    ("en", "Yes:.??", ["Yes:.??"], "issue13-characters-pysbd-drops-are-kept"),
]


@pytest.mark.parametrize("lang, text, expected", [c[:3] for c in CASES + ISSUE13],
                         ids=[c[3] for c in CASES + ISSUE13])
def test_split_sentences(lang, text, expected):
    assert split_sentences(text, lang) == expected


@pytest.mark.parametrize("lang, text", [c[:2] for c in CASES + ISSUE13 if c[1].strip() != '"'],
                         ids=[c[3] for c in CASES + ISSUE13 if c[1].strip() != '"'])
def test_issue13_every_sentence_has_a_letter_or_digit(lang, text):
    assert all(any(char.isalnum() for char in sentence) for sentence in split_sentences(text, lang))


@pytest.mark.parametrize("lang, sentence", [
    ("en", 'He said: “Port {} will not close." The talks went on, e.g. in Rotterdam.'),
    ("de", "„Wir bleiben“, sagte er am {}. März. Die Zahl steht auf Seite 12."),
    ("ru", "Он сказал: «Мы не уйдём {}». Штраф составил 200 тыс. руб."),
    ("ar", 'قال الوزير، في بيان: "لن نتوقف {}." وأضاف أن الميناء مغلق.'),
], ids=["issue13-long-en", "issue13-long-de", "issue13-long-ru", "issue13-long-ar"])
def test_issue13_two_thousand_sentences_in_one_paragraph(lang, sentence):
    # The time this takes is measured in bench/quality_bench.py, not here.
    text = " ".join(sentence.format(i % 28 + 1) for i in range(1000))  # 2,000 sentences, one line
    assert len(split_sentences(text, lang)) == 2000


def test_no_character_is_lost():
    text = ("Dock workers (in Rotterdam) ended a 5-day strike... Really? Yes! "
            "See https://ex.am/ple?x=1. „Gut“, sagte er.\nNew line here")
    sentences = split_sentences(text, "en")
    assert "".join(sentences).replace(" ", "") == text.replace(" ", "").replace("\n", "")


def test_a_very_long_sentence_without_punctuation_is_cut_not_lost():
    text = " ".join(["word"] * 12_000)  # 60,000 characters, no full stop
    sentences = split_sentences(text, "en")
    assert len(sentences) == 3
    assert " ".join(sentences) == text


def test_issue13_text_that_looks_like_a_placeholder_stays_as_written():
    text = "Officials met on Monday xqzkeep3x in Hamburg. See https://example.com/a.b for more. Then they left."
    assert split_sentences(text, "en") == ["Officials met on Monday xqzkeep3x in Hamburg.",
                                           "See https://example.com/a.b for more.", "Then they left."]
