"""Keep a newsroom's terms through translation: the glossary, and placeholders the model copies.

A ``Glossary`` says, per target language, how a source term is written there ("Gadhafi" is
"Gaddafi" in German), and which terms stay as they are in every language ("NTC"). Before a
sentence goes to the model, ``protect`` swaps each glossary term in it for a placeholder;
after, ``restore`` puts the target term where the placeholder came out, or returns None
when the model lost, doubled or changed a placeholder (the caller then translates that
sentence without protection and flags it).

How terms are matched (``protect``):
- whole words only, with Unicode word boundaries: letters, digits, "_" and combining marks
  (Arabic harakat, Cyrillic and Latin accents as separate code points) all count as word
  characters, so a term never matches inside a longer word in any script. Inflected or
  clitic forms ("Москве" for "Москва", "وغزة" for "غزة") are other words: add them as terms;
- case-aware: a term written with any capital matches only that exact spelling ("NTC" does
  not match "ntc"); an all-lowercase term matches itself and, where a sentence starts (the
  text's start, or after . ! ? … ؟ or a line break, past opening quotes and brackets), its
  Capitalised form: "rebels" matches "Rebels took the city." but not "the Rebels FC";
- the longest term wins where several start at one place ("New York Times" over "New York");
- whitespace inside a term matches any run of whitespace (a line break, a no-break space).

The placeholder is a bare 3-digit number (201, 202, ... skipping every number the sentence
already holds). Why digits, for real Argos packs (SentencePiece + Transformer, trained on
OPUS text with no placeholder tokens in it):
- a model copies what it saw copied in training. Digits are copied source-to-target in
  nearly every parallel sentence that has a number, in every script: Cyrillic and Arabic
  text write the same digits, so a number survives en->ru and en->ar, where a made-up
  Latin token ("ZXQ1") may be transliterated and a lowercased one misses (Argos's models
  have lowercased text: argos-translate issue #182);
- bracketed tokens come apart: "###T01###" was squeezed (LibreTranslate issue #944) and
  "[[TOKEN_1]]" came back as "TOKEN _ 1", with split digits and stray brackets, in a project
  that protects placeholders for Argos (mfoltz/Bloodcraft, Tools/translate_argos.py);
  XML-ish tags lose their "<" ">" ("I wish to make <span ... rise", LibreTranslate issue
  #123), which is why Argos's own tag support (argostranslate/tags.py, translate-html)
  never shows tags to the model; Marian's and OpenNMT's placeholder tokens (<NUM1>, ⦅…⦆)
  work only in models trained with them (marian-nmt/marian issue #123), and characters
  outside the pack's vocabulary become <unk>;
- three digits, because a model regroups longer numbers (1,000 / 1.000 / 1 000), and not a
  round one (200), which a model may spell out. An en->ar pack may answer in Arabic-Indic
  digits (٢٠١), which ``restore`` reads as the same number.
A number where a name stood reads like a name to the model ("201 must quit.", "das
201-Regime"), so the sentence around it is translated much as it would be.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from ..errors import InvalidInput

KEEP = "*"  # the language of terms kept as they are in every language (API field, CSV column)
MAX_TERM_LENGTH = 200
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")  # ISO 639-1, or 639-3 where a pack has no 639-1 code
FIRST_PLACEHOLDER = 201
TABLES_KEPT = 32  # compiled term tables kept: the stored glossary's, and recent inline ones over it

# Word characters for term boundaries: what \w matches, plus combining marks, which \w leaves
# out, so that "مُحَمَّد" or a decomposed "é" is one word and not letters between boundaries.
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d"
_NOT_AFTER_WORD = rf"(?<![\w{_MARKS}])"
_NOT_BEFORE_WORD = rf"(?![\w{_MARKS}])"
_WHITESPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_DIGITS = re.compile(r"[0-9]+")
# Arabic-Indic and Persian digits, one character for one, so positions stay the same.
_ASCII_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
_OPENERS = "\"'«“„‘‚‹([{¿¡"
_CLOSERS = "\"'»”’›)]}"
_SENTENCE_ENDS = ".!?…؟。"
_GAP = object()  # a trie edge for "any run of whitespace"
_END = object()  # a trie key: a term ends here


# --- the glossary -----------------------------------------------------------------


@dataclass(frozen=True)
class Glossary:
    """Target terms per language, and terms kept as they are in every language."""

    by_target: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # "de" -> {"Gadhafi": "Gaddafi"}
    keep: tuple[str, ...] = ()  # "NTC": the same in every language

    def __post_init__(self) -> None:
        # Sorted and read-only: equal content makes equal glossaries, versions and exports.
        targets = {target: MappingProxyType(dict(sorted(terms.items())))
                   for target, terms in sorted(self.by_target.items()) if terms}
        object.__setattr__(self, "by_target", MappingProxyType(targets))
        object.__setattr__(self, "keep", tuple(sorted(set(self.keep))))

    def __hash__(self) -> int:
        return hash(self.version)

    def __reduce__(self):
        # Read-only mappings do not pickle, and RQ pickles a batch job's arguments.
        return (Glossary, (self._plain_terms(), self.keep))

    @cached_property
    def version(self) -> str:
        """A short hash of the content: any change to a term changes it (cache keys, ETags)."""
        return content_hash({"terms": self._plain_terms(), "keep": list(self.keep)})

    @property
    def size(self) -> int:
        """How many entries: each target term, and each kept term once."""
        return sum(map(len, self.by_target.values())) + len(self.keep)

    def merged(self, other: Glossary) -> Glossary:
        """This glossary with ``other`` over it: other's target terms win, and a term other keeps
        is kept in every language, whatever this one says."""
        by_target = {target: {source: term for source, term in terms.items() if source not in other.keep}
                     for target, terms in self.by_target.items()}
        for target, terms in other.by_target.items():
            by_target.setdefault(target, {}).update(terms)
        return Glossary(by_target=by_target, keep=self.keep + other.keep)

    def for_target(self, target: str) -> dict[str, str]:
        """Source term -> how it is written in ``target``: kept terms as themselves, then that
        language's own terms (which win over keeping); {} when none apply."""
        return {**{term: term for term in self.keep}, **self.by_target.get(target, {})}

    def as_dict(self) -> dict:
        """The API's shape: {"terms": {"de": {...}}, "keep": [...], "version": "..."}."""
        return {"terms": self._plain_terms(), "keep": list(self.keep), "version": self.version}

    def _plain_terms(self) -> dict[str, dict[str, str]]:
        return {target: dict(entries) for target, entries in self.by_target.items()}


def content_hash(content: object) -> str:
    """The first 16 hex digits of SHA-256 over ``content`` as canonical JSON."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def clean_term(value: object, *, what: str) -> str:
    """``value`` as a term: one line of 1-200 characters with a letter or digit, NFC, single spaces.

    ``what`` names the value in the message ("field 'keep' item 2", "line 4").
    """
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a term (a string), not {type(value).__name__}")
    if _CONTROL.search(value):
        raise InvalidInput(f"{what} holds a line break or control character: a term is one line of text")
    term = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", value)).strip()
    if not term:
        raise InvalidInput(f"{what} is empty: give the term")
    if len(term) > MAX_TERM_LENGTH:
        raise InvalidInput(f"{what} has {len(term)} characters; a term has at most {MAX_TERM_LENGTH}")
    if not any(char.isalnum() for char in term):
        raise InvalidInput(f"{what} {term!r} has no letter or digit: a term is a word or words")
    return term


def clean_language(value: object, *, what: str) -> str:
    """``value`` as a lowercase ISO 639-1 code ("de"); InvalidInput naming ``what`` otherwise."""
    code = value.strip().lower() if isinstance(value, str) else None
    if code is None or not LANGUAGE_CODE.match(code):
        raise InvalidInput(f"{what}: {value!r} is not a language code; use an ISO 639-1 code such as 'de', 'ru' or 'ar'")
    return code


# --- matching terms ---------------------------------------------------------------


@dataclass(frozen=True)
class _Variant:
    """One spelling the matcher looks for, and the glossary term it stands for."""

    term: str
    at_sentence_start_only: bool  # the Capitalised form of an all-lowercase term


@dataclass(frozen=True)
class TermTable:
    """One target's terms, compiled: built once per glossary version and target, then reused."""

    terms: Mapping[str, str]  # source term -> target term
    variants: Mapping[str, _Variant]  # every spelling matched -> its term
    anywhere: re.Pattern | None  # every variant, longest first

    @cached_property
    def exact(self) -> re.Pattern | None:
        """The variants that need no sentence start; compiled on first need (a Capitalised form
        found mid-sentence), as compiling is most of a large table's cost."""
        return _alternation(spelling for spelling, variant in self.variants.items() if not variant.at_sentence_start_only)


@dataclass(frozen=True)
class Replacement:
    """A placeholder in the protected text, and what goes back in its place."""

    placeholder: str  # "201"
    term: str  # the glossary's source term ("Gadhafi")
    target: str  # how the target language writes it ("Gaddafi")


@dataclass(frozen=True)
class Protected:
    """The text the model sees, and what to put back into its translation."""

    text: str
    replacements: tuple[Replacement, ...] = ()


_tables: OrderedDict[tuple, TermTable] = OrderedDict()
_tables_lock = threading.Lock()


def term_table(glossary: Glossary, target: str) -> TermTable:
    """The compiled terms of ``glossary`` into ``target``, cached per (version, target)."""
    return _cached((glossary.version, target), lambda: compile_terms(glossary.for_target(target)))


def compile_terms(terms: Mapping[str, str]) -> TermTable:
    """Compile source term -> target term into one alternation (a trie: longest first, fast)."""
    variants: dict[str, _Variant] = {}
    spellings = {term: _WHITESPACE.sub(" ", term).strip() for term in terms}  # as matches are read back
    for term, spelling in spellings.items():
        capitalised = spelling[:1].title() + spelling[1:]
        if spelling == spelling.lower() and capitalised != spelling:
            variants.setdefault(capitalised, _Variant(term, at_sentence_start_only=True))
    for term, spelling in spellings.items():  # an exact spelling wins over another term's Capitalised form
        if spelling:
            variants[spelling] = _Variant(term, at_sentence_start_only=False)
    return TermTable(terms=MappingProxyType(dict(terms)), variants=MappingProxyType(variants),
                     anywhere=_alternation(variants))


def protect(text: str, terms: Mapping[str, str] | TermTable) -> Protected:
    """Swap every glossary term in ``text`` for a placeholder number the model copies unchanged.

    ``terms`` is a ``term_table`` (compiled once per glossary version and target: pass this
    per sentence) or a plain source -> target mapping (compiled once per distinct content).
    """
    table = terms if isinstance(terms, TermTable) else _cached(("terms", content_hash(sorted(terms.items()))),
                                                               lambda: compile_terms(terms))
    if table.anywhere is None:
        return Protected(text)
    numbers = _free_numbers(text)
    pieces, replacements, done = [], [], 0
    for start, end, variant in _matches(text, table):
        placeholder = next(numbers)
        pieces += [text[done:start], placeholder]
        replacements.append(Replacement(placeholder, variant.term, table.terms[variant.term]))
        done = end
    if not replacements:
        return Protected(text)
    return Protected("".join(pieces) + text[done:], tuple(replacements))


def restore(translated: str, protected: Protected) -> str | None:
    """Put each target term where its placeholder came out; None when one is missing,
    doubled or changed (translate that sentence unprotected instead, and flag it).

    A target term written all lowercase is Capitalised where it lands at a sentence start.
    """
    if not protected.replacements:
        return translated
    wanted = {replacement.placeholder: replacement for replacement in protected.replacements}
    found = [match for match in _DIGITS.finditer(translated.translate(_ASCII_DIGITS)) if match.group() in wanted]
    counts = Counter(match.group() for match in found)
    if len(counts) != len(wanted) or any(count != 1 for count in counts.values()):
        return None
    pieces, done = [], 0
    for match in found:
        target = wanted[match.group()].target
        if target == target.lower() and _starts_sentence(translated, match.start()):
            target = target[:1].title() + target[1:]
        pieces += [translated[done:match.start()], target]
        done = match.end()
    return "".join(pieces) + translated[done:]


def _cached(key: tuple, build) -> TermTable:
    with _tables_lock:
        table = _tables.get(key)
        if table is not None:
            _tables.move_to_end(key)
            return table
    table = build()  # outside the lock: compiling a large glossary must not stall other sentences
    with _tables_lock:
        _tables[key] = table
        while len(_tables) > TABLES_KEPT:
            _tables.popitem(last=False)
    return table


def _matches(text: str, table: TermTable) -> Iterator[tuple[int, int, _Variant]]:
    """(start, end, variant) of each term in ``text``, left to right, without overlaps."""
    position = 0
    while (match := table.anywhere.search(text, position)) is not None:
        variant = table.variants[_WHITESPACE.sub(" ", match.group())]
        if variant.at_sentence_start_only and not _starts_sentence(text, match.start()):
            # Mid-sentence a Capitalised form is a name of its own ("the Rebels FC"): only an
            # exact term may start here; else look again from the next character.
            exact = table.exact.match(text, match.start()) if table.exact is not None else None
            if exact is None:
                position = match.start() + 1
                continue
            match, variant = exact, table.variants[_WHITESPACE.sub(" ", exact.group())]
        yield match.start(), match.end(), variant
        position = match.end()


def _starts_sentence(text: str, index: int) -> bool:
    """True where a sentence starts at ``index``: the text's start, a line's, or after . ! ? …
    and a space (closing quotes may follow the stop, opening ones precede the word)."""
    before = text[:index].rstrip(_OPENERS)
    if not before.strip():
        return True
    if not before[-1].isspace():
        return False
    gap = before[len(before.rstrip()):]
    return "\n" in gap or before.rstrip().rstrip(_CLOSERS)[-1:] in tuple(_SENTENCE_ENDS)


def _free_numbers(text: str) -> Iterator[str]:
    """201, 202, ...: 3-digit placeholders, skipping every number ``text`` holds and the round ones."""
    taken = set(_DIGITS.findall(text.translate(_ASCII_DIGITS)))
    number = FIRST_PLACEHOLDER
    while True:
        if str(number) not in taken and number % 100:
            yield str(number)
        number += 1


def _alternation(spellings) -> re.Pattern | None:
    """One pattern matching any of ``spellings`` as whole words, longest first."""
    trie: dict = {}
    for spelling in spellings:
        node = trie
        for token in _tokens(spelling):
            node = node.setdefault(token, {})
        node[_END] = True
    if not trie:
        return None
    # One boundary check after the trie, not one per term: when it fails after the longest
    # term, the regex backtracks into the trie's "stop here" branches, so the longest term
    # that ends a word still wins, and the pattern compiles ~10 times faster.
    return re.compile(f"{_NOT_AFTER_WORD}(?:{_trie_pattern(trie)}){_NOT_BEFORE_WORD}")


def _tokens(spelling: str) -> list:
    """The characters of ``spelling``, with each run of spaces as one whitespace edge."""
    tokens: list = []
    for char in spelling:
        if char.isspace():
            if tokens and tokens[-1] is not _GAP:
                tokens.append(_GAP)
        else:
            tokens.append(char)
    return tokens


def _trie_pattern(node: dict) -> str:
    """The regex for ``node``'s subtree: a branch per next character, then "stop here" (an empty
    branch) last, so the longest term is tried first; one branch alone is a plain run of literals."""
    branches = [(r"\s+" if token is _GAP else re.escape(token)) + _trie_pattern(child)
                for token, child in node.items() if token is not _END]
    if _END in node:
        branches.append("")
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
