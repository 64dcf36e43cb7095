"""Define the one error tree that every door (API, web form, CLI) maps to a response.

Each message says what went wrong and how to fix it.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error newsdesk raises on purpose."""


class InvalidInput(ServiceError, ValueError):
    """The caller's input cannot be used as given."""


class InvalidSetting(ServiceError, ValueError):
    """A setting (environment variable or override) has an unusable value."""


class UnsupportedLanguage(ServiceError, LookupError):
    """A language code newsdesk does not handle."""


class LanguagePackMissing(ServiceError, LookupError):
    """No installed pack (direct or through English) translates this pair."""

    def __init__(self, message: str, pairs: tuple[str, ...] = ()):
        super().__init__(message)
        self.pairs = pairs  # "en->ar", ... for callers that list them


class TooLarge(ServiceError, ValueError):
    """Input over a configured size limit."""


class KeyRequired(ServiceError, PermissionError):
    """API keys are on and the request carries none."""


class KeyRejected(ServiceError, PermissionError):
    """The request's API key is unknown or was removed."""


class RoleTooLow(ServiceError, PermissionError):
    """The request's API key is valid but its role does not allow this action."""


class TimedOut(ServiceError, TimeoutError):
    """The request ran past its time limit (NEWSDESK_REQUEST_TIMEOUT)."""

    @classmethod
    def past(cls, seconds: float) -> TimedOut:
        """The one message for a request over NEWSDESK_REQUEST_TIMEOUT, whichever stage it was in."""
        return cls(f"the request ran past its time limit of {seconds:g} s (NEWSDESK_REQUEST_TIMEOUT): send a "
                   "shorter article or fewer languages, or raise the limit")


class BadLanguagePack(ServiceError, ValueError):
    """A .argosmodel file or an installed pack is unusable; nothing was installed."""


class PackChecksumMismatch(BadLanguagePack):
    """A different file claims to be an installed pack's exact version."""


class PackNotFound(ServiceError, LookupError):
    """A pack named on the command line is neither installed nor in the manifest."""


class DownloadFailed(ServiceError, OSError):
    """The package index or a pack could not be downloaded."""


class JobNotFound(ServiceError, LookupError):
    """No batch job has this id (never submitted, or its results were removed)."""


class JobNotFinished(ServiceError, RuntimeError):
    """A batch job's results were asked for before every article was done."""


class IdempotencyConflict(ServiceError, ValueError):
    """An idempotency key was reused for a different batch."""


class QueueUnavailable(ServiceError, ConnectionError):
    """The job queue's Redis does not answer."""


class QueueFull(ServiceError):
    """The job queue's Redis is at its memory limit (NEWSDESK_JOBS_MAX_MEMORY); nothing is evicted."""


class ServiceBusy(ServiceError):
    """This worker already runs as much as it takes; the same request can be sent again soon."""


class ManifestUnusable(ServiceError, OSError):
    """langpacks/manifest.json (NEWSDESK_LANGPACKS_DIR) is missing or not a pack manifest."""


class ServiceUnreachable(ServiceError, ConnectionError):
    """`newsdesk jobs` cannot reach the newsdesk service it was pointed at."""


class ServiceRefused(ServiceError):
    """The newsdesk service answered a `newsdesk jobs` request with an error."""


class WaitStopped(ServiceError, InterruptedError):
    """Waiting for a batch job was stopped (Ctrl+C); the job goes on in the service."""
