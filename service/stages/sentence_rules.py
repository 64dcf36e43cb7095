"""Hold the per-language data for sentence splitting: pySBD language classes and guards.

pySBD (0.3.4) keeps one class per language; ``pysbd_language`` returns that class with the
fixes news text needs (issue 13). The classes are built on first use so that importing this
module does not import pySBD.

- Quotes: pySBD protects everything between two straight quotes (or « », “ ”), so one
  stray or mismatched quote hides every sentence end up to the next quote. Here quotes
  protect nothing; ``service.sentences`` puts closing quotes back on their sentence and
  joins a quotation that a split cut without a sentence end.
- Capitals: pySBD's rules for a sentence after an ellipsis or a quotation look for
  ``[A-Z]`` only; each language says which letters start a sentence.
- Arabic: "،" and ":" are not sentence ends (pySBD ends a sentence at both), and its
  one-letter abbreviations (ا, م, ه) matched the last letter of any word, so a full stop
  after such a word was never a boundary.
- Russian: initials (П. И. Чайковский) and unit abbreviations at a sentence end
  ("300 тыс. руб. Об этом ...").
- German: an ordinal-looking number before a word that never follows an ordinal
  ("auf Seite 12. Dort ...") or before a quote ends the sentence.
- Lists: numbers in German, Russian and Arabic running text are not list items.
- Speed: pySBD rewrites the whole text once per occurrence of an abbreviation or a
  list-like number, quadratic in a paragraph's length; here once per spelling.
"""

from __future__ import annotations

import functools
import re

# Letters a sentence can start with, as a regex character class body. Arabic has no case,
# so its letters say nothing: an Arabic "..." followed by a word goes on with the sentence.
_LATIN_CAPITALS = "A-ZÀ-ÖØ-Þ"
CAPITALS = {
    "en": _LATIN_CAPITALS,
    "de": _LATIN_CAPITALS,
    "ru": _LATIN_CAPITALS + "А-ЯЁ",
    "ar": _LATIN_CAPITALS,
}

# Bidirectional control marks (LRM, RLM, LRE ... RLO) that Arabic text puts around
# punctuation; they do not separate an abbreviation from its full stop.
BIDI_MARKS = "\u200e\u200f\u202a-\u202e\u2066-\u2069"

# Spans a reader never ends a sentence in: URLs and e-mail addresses ("?", "." inside them)
# and abbreviations pySBD misses. service.sentences hides them while pySBD runs.
_URL = r"(?:https?://|www\.)[^\s<>\"«»“”]+[^\s<>\"«»“”.,;:!?)\]]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
KEEP_WHOLE = {
    # т. е., т. к., т. н. never end a sentence; т. д., т. п. ("etc.") do before a capital
    "ru": re.compile(_URL + r"|\bт\.\s?[екн]\.|\bт\.\s?[дп]\.(?=\s+(?-i:[а-яё0-9]))", re.IGNORECASE),
    "de": re.compile(_URL + r"|\b(?:z\.\s?B|d\.\s?h|u\.\s?a|o\.\s?ä|s\.\s?o|v\.\s?a)\.(?=\s+\w)"),
}
KEEP_WHOLE_DEFAULT = re.compile(_URL)

# German: words that follow a full stop after a number only when a new sentence starts
# (an ordinal is followed by a noun or an adjective: "am 3. März", "der 2. Weltkrieg").
GERMAN_SENTENCE_STARTERS = (
    "Aber Als Am Auch Auf Bei Da Dabei Damit Danach Dann Das Dass Dazu Dem Den Der Des Deshalb "
    "Die Dies Diese Diesem Diesen Dieser Dieses Doch Dort Du Ein Eine Einem Einen Einer Er Es "
    "Für Ich Ihr Im In Man Mit Nach Noch Nun Nur Seit Sie So Und Von Vor Was Wenn Wer Wie Wir "
    "Zu Zum Zur"
).split()

# Russian abbreviations that stand after a number or at the end of a list and so can end a
# sentence: the next word decides (a capital starts a new sentence). "г." before a name
# ("г. Москва") is "город" and never ends one, so "г" counts only after a number.
RUSSIAN_CLOSING_ABBREVIATIONS = ("тыс", "млн", "млрд", "трлн", "руб", "долл", "коп", "др", "пр", "вв")
# "г."/"гг." after a year ends a sentence only where a clause ends in "… в 1963 г." (a word, a
# preposition, the year): a year that opens the sentence ("В 2010-2012 гг. Виктор …") or stands
# after a comma ("…, 1898 г. В 1854 году …") goes on with it (Pragmatic Segmenter's ru cases, issue 27).
RUSSIAN_YEAR_PREPOSITIONS = ("в", "во", "на", "до", "к", "с", "со", "по", "за", "от", "около", "после", "к концу")
RUSSIAN_EXTRA_ABBREVIATIONS = ("ст", "им", "млн", "млрд", "трлн", "коп", "ч", "мин", "сек", "км", "тел")

# Arabic: "د." (Dr.) and "أ.د" (Prof. Dr.) are missing from pySBD's list.
ARABIC_EXTRA_ABBREVIATIONS = ("د", "أ.د")

# Languages whose numbered or lettered lists on one line ("a. The first item b. The second
# item") pySBD cuts into items. In German, Russian and Arabic running news text such numbers
# are results, dates and ranks ("1. Anna Berger (AUT) 245 Punkte - 2. ..."), never a list.
INLINE_LISTS = {"en"}


# pySBD's common sentence-end regex without its quoted-sentence alternatives (they pair
# quotes blindly and look for [A-Z]); "A-Z" is replaced by the language's capitals.
_COMMON_BOUNDARY = (r"（(?:[^）])*）(?=\s?[A-Z])|「(?:[^」])*」(?=\s[A-Z])|\((?:[^\)]){2,}\)(?=\s[A-Z])"
                    r"|[。．.！!?？ ]{2,}|\S.*?[。．.！!?？ȸȹ☉☈☇☄]|[。．.！!?？]")


@functools.lru_cache(maxsize=None)
def pysbd_language(lang: str):
    """Return the pySBD language class to split ``lang`` with (pySBD's own for other languages)."""
    from pysbd.languages import LANGUAGE_CODES

    builder = _BUILDERS.get(lang)
    if builder is None:
        return LANGUAGE_CODES.get(lang, LANGUAGE_CODES["en"])
    return builder(LANGUAGE_CODES[lang])


def _news_language(base, capitals: str):
    """Return ``base`` with quote protection off and the language's capitals in its rules."""
    from pysbd.lang.common.standard import Standard
    from pysbd.utils import Rule

    class Ellipsis(Standard.EllipsisRules):
        # "..." before a capital (or a quote and a capital) ends a sentence
        ThreeConsecutiveRule = Rule(r"\.\.\.(?=\s+[\"'«»„“”]?[{}])".format(capitals), "☏☏.")
        All = [Standard.EllipsisRules.ThreeSpaceRule, Standard.EllipsisRules.FourSpaceRule,
               Standard.EllipsisRules.FourConsecutiveRule, ThreeConsecutiveRule,
               Standard.EllipsisRules.OtherThreePeriodRule]

    # pySBD keeps a full stop after a digit before any non-space ("3.5", "1.000"), also before
    # a closing quote or bracket ('... in 2005." He ...'), where it ends a sentence
    after_digit = Rule(r"(?<=\d)\.(?=[^\s\"'»«“”)\]])", "∯")
    numbers = type("Numbers", (base.Numbers,), {
        "NumberAfterPeriodBeforeLetterRule": after_digit,
        "All": [after_digit if rule is base.Numbers.NumberAfterPeriodBeforeLetterRule else rule
                for rule in base.Numbers.All],
    })

    return type(base.__name__ + "News", (base,), {
        "SPLITS_INLINE_LISTS": base.iso_code in INLINE_LISTS,
        "Processor": _linear_processor(getattr(base, "Processor", None)),
        "BetweenPunctuation": _quote_free_between_punctuation(getattr(base, "BetweenPunctuation", None)),
        "AbbreviationReplacer": _linear_abbreviation_replacer(base.AbbreviationReplacer),
        "EllipsisRules": Ellipsis,
        "Numbers": numbers,
        # pySBD's quoted-sentence patterns assume a capital in [A-Z] and paired quotes
        "SENTENCE_BOUNDARY_REGEX": _COMMON_BOUNDARY.replace("A-Z", capitals),
        "QUOTATION_AT_END_OF_SENTENCE_REGEX": r"[!?\.-][\"'“”»«„]\s{{1}}[{}]".format(capitals),
        "SPLIT_SPACE_QUOTATION_AT_END_OF_SENTENCE_REGEX":
            r"(?<=[!?\.-][\"'“”»«„])\s{{1}}(?=[{}])".format(capitals),
    })


def _linear_abbreviation_replacer(base):
    """Return ``base`` applying each abbreviation once per text, not once per occurrence.

    pySBD rewrites the whole text for every occurrence of an abbreviation ("в", "и", "is"
    occur hundreds of times in a long paragraph), which is quadratic; the rewrite is the
    same each time (its next-letter test never matches in 0.3.4), so once is enough.
    """

    class Linear(base):
        def search_for_abbreviations_in_string(self, text):
            lowered = text.lower()
            for abbr in self.lang.Abbreviation.ABBREVIATIONS:
                stripped = abbr.strip()
                if stripped not in lowered:
                    continue
                # pySBD's own pattern (the abbreviation unescaped), first match per spelling
                occurrences = dict.fromkeys(re.findall(r"(?:^|\s|\r|\n){}".format(stripped), text, flags=re.I))
                for index, occurrence in enumerate(occurrences):
                    text = self.scan_for_replacements(text, occurrence, index, [])
            return text

    return Linear


def _linear_processor(base):
    """Return pySBD's processor with its numbered-list scan done once per number, not per item.

    pySBD rewrites the whole text for every list-marker-like number ("5. ") it finds, again
    for each repeat of the same number; the rewrite is the same each time.
    """
    from pysbd.lists_item_replacer import ListItemReplacer
    from pysbd.processor import Processor
    from pysbd.utils import Text

    class LinearLists(ListItemReplacer):
        def scan_lists(self, regex1, regex2, replacement, strip=False):
            items = list(map(int, re.findall(regex1, self.text)))
            found = {}
            for index, item in enumerate(items):
                before = items[index - 1] if index > 0 else None
                after = items[index + 1] if index < len(items) - 1 else None
                if after == item + 1 or before is not None and (
                        before == item - 1 or (item, before) in ((0, 9), (9, 0))):
                    found[item] = True
            for item in found:
                self.substitute_found_list_items(regex2, item, strip, replacement)

    class Linear(base or Processor):
        def process(self):
            # pySBD 0.3.4's Processor.process, with LinearLists where lists are split at all
            if not self.text:
                return self.text
            self.text = self.text.replace("\n", "\r")
            if self.lang.SPLITS_INLINE_LISTS:
                self.text = LinearLists(self.text).add_line_break()
            self.replace_abbreviations()
            self.replace_numbers()
            self.replace_continuous_punctuation()
            self.replace_periods_before_numeric_references()
            self.text = Text(self.text).apply(
                self.lang.Abbreviation.WithMultiplePeriodsAndEmailRule,
                self.lang.GeoLocationRule, self.lang.FileFormatRule)
            return self.split_into_segments()

    return Linear


def _quote_free_between_punctuation(base):
    from pysbd.between_punctuation import BetweenPunctuation

    class QuoteFree(base or BetweenPunctuation):
        def sub_punctuation_between_double_quotes(self, txt):
            return txt

        def sub_punctuation_between_quotes_arrow(self, txt):
            return txt

        def sub_punctuation_between_quotes_slanted(self, txt):
            return txt

    return QuoteFree


def _english(base):
    return _news_language(base, CAPITALS["en"])


def _german(base):
    from pysbd.utils import Rule

    news = _news_language(base, CAPITALS["de"])
    starters = "|".join(GERMAN_SENTENCE_STARTERS)

    # pySBD's rule keeps every "12." before a space; not before a sentence starter or a quote
    ordinal = Rule(r"(?:(?<=[\s\"„“«»(]\d)|(?<=[\s\"„“«»(]\d\d))\.(?=\s(?!(?:{})\b|[\"„“«»]))".format(
        starters), "∯")
    news.Numbers = type("Numbers", (news.Numbers,), {
        "NumberPeriodSpaceRule": ordinal,
        "All": [ordinal if rule is base.Numbers.NumberPeriodSpaceRule else rule for rule in news.Numbers.All],
    })
    return news


def _russian(base):
    from pysbd.utils import Rule, Text

    capitals = CAPITALS["ru"]
    news = _news_language(base, capitals)
    closing = "|".join(RUSSIAN_CLOSING_ABBREVIATIONS)

    class Abbreviation(base.Abbreviation):
        ABBREVIATIONS = sorted(set(base.Abbreviation.ABBREVIATIONS) | set(RUSSIAN_EXTRA_ABBREVIATIONS))

    class SingleLetterAbbreviationRules(base.SingleLetterAbbreviationRules):
        # initials in any script: "П. И. Чайковский", "П.И. Чайковский"
        Initial = Rule(r"(?:(?<=^[{0}])|(?<=[\s(«\"„“][{0}])|(?<=[{0}]\.[{0}]))\.(?=,?\s|[{0}])".format(
            capitals), "∯")
        All = base.SingleLetterAbbreviationRules.All + [Initial]

    class AbbreviationReplacer(news.AbbreviationReplacer):
        def replace(self):
            text = super().replace()
            # a unit or "и др." before a capital ends the sentence after all
            return Text(text).apply(
                Rule(r"(\s(?:{}))∯(?=\s+[\"«„“]?[{}])".format(closing, capitals), r"\1."),
                Rule(r"(\w\s(?:{})\s\d{{1,4}}(?:\s?[–-]\s?\d{{1,4}})?\s?гг?)∯(?=\s+[\"«„“]?[{}])".format(
                    "|".join(RUSSIAN_YEAR_PREPOSITIONS), capitals), r"\1."),
                Rule(r"(т∯\s?[дп])∯(?=\s+[\"«„“]?[{}])".format(capitals), r"\1."),
            )

    news.Abbreviation = Abbreviation
    news.SingleLetterAbbreviationRules = SingleLetterAbbreviationRules
    news.AbbreviationReplacer = AbbreviationReplacer
    return news


def _arabic(base):
    news = _news_language(base, CAPITALS["ar"])

    class Abbreviation(base.Abbreviation):
        ABBREVIATIONS = base.Abbreviation.ABBREVIATIONS + list(ARABIC_EXTRA_ABBREVIATIONS)

    class AbbreviationReplacer(news.AbbreviationReplacer):
        def scan_for_replacements(self, txt, am, index, character_array):
            # the abbreviation must be a whole word (pySBD matched a word's last letter)
            pattern = r"(?<![^\s{0}]){1}[{0}]*\.".format(BIDI_MARKS, re.escape(am.strip()))
            return re.sub(pattern, lambda m: m.group()[:-1] + "∯", txt)

    news.Punctuations = ["?", "!", ".", "؟"]  # pySBD's also has "،" and ":"
    # ☉☈☇☄ stand for "?!", "!?", "??", "!!" while pySBD runs: they end a sentence too (issue 27:
    # talk transcripts and dialogue write "!!" and "?!" where commentary never does)
    news.SENTENCE_BOUNDARY_REGEX = r".*?[\.!\?؟☉☈☇☄]|.*?\Z|.*?$"
    news.Abbreviation = Abbreviation
    news.AbbreviationReplacer = AbbreviationReplacer
    return news


_BUILDERS = {"en": _english, "de": _german, "ru": _russian, "ar": _arabic}
