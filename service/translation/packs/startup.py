"""Start-up: install the drop-ins, download what is missing if allowed, and report the rest."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ...config import Settings
from ...errors import BadLanguagePack, DownloadFailed
from .download import download_and_install, fetch_index
from .install import install_drop_ins
from .installed import missing_packs
from .manifest import PackRef, how_to_get

log = logging.getLogger(__package__)  # the logger name packs.py had: see installed.py


@dataclass(frozen=True)
class StartupReport:
    """What ``prepare_packs`` found and did at start-up."""

    installed: tuple[str, ...]
    failed: tuple[str, ...]
    missing: tuple[PackRef, ...]


def prepare_packs(settings: Settings) -> StartupReport:
    """Install drop-ins, download what is still missing if allowed, and report the rest."""
    results, failures = install_drop_ins(settings)
    failures = list(failures)
    missing = missing_packs(settings)
    if missing and settings.download_missing:
        try:
            # One quick look at the index tells whether the internet is reachable at all,
            # so an offline start fails fast instead of timing out once per pack.
            index = fetch_index(settings)
        except DownloadFailed as error:
            failures.append(f"{error}; not downloading the missing packs")
        else:
            for ref in missing:
                try:
                    results.append(download_and_install(ref, settings, index=index, progress=False))
                except (DownloadFailed, BadLanguagePack) as error:
                    failures.append(str(error))
        missing = missing_packs(settings)
    for message in failures:
        log.warning("language pack problem: %s", message)
    for ref in missing:
        log.warning("missing %s->%s pack (%s): %s", ref.from_code, ref.to_code, ref.code, how_to_get(ref, settings.langpacks_dir))
    return StartupReport(
        installed=tuple(f"{r.pack.code} {r.pack.version}" for r in results if r.action != "unchanged"),
        failed=tuple(failures),
        missing=tuple(missing),
    )
