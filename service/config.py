"""Define every newsdesk setting once: its name, default and meaning.

Layering follows Flask's tutorial: defaults -> environment (``NEWSDESK_<NAME>``) ->
explicit overrides (tests, ``create_app(test_config)``). The CLI and the service read
the same names. A limit (``_limit``) of ``None`` means "no limit", written ``none`` in the
environment; 0 or an empty value for a limit is refused, so there is one way to say it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import defaults, machine
from .errors import InvalidSetting

ENV_PREFIX = "NEWSDESK_"
ARGOS_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"


def _default_data_dir() -> Path:
    # Our own folder, never Argos's ~/.local/share/argos-translate: newsdesk must not
    # change what another Argos install on the same machine sees.
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "newsdesk"


# The settings whose default (None) is a file or folder in the data folder, and its name there.
DATA_FILES = {"packages_dir": "packages", "keys_db": "keys.sqlite3", "glossary_db": "glossary.sqlite3",
              "memory_db": "memory.sqlite3", "results_db": "results.sqlite3", "jobs_dir": "jobs"}


def _setting(default: Any, meaning: str) -> Any:
    return field(default=default, metadata={"meaning": meaning})


def _limit(default: Any, meaning: str) -> Any:
    """A setting that bounds work or input: ``None`` (``none`` in the environment) lifts it."""
    return field(default=default, metadata={"meaning": f"{meaning}; none = no limit", "limit": True})


# The whole-number settings whose default (None) is chosen in Settings.load from the cores this
# process may use (service/machine.py), and which part of machine.pack_threads() each takes.
FROM_THE_CORES = {"inter_threads": "lanes", "intra_threads": "threads"}


@dataclass(frozen=True)
class Settings:
    """All settings; build with ``Settings.load()``."""

    packages_dir: Path = _setting(
        None,
        "where installed packs live, one folder each (default $XDG_DATA_HOME/newsdesk/packages, "
        "i.e. ~/.local/share/newsdesk/packages)",
    )
    langpacks_dir: Path = _setting(
        Path("langpacks"),
        "drop-in folder: its *.argosmodel files are installed; a manifest.json there replaces the packaged list of "
        "packs needed (service/translation/manifest.json)",
    )
    install_on_start: bool = _setting(
        True, "install the drop-in folder's packs when the service starts"
    )
    download_missing: bool = _setting(
        True, "at start-up, download packs the manifest names but nobody installed"
    )
    index_url: str = _setting(ARGOS_INDEX_URL, "the Argos package index (index.json)")
    download_timeout: float = _setting(
        20.0, "seconds to wait for the package index or a download to answer"
    )
    max_pack_bytes: int | None = _limit(
        2_000_000_000, "largest uncompressed size accepted for one pack (zip-bomb guard)"
    )
    beam_size: int = _setting(4, "beam width for decoding (1 = greedy, fastest)")
    device: str = _setting(
        "auto", "where the models run: auto (CUDA when CTranslate2 sees a GPU, else the CPU), cpu or cuda"
    )
    compute_type: str = _setting(
        "auto", "CTranslate2 compute type: auto (the device's fastest: int8 on the CPU, int8_float16 or float16 "
        "on a GPU), int8, int8_float32, float16, float32, ..."
    )
    inter_threads: int = _setting(
        None, "CTranslate2 batches decoded in parallel per pack (its replicas, the batcher's lanes); unset: one per core "
        "this process may use (CPU affinity and cgroup quota, rounded down), divided by gunicorn's NEWSDESK_WORKERS, "
        "at least 1; the choice is logged at start-up"
    )
    intra_threads: int = _setting(
        None, "CTranslate2 threads per batch (0 = CTranslate2's default of 4); unset: 1, since a lane per core served "
        "concurrent requests better than more threads per lane"
    )
    max_batch_size: int | None = _limit(
        64, "sentences per CTranslate2 batch (without a limit: one batch per call)"
    )
    shared_batches: bool = _setting(
        True, "decode the sentences of concurrent requests to the same pack in shared CTranslate2 batches"
    )
    batch_wait: float = _setting(
        0.05, "at most this many seconds a batch waits for its lane's share of the requests in flight to come back "
        "(clients that send again as soon as they are answered); a lone request never waits; 0 = never wait"
    )
    metrics: bool = _setting(
        False, "serve GET /metrics in Prometheus' text format (like LibreTranslate's --metrics)"
    )
    metrics_token: str = _setting(
        "", "when set, /metrics wants `Authorization: Bearer TOKEN` (like LibreTranslate's --metrics-auth-token)"
    )
    max_input_tokens: int = _setting(
        250, "longest piece sent to the model; longer sentences are translated in parts"
    )
    decoding_ratio: float = _setting(
        2.0, "output may be at most ratio x input tokens + decoding_extra (runaway guard)"
    )
    decoding_extra: int = _setting(10, "tokens added to the ratio-based decoding cap")
    cache_sentences: int = _setting(
        50_000, "translated sentences kept per worker (pack + exact sentence -> translation); 0 = no cache"
    )
    cache_redis_url: str = _setting(
        "", "Redis URL for a sentence cache shared by every worker and machine (empty = NEWSDESK_REDIS_URL's "
        "Redis when that is set, else each worker's own cache only; off = each worker's own only)"
    )
    cache_redis_ttl: int = _setting(2_592_000, "seconds a sentence stays in the shared Redis cache (30 days)")
    max_characters: int | None = _limit(
        defaults.MAX_CHARACTERS, "longest article or text accepted by the API, in characters (longer: 413)"
    )
    max_sentence_characters: int | None = _limit(
        5_000, "longest sentence accepted, in characters (longer: 413); a run that long without sentence "
        "punctuation is a table or glued text, and would take minutes to translate"
    )
    max_request_bytes: int | None = _limit(
        2_000_000, "largest request body, in bytes; refused (413) before it is read"
    )
    preload_packs: bool = _setting(
        True, "load every installed pack when a gunicorn worker starts, before its first request"
    )
    max_files: int | None = _limit(1, "uploaded files accepted in one request (more: 413)")
    request_timeout: float | None = _limit(
        300.0, "seconds one request (or one batch-job article) may spend on all its stages: cleaning, sentences, "
        "summary, translation; past it the request ends with 504"
    )
    batch_limit: int | None = _limit(
        128, "texts in one /translate request's q list, like LibreTranslate's --batch-limit (more: 400)"
    )
    api_keys: bool = _setting(
        False, "require an API key (X-API-Key header) on the API and the web form; manage with `newsdesk keys`"
    )
    keys_db: Path = _setting(
        None, "SQLite file of hashed API keys and web sign-ins (default $XDG_DATA_HOME/newsdesk/keys.sqlite3); with "
        "NEWSDESK_REDIS_URL they live in that Redis"
    )
    glossary_db: Path = _setting(
        None, "SQLite file of the glossary, terms per target language and terms kept as they are "
        "(default $XDG_DATA_HOME/newsdesk/glossary.sqlite3); one glossary for the whole service; with NEWSDESK_REDIS_URL "
        "it lives in that Redis"
    )
    memory_db: Path = _setting(
        None, "SQLite file of the translation memory, editors' corrections per language pair "
        "(default $XDG_DATA_HOME/newsdesk/memory.sqlite3); with NEWSDESK_REDIS_URL the memory lives in that Redis"
    )
    results_db: Path = _setting(
        None, "SQLite file of the web desk's recent results, with their progress and editors' changes, so that "
        "downloads and edits work from any worker (default $XDG_DATA_HOME/newsdesk/results.sqlite3); with "
        "NEWSDESK_REDIS_URL they live in that Redis, and /translate_file's results too"
    )
    keep_results: float | None = _limit(
        24.0, "hours the web desk keeps a result for its page, downloads and edits"
    )
    uncertain_below: float = _setting(
        0.5, "a translated sentence whose confidence (0-1, the model's own score per piece) is below this is "
        "marked uncertain for an editor"
    )
    suggestions: bool = _setting(
        False, "LibreTranslate's /suggest stores its suggestion in the translation memory (off: 403, as "
        "LibreTranslate answers)"
    )
    secret_key: str = _setting(
        "", "signs the web form's session cookie; empty = one generated once and kept, readable by this user "
        "only, in secret_key beside NEWSDESK_KEYS_DB, or with NEWSDESK_REDIS_URL in that Redis, the same for every "
        "node (sign-ins survive restarts)"
    )
    secure_cookies: bool = _setting(
        False, "mark the web form's cookies Secure, sent over HTTPS only: set it when a TLS front serves newsdesk"
    )
    rate_limit: str | None = _limit(
        "120/minute", "requests per API key (or per client address without keys) to the working endpoints, "
        "in Flask-Limiter syntax such as '60/minute;1000/hour'"
    )
    rate_limit_storage: str = _setting(
        "", "where rate-limit counters live: empty = the job queue's Redis (the embedded one, or NEWSDESK_REDIS_URL), "
        "shared by every worker; redis://host:6379/0 another Redis; memory:// per worker (the limit is then "
        "workers x setting)"
    )
    redis_url: str = _setting(
        "", "Redis for batch jobs and everything the newsroom shares, e.g. redis://:PASSWORD@host:6379/0: API keys, "
        "the glossary, the memory, the desk's results and translated files live there, so any number of web nodes are "
        "one service, and `newsdesk worker` processes on any number of machines share the work (web nodes only queue "
        "it); empty = an embedded Redis for jobs and counters, SQLite files for the rest, and the web service's own "
        "workers run the jobs"
    )
    jobs_dir: Path = _setting(
        None, "where the embedded Redis keeps batch jobs between restarts (default $XDG_DATA_HOME/newsdesk/jobs)"
    )
    job_result_ttl: int = _setting(
        604_800, "seconds a batch job and its results are kept after its last article was done (7 days)"
    )
    job_retries: int = _setting(
        2, "times an article is tried again after its worker died or failed unexpectedly (0 = never)"
    )
    job_claim_seconds: int = _setting(
        30, "a worker renews its claim on the article it works on every third of this; the article of a worker "
        "that died is retried once its claim lapses, within about twice this"
    )
    max_document_bytes: int | None = _limit(
        defaults.MAX_DOCUMENT_BYTES, "largest .docx, .odt or .pdf article, in bytes (more: 413); the web form and the API take "
        "uploads this large"
    )
    max_document_unpacked_bytes: int | None = _limit(
        defaults.MAX_DOCUMENT_UNPACKED_BYTES, "what a .docx or .odt may unpack to, in bytes, and 100 times its own size at most (more: 413): "
        "both are zip archives, and a zip bomb unpacks to gigabytes"
    )
    max_document_pages: int | None = _limit(defaults.MAX_DOCUMENT_PAGES, "pages read from one PDF (more: 413)")
    max_document_paragraphs: int | None = _limit(
        defaults.MAX_DOCUMENT_PARAGRAPHS, "paragraphs, headings, list items and table cells read from one document (more: 413)"
    )
    document_read_memory: int | None = _limit(
        defaults.DOCUMENT_READ_MEMORY, "megabytes of memory one .docx, .odt or .pdf may take while it is read, beyond "
        "its reader's own start (more: 413); each is read in a child process of its own, capped so (RLIMIT_AS)"
    )
    document_read_seconds: float | None = _limit(
        defaults.DOCUMENT_READ_SECONDS, "seconds one .docx, .odt or .pdf may take to be read (more: 413, and its "
        "reader is stopped)"
    )
    keys_in_query: bool = _setting(
        True, "accept api_key and secret in the query string, as LibreTranslate does; off: 400, since URLs "
        "with keys end up in access logs, proxies and browser history"
    )
    keep_translated_files: int = _setting(
        3600, "seconds a file translated by POST /translate_file stays at its /download_file address"
    )
    max_job_articles: int | None = _limit(10_000, "articles accepted in one batch job (more: 413)")
    max_job_bytes: int | None = _limit(
        200_000_000, "largest batch job: request body, and an archive's unpacked files, in bytes (more: 413)"
    )
    max_stored_job_bytes: int | None = _limit(
        1_000_000_000, "article text one API key (keys off: the whole service) may keep in batch jobs still waiting "
        "or running, in bytes; a job's texts are deleted when it finishes or is cancelled (more: 413)"
    )
    jobs_max_memory: int | None = _limit(
        2_000_000_000, "memory the embedded Redis may use for jobs and counters, in bytes; when full, new jobs get "
        "503 and nothing stored is evicted"
    )

    @classmethod
    def load(
        cls, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None, *,
        workers: int = machine.ALONE, cores: machine.Cores | None = None,
    ) -> Settings:
        """Build settings from defaults, then ``NEWSDESK_*`` variables, then ``overrides``; the lanes and
        threads left unset come from ``cores`` (default: this machine's), shared by ``workers`` processes."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(cls):
            variable = ENV_PREFIX + spec.name.upper()
            if variable in environ:
                values[spec.name] = _parse(variable, environ[variable], spec)
        for name, value in (overrides or {}).items():
            if name not in cls.names():
                raise InvalidSetting(f"unknown setting {name!r}; known: {', '.join(cls.names())}")
            values[name] = value
        for spec in dataclasses.fields(cls):
            if spec.metadata.get("limit") and spec.name in values:
                _check_limit(ENV_PREFIX + spec.name.upper(), values[spec.name])
        settings = cls(**_from_the_machine(values, workers=workers, cores=cores))
        return dataclasses.replace(
            settings,
            langpacks_dir=Path(settings.langpacks_dir).expanduser(),
            **{name: Path(getattr(settings, name) or _default_data_dir() / entry).expanduser()
               for name, entry in DATA_FILES.items()},
        )

    @property
    def upload_bytes(self) -> int | None:
        """The largest body a route that takes an uploaded article accepts (the web form, POST /runs,
        /translate_file): a request's limit, or a document's when that is larger (None: no limit)."""
        if self.max_request_bytes is None or self.max_document_bytes is None:
            return None
        return max(self.max_request_bytes, self.max_document_bytes)

    @property
    def upload_setting(self) -> str:
        """The setting that gives ``upload_bytes``, for the operator's log and the API's message."""
        if self.max_document_bytes is not None and self.upload_bytes == self.max_document_bytes:
            return "NEWSDESK_MAX_DOCUMENT_BYTES"
        return "NEWSDESK_MAX_REQUEST_BYTES"

    @classmethod
    def names(cls) -> list[str]:
        """List the setting names (lower case, without the prefix)."""
        return [spec.name for spec in dataclasses.fields(cls)]

    @classmethod
    def documentation(cls) -> list[tuple[str, Any, str]]:
        """Return (environment variable, default, meaning) for every setting."""
        return [
            (ENV_PREFIX + spec.name.upper(), spec.default, spec.metadata["meaning"])
            for spec in dataclasses.fields(cls)
        ]


def _from_the_machine(values: dict[str, Any], *, workers: int, cores: machine.Cores | None) -> dict[str, Any]:
    """``values`` with each setting of FROM_THE_CORES that is unset (or None) chosen from the cores;
    the machine is read only when one is."""
    unset = [name for name in FROM_THE_CORES if values.get(name) is None]
    if not unset:
        return values
    chosen = machine.pack_threads(cores=(cores or machine.read_cores()).usable, workers=workers)
    return {**values, **{name: getattr(chosen, FROM_THE_CORES[name]) for name in unset}}


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _check_limit(variable: str, value: Any) -> None:
    """A limit is None (no limit) or above zero: 0 and "" used to mean "no limit" in places."""
    if value is None:
        return
    if isinstance(value, str) and not value.strip():
        raise InvalidSetting(f"{variable}={value!r}: write a limit such as 120/minute, or none for no limit")
    if isinstance(value, (int, float)) and value <= 0:
        raise InvalidSetting(f"{variable}={value!r}: a limit must be above 0; write none for no limit")


def _parse(variable: str, raw: str, spec: dataclasses.Field) -> Any:
    """Convert an environment string to the type of the setting's default (those chosen from the
    cores are whole numbers)."""
    text = raw.strip()
    default = 0 if spec.name in FROM_THE_CORES else spec.default
    if spec.metadata.get("limit") and text.lower() == "none":
        return None
    if isinstance(default, bool):
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise InvalidSetting(f"{variable}={raw!r}: use one of 1/0, true/false, yes/no, on/off")
    if isinstance(default, (int, float)):
        try:
            return type(default)(text)
        except ValueError:
            kind = "a whole number" if isinstance(default, int) else "a number"
            raise InvalidSetting(f"{variable}={raw!r}: must be {kind}") from None
    if isinstance(default, Path):
        return Path(text)
    return text


DATA_FOLDER_SHOWN = "~/.local/share/newsdesk"  # $XDG_DATA_HOME/newsdesk when that is set
SETTINGS_INTRO = """\
# Settings

Generated from `service/config.py`, where each setting is defined once, by `make docs`;
change a setting there and run `make docs` again (a test fails while the two differ).

Every setting is an environment variable, `NEWSDESK_` and its name, read by the service and the
`newsdesk` command alike (`newsdesk settings` prints each with its current value); tests pass the
same names to `create_app(test_config)` in lower case without the prefix. A limit (its meaning
ends "none = no limit") is lifted with `none` (`None` in code); 0 or an empty value for a limit
is refused at start with a message that says so, so "no limit" has one spelling. Files and
folders under `~/.local/share/newsdesk` are under `$XDG_DATA_HOME/newsdesk` when that is set.
A default "from the cores" is chosen at start from the cores the process may use, and logged
([Cores, lanes and threads](operations.md#cores-lanes-and-threads)).
gunicorn's own settings (`PORT`, `HOST`, `NEWSDESK_WORKERS`, `NEWSDESK_THREADS`,
`NEWSDESK_TIMEOUT`) are in [Operations](operations.md#settings-gunicorn-reads).
"""


def settings_markdown() -> str:
    """Render docs/settings.md: the intro, then one table row per setting (``make docs`` writes it)."""
    rows = [f"| `{variable}` | {_shown_default(variable, default)} | {_markdown_text(meaning)} |"
            for variable, default, meaning in Settings.documentation()]
    return "\n".join([SETTINGS_INTRO, "| variable | default | meaning |", "|---|---|---|", *rows, ""])


def _shown_default(variable: str, default: Any) -> str:
    """A default as one would write it in the environment (``1``/``0``, ``20``, a path)."""
    name = variable.removeprefix(ENV_PREFIX).lower()
    if default is None and name in DATA_FILES:
        return f"`{DATA_FOLDER_SHOWN}/{DATA_FILES[name]}`"
    if default is None and name in FROM_THE_CORES:
        return "from the cores"
    if isinstance(default, bool):
        return "`1`" if default else "`0`"
    if isinstance(default, float):
        return f"`{default:g}`"
    if default == "":
        return "(empty)"
    return f"`{default}`"


def _markdown_text(text: str) -> str:
    """``text`` for a table cell: a pipe, star or dollar outside code spans stands for itself, not for Markdown."""
    parts = text.split("`")
    for index in range(0, len(parts), 2):  # even parts are outside code spans
        parts[index] = parts[index].replace("|", "\\|").replace("*", "\\*").replace("$", "\\$")
    return "`".join(parts)


if __name__ == "__main__":  # `make docs`: python -m service.config > docs/settings.md
    print(settings_markdown(), end="")
