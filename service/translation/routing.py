"""Which packs serve a language pair: direct, or through English, and what to install when none does."""

from __future__ import annotations

from ..config import Settings
from ..errors import LanguagePackMissing, UnsupportedLanguage
from . import packs

PIVOT_LANGUAGE = "en"


def check_language(code: str) -> None:
    """Raise UnsupportedLanguage unless ``code`` looks like an ISO 639-1 code."""
    if not isinstance(code, str) or not code.isascii() or not code.isalpha() or len(code) not in (2, 3) or not code.islower():
        raise UnsupportedLanguage(f"{code!r} is not a language code: use ISO 639-1 codes such as 'en', 'de', 'ru', 'ar'")


def installed_pairs(settings: Settings) -> set[tuple[str, str]]:
    """Return the (source, target) pairs with an installed pack."""
    return {pack.pair for pack in packs.installed_packs(settings.packages_dir)}


def source_languages(settings: Settings) -> set[str]:
    """Return the languages an installed pack translates from."""
    return {source for source, _ in installed_pairs(settings)}


def installed_languages(settings: Settings) -> set[str]:
    """Return every language of an installed pack, source or target."""
    return {code for pair in installed_pairs(settings) for code in pair}


def reachable_pairs(settings: Settings) -> list[tuple[str, str, str | None]]:
    """(source, target, pivot or None) for every pair translate() can serve now."""
    direct = installed_pairs(settings)
    pivot = PIVOT_LANGUAGE
    pairs = {(a, b): None for a, b in direct}
    for a, _ in direct:
        for _, b in direct:
            if a != b and (a, pivot) in direct and (pivot, b) in direct and (a, b) not in pairs:
                pairs[(a, b)] = pivot
    return [(a, b, via) for (a, b), via in sorted(pairs.items())]


def plan_route(source: str, target: str, settings: Settings) -> list[tuple[str, str]]:
    """Return the packs to chain: [(source, target)] or [(source, en), (en, target)]."""
    pairs = installed_pairs(settings)
    if (source, target) in pairs:
        return [(source, target)]
    hops = [(source, PIVOT_LANGUAGE), (PIVOT_LANGUAGE, target)]
    if PIVOT_LANGUAGE not in (source, target) and all(hop in pairs for hop in hops):
        return hops
    raise LanguagePackMissing(missing_message(source, target, pairs, settings), (f"{source}->{target}",))


def missing_message(source: str, target: str, pairs: set[tuple[str, str]], settings: Settings) -> str:
    needed = [(source, target)]
    if PIVOT_LANGUAGE not in (source, target):
        needed = [hop for hop in [(source, PIVOT_LANGUAGE), (PIVOT_LANGUAGE, target)] if hop not in pairs]
    names = " and ".join(f"translate-{a}_{b}-*.argosmodel" for a, b in needed)
    route = "" if PIVOT_LANGUAGE in (source, target) else f" (nor {source}->en->{target})"
    return (
        f"no {source}->{target} language pack is installed{route}: put {names} in "
        f"{settings.langpacks_dir}/ and run `newsdesk langpacks install`, or run "
        f"`newsdesk langpacks install --download` where the internet is reachable"
    )
