"""Load a pack's CTranslate2 model and tokenizer once per process, and keep them.

Loaded packs are cached per pack folder, checksum and engine settings;
``ctranslate2.Translator`` is safe to call from several threads at once.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ..config import Settings
from ..errors import BadLanguagePack, InvalidSetting, LanguagePackMissing
from . import packs
from .routing import missing_message

if TYPE_CHECKING:
    import ctranslate2

log = logging.getLogger(__name__)


class Tokenizer(Protocol):
    def encode(self, text: str) -> list[str]: ...
    def decode(self, pieces: list[str]) -> str: ...


@dataclass(frozen=True)
class LoadedPack:
    """An installed pack with its model and tokenizer loaded."""

    pack: packs.InstalledPack
    translator: "ctranslate2.Translator"
    tokenizer: Tokenizer
    # One Batcher per set of decoding options (translation/batching.py), made on first use.
    batchers: dict = field(default_factory=dict, compare=False, repr=False)


_loaded: dict[tuple, LoadedPack] = {}
# Held while a pack loads, so that two threads asking for the same pack load it once.
_loading_lock = threading.Lock()


def load_pack(source: str, target: str, settings: Settings) -> LoadedPack:
    """Return the cached, loaded pack for a direct pair, loading it on first use."""
    pack = packs.find_installed(settings.packages_dir, source, target)
    if pack is None:
        raise LanguagePackMissing(missing_message(source, target, set(), settings))
    # The key holds the install checksum so a reinstalled pack is loaded afresh.
    key = (str(pack.path), pack.sha256, pack.version, _engine_options(settings))
    loaded = _loaded.get(key)
    if loaded is None:
        with _loading_lock:
            loaded = _loaded.get(key)
            if loaded is None:
                loaded = _load(pack, settings)
                _forget(pack.path)
                _loaded[key] = loaded
    return loaded


def _engine_options(settings: Settings) -> tuple:
    return (settings.device, settings.compute_type, settings.inter_threads, settings.intra_threads)


DEVICES = ("auto", "cpu", "cuda")
# On a GPU: 8-bit weights with 16-bit arithmetic where the GPU has it (the packs are int8
# models), else 16-bit floats. On the CPU CTranslate2's own "auto" already picks int8.
GPU_COMPUTE_TYPES = ("int8_float16", "float16")


def choose_engine(*, device: str, compute_type: str, cuda_devices: int,
                  supported: Callable[[str], set[str]]) -> tuple[str, str]:
    """The (device, compute type) packs load with, for NEWSDESK_DEVICE and NEWSDESK_COMPUTE_TYPE,
    given how many CUDA devices CTranslate2 sees and the compute types a device supports."""
    if device not in DEVICES:
        raise InvalidSetting(f"NEWSDESK_DEVICE={device!r}: use one of {', '.join(DEVICES)}")
    if device == "cuda" and cuda_devices == 0:
        raise InvalidSetting("NEWSDESK_DEVICE=cuda, but CTranslate2 sees no CUDA device (a CPU-only build, no "
                             "driver, or CUDA_VISIBLE_DEVICES hides it): use auto or cpu")
    chosen = "cuda" if device == "cuda" or (device == "auto" and cuda_devices > 0) else "cpu"
    if compute_type != "auto":
        if compute_type not in supported(chosen):
            raise InvalidSetting(f"NEWSDESK_COMPUTE_TYPE={compute_type!r} is not supported on {chosen}: use auto or "
                                 f"one of {', '.join(sorted(supported(chosen)))}")
        return chosen, compute_type
    if chosen == "cuda":
        return chosen, next((kind for kind in GPU_COMPUTE_TYPES if kind in supported(chosen)), "auto")
    return chosen, "auto"


def engine(settings: Settings) -> tuple[str, str]:
    """choose_engine() on this machine."""
    import ctranslate2

    return choose_engine(device=settings.device, compute_type=settings.compute_type,
                         cuda_devices=ctranslate2.get_cuda_device_count(),
                         supported=lambda device: set(ctranslate2.get_supported_compute_types(device)))


def _forget(path: Path) -> None:
    for key in [key for key in _loaded if key[0] == str(path)]:
        del _loaded[key]


def preload(settings: Settings) -> list[tuple[str, str]]:
    """Load every installed pack now; log (not raise) the ones that fail. Return the loaded pairs."""
    loaded = []
    for pack in packs.installed_packs(settings.packages_dir):
        try:
            load_pack(pack.from_code, pack.to_code, settings)
            loaded.append(pack.pair)
        except BadLanguagePack as error:
            log.error("could not load %s: %s", pack.code, error)
    return loaded


def loaded_pairs() -> list[tuple[str, str]]:
    """Return the pairs whose packs are loaded now."""
    return sorted(loaded.pack.pair for loaded in list(_loaded.values()))


def _load(pack: packs.InstalledPack, settings: Settings) -> LoadedPack:
    import ctranslate2  # heavy: only when a pack is first used

    log.info("loading %s %s from %s", pack.code, pack.version, pack.path)
    device, compute_type = engine(settings)  # a wrong setting is the setting's error, not the pack's
    try:
        translator = ctranslate2.Translator(
            str(pack.path / "model"),
            device=device,
            compute_type=compute_type,
            inter_threads=settings.inter_threads,
            intra_threads=settings.intra_threads,
        )
    except (RuntimeError, ValueError, OSError) as error:
        raise BadLanguagePack(
            f"{pack.code}: its model cannot be loaded ({error}); check it with "
            "`newsdesk langpacks verify` and reinstall it"
        ) from None
    return LoadedPack(pack=pack, translator=translator, tokenizer=_load_tokenizer(pack))


def _load_tokenizer(pack: packs.InstalledPack) -> Tokenizer:
    sentencepiece_model = pack.path / "sentencepiece.model"
    if sentencepiece_model.is_file():
        return SentencePieceTokenizer(sentencepiece_model)
    from argostranslate.tokenizer import BPETokenizer  # Moses + BPE packs; no torch

    tokenizer = BPETokenizer(pack.path / "bpe.model", pack.from_code, pack.to_code)
    tokenizer.lazy_load()  # load now, under the cache lock: its lazy load is not thread-safe
    return tokenizer


class SentencePieceTokenizer:
    """Encode and decode with a pack's SentencePiece model.

    Argos's own SentencePieceTokenizer.decode also turns every '_' into a space, which
    corrupts handles, file names and URLs; we decode the pieces only.
    """

    def __init__(self, model_file: Path):
        import sentencepiece

        self.processor = sentencepiece.SentencePieceProcessor(model_file=str(model_file))

    def encode(self, text: str) -> list[str]:
        return self.processor.encode(text, out_type=str)

    def decode(self, pieces: list[str]) -> str:
        return self.processor.decode_pieces(pieces)


def clear_models() -> None:
    """Drop every loaded pack (frees their memory)."""
    with _loading_lock:
        _loaded.clear()
