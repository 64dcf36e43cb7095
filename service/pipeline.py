"""Process one article: clean -> sentences -> summary -> translations. The one call.

``process`` returns a frozen Result (outcome.py) that the CLI, the API and the web form render.
Every sentence is translated once per language, and the summary's translation is
picked from those sentences, so it always matches the full text.
"""

from __future__ import annotations

import functools
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Callable

from . import defaults, translation
from .config import Settings
from .desk import translating
from .outcome import Result, Step, Translation
from .errors import BadLanguagePack, InvalidInput, LanguagePackMissing, TimedOut, TooLarge, UnsupportedLanguage
from .stages.clean import PARAGRAPH, Article, Removed, clean
from .stages.pieces import Aligned
from .stages.language import DISPLAY_NAMES, NEWSROOM_LANGUAGES, RTL_LANGUAGES, Detection, detect_source
from .stages.sentences import split_sentences
from .stages.summary import DEFAULT_METHOD, summarize
from .translation import check_language

DEFAULT_TARGETS = defaults.TARGETS
PIVOT = translation.PIVOT_LANGUAGE


def process(
    text: str,
    *,
    targets: tuple[str, ...] | list[str] = DEFAULT_TARGETS,
    summary: int | str = defaults.SUMMARY_LENGTH,
    method: str = DEFAULT_METHOD,
    source: str = defaults.SOURCE,
    settings: Settings | None = None,
    deadline: float | None = None,
    left_out: tuple[str, ...] = (),
    main_content: bool = False,
    outline: Article | None = None,
    keep: tuple[str, ...] = (),
    alternatives: int = 0,
    glossary: translation.Glossary | None = None,
    partial: bool = False,
    on_step: Callable[[Step], None] | None = None,
    aligned: bool = False,
) -> Result:
    """Clean, split, summarize and translate one article into every target language.

    ``deadline`` (a time.monotonic() value) bounds every stage: past it, TimedOut, checked
    between stages, inside the slow summary methods and between translation batches.
    ``left_out``: lines of the page that reading it already left out (documents.Document);
    they join ``article.removed`` as text from outside the article.
    ``main_content``: ``text`` is a page's main content as reading it found it
    (documents.Document.main_content); the cleaner then removes only what a line is.
    ``outline``: the article as a document laid it out (documents.Document.outline), taken
    instead of cleaning ``text``, which it holds line by line.
    ``keep``: lines of ``text`` the cleaner left out that an editor put back: they stay.
    ``alternatives``: how many next-best translations each body sentence gets (0: none).
    ``glossary``: this request's own terms, over the stored glossary (NEWSDESK_GLOSSARY_DB).
    ``partial``: a target that cannot be reached (no pack, a damaged pack) is left out and
    named in ``Result.failed`` with the fix, instead of failing the article (the web desk).
    ``on_step``: called with each Step as it is reached (from the translation threads too).
    ``aligned``: decode with the model's alignment too, for a document's translated copy made
    after it (translated_document), which then finds its sentences in the worker's cache.
    """
    settings = settings or Settings.load()
    step = on_step or (lambda reached: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("the article is empty: paste or upload the text of a news article")
    targets = _check_targets(targets)
    on_time = functools.partial(_check_time, deadline=deadline, settings=settings)
    article = outline if outline is not None else _with_left_out(
        clean(text, main_content=main_content, keep=frozenset(keep)), left_out)
    timings["clean"] = _lap(started)
    on_time()
    step(Step("cleaned"))

    language, confidence = _source_language(article, text, source, targets, settings, require_packs=not partial)
    failed = {}
    if partial:
        failed = _unreachable(language, targets, settings, detected=confidence)
        targets = tuple(target for target in targets if target not in failed)
    else:
        check_packs(language, targets, settings)
    sentences, paragraph_index = _split(article, language)
    check_sentence_lengths(sentences, settings)
    timings["sentences"] = _lap(started) - timings["clean"]
    on_time()
    step(Step("split", language=language, count=len(sentences)))

    mark = time.perf_counter()
    chosen = summarize(sentences, language, summary, method, title=article.title or None,
                       checkpoint=on_time) if sentences else []
    timings["summary"] = _lap(mark)
    on_time()
    step(Step("summarized"))

    translations = _translate_all(article, sentences, chosen, source=language, targets=targets, settings=settings,
                                  timings=timings, deadline=deadline, alternatives=alternatives, glossary=glossary,
                                  failed=failed if partial else None, step=step, aligned=aligned)
    timings["total"] = _lap(started)
    return Result(
        article=article,
        source=language,
        source_confidence=confidence,
        sentences=tuple(sentences),
        paragraph_index=tuple(paragraph_index),
        summary=tuple(chosen),
        method=method,
        translations=MappingProxyType(translations),
        timings=MappingProxyType({name: round(seconds, 4) for name, seconds in timings.items()}),
        failed=MappingProxyType(failed),
    )


def _check_time(*, deadline: float | None, settings: Settings) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise TimedOut.past(settings.request_timeout)


def deadline(settings: Settings) -> float | None:
    """When an article's work must stop (time.monotonic()), or None for no limit."""
    return None if settings.request_timeout is None else time.monotonic() + settings.request_timeout


def _with_left_out(article: Article, left_out: tuple[str, ...]) -> Article:
    if not left_out:
        return article
    return replace(article, removed=article.removed + tuple(Removed(line, "outside") for line in left_out))


def summarize_article(text: str, *, summary: int | str = defaults.SUMMARY_LENGTH, method: str = DEFAULT_METHOD,
                      source: str = defaults.SOURCE, left_out: tuple[str, ...] = (),
                      main_content: bool = False, outline: Article | None = None) -> Result:
    """Clean, split and summarize, with no translation (needs no language pack)."""
    return process(text, targets=(), summary=summary, method=method, source=source, left_out=left_out,
                   main_content=main_content, outline=outline)


def translate_texts(texts: list[str], source: str, target: str, settings: Settings | None = None,
                    deadline: float | None = None, *, glossary: translation.Glossary | None = None) -> list[str]:
    """Translate whole texts (several sentences, paragraphs): every sentence of every
    text in one batch; line breaks are kept."""
    return [text for text, _ in translate_texts_with_alternatives(texts, source, target, settings, deadline,
                                                                  glossary=glossary)]


def translate_texts_with_alternatives(texts: list[str], source: str, target: str, settings: Settings | None = None,
                                      deadline: float | None = None, *, alternatives: int = 0,
                                      glossary: translation.Glossary | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """translate_texts(), each text with its next-best translations: the k-th alternative of a
    text is made of each sentence's k-th (or, where a sentence has fewer, its best)."""
    settings = settings or Settings.load()
    layout, sentences = [], []
    for text in texts:
        lines = []
        for line in text.split("\n"):
            parts = split_sentences(line, source)
            lines.append(len(parts))
            sentences += parts
        layout.append(lines)
    check_sentence_lengths(sentences, settings)
    decoded = iter(translating.translate_detailed(sentences, source, target, settings, deadline,
                                                  alternatives=alternatives, glossary=glossary))
    results = []
    for lines in layout:
        rows = [[next(decoded) for _ in range(count)] for count in lines]

        def rank(k: int) -> str:
            return "\n".join(" ".join(_ranked(item, k) for item in row) for row in rows)

        best = rank(0)
        results.append((best, tuple(dict.fromkeys(text for text in map(rank, range(1, alternatives + 1))
                                                  if text != best))))
    return results


def translate_aligned(sentences: list[str], source: str, target: str, settings: Settings | None = None,
                      deadline: float | None = None, *, glossary: translation.Glossary | None = None) -> list[Aligned]:
    """Sentences and the spans inside them -> their translations, each with the model's alignment
    to its source, so that a document's or a page's formatting goes back onto the words that
    render it (stages/pieces.py); an editor's correction, and a text into its own language, come
    without one."""
    settings = settings or Settings.load()
    check_sentence_lengths(sentences, settings)
    if source == target:
        return [Aligned(text) for text in sentences]
    return [Aligned(item.text, item.alignment) for item in translating.translate_detailed(
        sentences, source, target, settings, deadline, glossary=glossary, aligned=True)]


def translated_document(name: str, data: bytes, *, source: str, target: str, settings: Settings | None = None,
                        deadline: float | None = None, glossary: translation.Glossary | None = None,
                        on_texts: Callable[[list[str]], None] | None = None) -> bytes:
    """A .docx or .odt article translated from ``source`` into ``target`` in its own format,
    layout kept (service/office): through the same packs, memory, glossary and cache as the
    article's sentences, so the copy says what the result page says. ``on_texts`` sees what is
    to be translated first, and may refuse it (a door's character limit)."""
    from .stages.office import Limits, translated_copy

    settings = settings or Settings.load()

    def translate(texts: list[str]) -> list[Aligned]:
        if on_texts is not None:
            on_texts(texts)
        return translate_aligned(texts, source, target, settings, deadline, glossary=glossary)

    return translated_copy(name, data, limits=Limits.of(settings), translate=translate,
                           split=lambda text: split_sentences(text, source), right_to_left=target in RTL_LANGUAGES)


def _ranked(decoded: translation.Decoded, k: int) -> str:
    return decoded.alternatives[k - 1] if 0 < k <= len(decoded.alternatives) else decoded.text


def check_sentence_lengths(sentences: list[str], settings: Settings) -> None:
    """Refuse a sentence over max_sentence_characters (TooLarge), naming it and the fix."""
    limit = settings.max_sentence_characters
    for number, sentence in enumerate(sentences, 1):
        if limit is not None and len(sentence) > limit:
            raise TooLarge(
                f"sentence {number} has {len(sentence):,} characters; the limit is {limit:,} "
                "(NEWSDESK_MAX_SENTENCE_CHARACTERS): text this long without sentence punctuation is not prose, "
                "so split it into sentences or paragraphs, or raise the limit"
            )


def _lap(since: float) -> float:
    return time.perf_counter() - since


def _check_targets(targets) -> tuple[str, ...]:
    if isinstance(targets, str):
        targets = [code.strip() for code in targets.split(",") if code.strip()]
    unique = tuple(dict.fromkeys(targets))
    for code in unique:
        check_language(code)
    return unique


def _source_language(article: Article, text: str, source: str, targets: tuple[str, ...],
                     settings: Settings, *, require_packs: bool) -> tuple[str, float | None]:
    if source != "auto":
        check_language(source)
        return source, None
    sample = " ".join([article.title, article.teaser, *article.paragraphs]).strip() or text
    detection = detect_source_language(sample, targets=targets, settings=settings, label="the article",
                                       require_packs=require_packs)
    return detection.code, detection.confidence


def _unreachable(source: str, targets: tuple[str, ...], settings: Settings, *,
                 detected: float | None) -> dict[str, str]:
    """Target -> why it cannot be reached from ``source`` and the fix, for each that cannot."""
    failed = {}
    # Like detect_source_language: say it was a guess when no pack reads the language guessed.
    guessed = detected is not None and source not in translation.source_languages(settings) | {PIVOT}
    for target in targets:
        try:
            check_packs(source, (target,), settings)
        except LanguagePackMissing as error:
            said = "" if not guessed else (f"the article was detected as {source} (confidence {detected:.2f}; "
                                                "choose its language to say otherwise): ")
            failed[target] = said + str(error)
    return failed


def detect_source_language(text: str, *, targets: tuple[str, ...], settings: Settings,
                           label: str = "the text", require_packs: bool = True) -> Detection:
    """Detect the language of ``text`` among those it can be translated from (and English).

    Too short or too weak a guess falls back to the only language the packs translate
    from, or asks for ``source`` (InvalidInput) when there are several. A language no pack
    translates from is taken only when the detection is sure, and then LanguagePackMissing
    says so (unless ``require_packs`` is False). With no targets (a summary needs no pack) any
    newsroom language will do, and English when unsure.
    """
    installed = translation.source_languages(settings)
    if not targets:
        return detect_source(text, sources=(*NEWSROOM_LANGUAGES, *sorted(installed)), fallback=PIVOT, label=label)
    only = next(iter(installed)) if len(installed) == 1 else PIVOT if not installed else None
    detection = detect_source(text, sources=(*sorted(installed), PIVOT), fallback=only, label=label)
    if require_packs and detection.code not in installed | {PIVOT}:
        _check_detected_packs(detection, targets, settings, label)
    return detection


def _check_detected_packs(detection: Detection, targets: tuple[str, ...], settings: Settings, label: str) -> None:
    """Say that the language was detected, not named, when its packs are missing (issue 13)."""
    try:
        check_packs(detection.code, targets, settings)
    except LanguagePackMissing as error:
        raise LanguagePackMissing(
            f"{label} was detected as {detection.code} (confidence {detection.confidence:.2f}; send source= to say "
            f"otherwise): {error}", error.pairs) from None


def known_languages(settings: Settings) -> list[str]:
    """Codes newsdesk knows: the languages it names and those of any installed pack."""
    return sorted(set(DISPLAY_NAMES) | translation.installed_languages(settings))


def known_language(code: str, *, what: str, settings: Settings, auto: bool = False) -> str:
    """``code`` (trimmed, lowercase) when newsdesk knows it, else UnsupportedLanguage naming ``what``
    (a field, an option) and the codes it knows: the one check of every door (issue 28)."""
    code = code.strip().lower()
    if auto and code == "auto":
        return code
    known = known_languages(settings)
    if code not in known:
        also = "'auto' or " if auto else ""
        raise UnsupportedLanguage(f"{what}: {code!r} is not a language newsdesk knows; use {also}one of: "
                                  f"{', '.join(known)}")
    return code


def check_packs(source: str, targets: tuple[str, ...], settings: Settings) -> None:
    """Fail before any work when a target cannot be reached; name every missing one."""
    problems, pairs = [], []
    for target in targets:
        if target == source:
            continue
        try:
            translation.plan_route(source, target, settings)
        except LanguagePackMissing as error:
            problems.append(str(error))
            pairs += error.pairs
    if problems:
        raise LanguagePackMissing("; ".join(problems), tuple(pairs))


def _split(article: Article, language: str) -> tuple[list[str], list[int]]:
    sentences, owners = [], []
    for index, block in enumerate(article.blocks):
        if block.kind != PARAGRAPH:
            continue
        for sentence in split_sentences(block.text, language):
            sentences.append(sentence)
            owners.append(index)
    return sentences, owners


@dataclass(frozen=True)
class _Segments:
    """What gets translated, by name: sent to the translator as one list, read back the same way."""

    title: str
    teaser: str
    headings: tuple[str, ...]
    sentences: tuple[str, ...]

    def texts(self) -> list[str]:
        return [self.title, self.teaser, *self.headings, *self.sentences]

    def like(self, texts: list[str]) -> _Segments:
        """The translated segments, cut where these are."""
        headings_end = 2 + len(self.headings)
        return _Segments(title=texts[0], teaser=texts[1], headings=tuple(texts[2:headings_end]),
                         sentences=tuple(texts[headings_end:]))


def _translate_all(article: Article, sentences: list[str], chosen: list[int], *, source: str,
                   targets: tuple[str, ...], settings: Settings, timings: dict[str, float],
                   deadline: float | None, alternatives: int = 0,
                   glossary: translation.Glossary | None = None, failed: dict[str, str] | None = None,
                   step: Callable[[Step], None], aligned: bool = False) -> dict[str, Translation]:
    """Every target's Translation. With ``failed`` (partial), a target whose pack cannot be used
    is named there with the reason instead of failing the others."""
    if not targets:
        return {}
    effective = translating.effective_glossary(settings, glossary)
    segments = _Segments(title=article.title, teaser=article.teaser, headings=tuple(article.headings),
                         sentences=tuple(sentences))
    english = None
    if source != PIVOT and any(_needs_pivot(source, target, settings) for target in targets):
        mark = time.perf_counter()
        # Shared by every pivot target, and the answer for English itself.
        english = translating.translate_detailed(segments.texts(), source, PIVOT, settings, deadline,
                                                 alternatives=alternatives if PIVOT in targets else 0,
                                                 glossary=glossary)
        timings[f"translate_{source}_{PIVOT}"] = _lap(mark)

    def one(target: str) -> tuple[str, list[translation.Decoded] | None, float]:
        mark = time.perf_counter()
        step(Step("translating", language=target))
        try:
            output = translate_one(target)
        except (LanguagePackMissing, BadLanguagePack) as error:
            if failed is None:
                raise
            failed[target] = str(error)
            output = None
        step(Step("translated", language=target))
        return target, output, _lap(mark)

    def translate_one(target: str) -> list[translation.Decoded]:
        if target == source:
            output = [translation.Decoded(text=text) for text in segments.texts()]
        elif target == PIVOT and english is not None:
            output = english
        elif english is not None and _needs_pivot(source, target, settings) and not effective.for_target(target):
            # Shared English, when no glossary term of this target must be kept from the model on both hops.
            second = translating.translate_detailed([item.text for item in english], PIVOT, target, settings,
                                                    deadline, alternatives=alternatives)
            through = [translation.Decoded(text=hop.text, confidence=round(first.confidence * hop.confidence, 4),
                                           alternatives=hop.alternatives) for first, hop in zip(english, second)]
            # A correction is kept for the pair the editor saw (source->target), not for its two hops.
            output = translating.with_memory(segments.texts(), through, source=source, target=target,
                                             settings=settings)
        else:
            output = translating.translate_detailed(segments.texts(), source, target, settings, deadline,
                                                    alternatives=alternatives, glossary=glossary, aligned=aligned)
        return output

    # CTranslate2 releases the GIL: one thread per language keeps both cores busy.
    with ThreadPoolExecutor(max_workers=max(1, len(targets))) as pool:
        done = list(pool.map(one, targets))
    results = {}
    for target, output, seconds in done:
        timings[f"translate_{target}"] = seconds
        if output is None:
            continue
        translated = segments.like([item.text for item in output])
        body = segments.like(output).sentences
        results[target] = Translation(
            language=target,
            title=translated.title,
            teaser=translated.teaser,
            headings=translated.headings,
            sentences=translated.sentences,
            summary=tuple(translated.sentences[index] for index in chosen),
            confidences=tuple(item.confidence for item in body),
            alternatives=tuple(item.alternatives for item in body) if alternatives else (),
            reviewed=tuple(index for index, item in enumerate(body) if item.reviewed),
            glossary_skipped=tuple(index for index, item in enumerate(body) if item.glossary_skipped),
            uncertain_below=settings.uncertain_below,
        )
    return results


def _needs_pivot(source: str, target: str, settings: Settings) -> bool:
    return target != source and len(translation.plan_route(source, target, settings)) == 2
