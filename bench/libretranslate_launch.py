"""Start LibreTranslate on newsdesk's bench packs, for bench/serve_bench.py's baseline.

Runs inside LibreTranslate's own virtual environment (see `make bench-libretranslate`),
never newsdesk's: `python bench/libretranslate_launch.py --host 127.0.0.1 --port N ...`

One change to LibreTranslate, because this machine is offline: its sentence splitter
(MiniSBD) downloads an ONNX model on first use, and the generated packs carry none. It is
replaced by a split after ., ! or ? followed by a space. MiniSBD's own cost is therefore
left out, so the baseline is, if anything, a little faster than the real thing.
Everything else (paragraph-wise calls, argostranslate's batching and decoding options,
the waitress server) is LibreTranslate's own.
"""

import re
import sys

from argostranslate import sbd

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def split_sentences(self, text: str) -> list[str]:
    return [sentence for sentence in SENTENCE_END.split(text) if sentence]


sbd.MiniSBDSentencizer.split_sentences = split_sentences

from libretranslate.main import main  # noqa: E402  (after the patch, as LibreTranslate loads sbd itself)

if __name__ == "__main__":
    sys.exit(main())
