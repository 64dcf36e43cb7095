"""Build small but genuine Argos .argosmodel packs in code, for tests and benchmarks.

Real packs cannot be downloaded here, so we make our own the way Argos packs are made:
a SentencePiece model trained on text, a CTranslate2 Transformer saved from
``ctranslate2.specs`` with numpy weights, ``metadata.json``, all zipped under one folder.

The test model is a *copy* model, so tests can assert exact translations: it emits a
tag naming its target language, then the source pieces unchanged:
    en->de: "Hello world." -> "<de> Hello world."
How the weights do that (one encoder and one decoder layer, one head):
- every feature is stored twice, as +x and -x, so each vector has mean 0 and the
  model's LayerNorms only rescale;
- token embeddings are one-hot; positions are 11 ±1 bits (2,048 positions). The encoder
  labels source position j with the bits of j+1, so the decoder query at step t (bits of
  t) matches exactly one key: source position t-1;
- cross-attention values carry that source token's one-hot; the output projection reads
  it back, so step t emits source piece t-1. Self-attention and feed-forward are zero;
- decoder position 0 also sets a flag that the output projection maps to the language
  tag; ``add_source_eos`` makes the last copied piece ``</s>``, which ends decoding.

``build_base_pack`` makes the same copy model at Transformer-base shape and cost (6+6
layers, d_model 512, 8 heads, FFN 2048, 16k vocabulary, int8) for benchmarks: a real
model's cost per token, and output that ends where a real model's would.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

POSITION_BITS = 11

# SentencePiece is trained on this: mixed scripts so that en, de, ru and ar text
# tokenizes into known pieces.
CORPUS = """\
Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer.
According to union spokesman J. de Vries, "the offer meets our main demands." Operators said traffic would be back to normal by Friday.
The strike forced several shipping lines to divert vessels to Antwerp and Hamburg.
Hello world. The quick brown fox jumps over the lazy dog 0123456789 times!
Ships were diverted; cranes stood idle (for most of the week) at the container terminal.
Die Hafenarbeiter in Rotterdam beendeten am Dienstag einen fünftägigen Streik. Größere Schiffe warten.
Докеры в Роттердаме прекратили пятидневную забастовку во вторник. Суда ждут в порту.
أنهى عمال الموانئ في روتردام إضرابا استمر خمسة أيام يوم الثلاثاء. السفن تنتظر في الميناء.
"""


def train_sentencepiece(model_prefix: Path, tags: list[str], vocab_size: int = 400,
                        lines: list[str] | None = None) -> Path:
    """Train a SentencePiece model on ``lines`` (default CORPUS); return the .model path."""
    import sentencepiece

    lines = lines or CORPUS.splitlines() * 4
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_prefix=str(model_prefix),
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        model_type="unigram",
        character_coverage=1.0,
        normalization_rule_name="identity",  # keep text as typed, so copies are exact
        user_defined_symbols=tags,
        minloglevel=2,
    )
    return Path(f"{model_prefix}.model")


def sentencepiece_vocabulary(model_file: Path) -> list[str]:
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def save_copy_model(model_dir: Path, vocabulary: list[str], tag: str,
                    unsure: dict[str, tuple[str, ...]] | None = None, swaps: dict[str, str] | None = None) -> None:
    """Save a CTranslate2 model that emits ``tag`` then copies its input (see module doc).

    ``unsure`` maps a piece to rivals the model nearly prefers: their output weight for that
    piece is 0.95 of its own, so the copy still wins but with a probability well below 1
    (about 0.42 with three rivals, 0.68 with one), and the rivals make the next-best outputs.
    ``swaps`` maps a piece to the one the model writes instead (a model that mangles it).
    """
    from ctranslate2.specs import transformer_spec

    size = len(vocabulary)
    positions = 2**POSITION_BITS
    features = size + POSITION_BITS + 1
    width = 2 * features
    tokens = np.arange(size)
    bit_features = np.arange(size, size + POSITION_BITS)
    flag = size + POSITION_BITS

    bits = np.array([[1.0 if (p >> b) & 1 else -1.0 for b in range(POSITION_BITS)] for p in range(positions)])
    decoder_positions = np.zeros((positions, features))
    decoder_positions[:, bit_features] = bits
    decoder_positions[0, flag] = 1.0
    encoder_positions = np.zeros((positions, features))
    encoder_positions[:, bit_features] = np.roll(bits, -1, axis=0)
    embeddings = np.zeros((size, features))
    embeddings[tokens, tokens] = 1.0

    spec = transformer_spec.TransformerSpec.from_config((1, 1), 1)
    encoder, decoder = spec.encoder, spec.decoder
    encoder.embeddings[0].weight = _paired(embeddings)
    encoder.position_encodings.encodings = _paired(encoder_positions)
    decoder.embeddings.weight = np.zeros((size, width), np.float32)
    decoder.position_encodings.encodings = _paired(decoder_positions)
    for layer in (encoder.layer[0], decoder.layer[0]):
        _idle(layer, width)
    _norm(encoder.layer_norm, width)
    _norm(decoder.layer_norm, width)

    attention = decoder.layer[0].attention
    _norm(attention.layer_norm, width)
    select_bits = np.zeros((width, features))
    select_bits[bit_features, bit_features] = 1.0
    _linear(attention.linear[0], _reads_plus(select_bits) * 30.0)  # sharp: one key wins
    copy_tokens = np.zeros((features, features))
    copy_tokens[tokens, tokens] = 10.0
    values = _paired(copy_tokens.T).T
    _linear(attention.linear[1], np.concatenate([_reads_plus(select_bits), _reads_plus(values)]))
    _linear(attention.linear[2], np.eye(width))

    projection = np.zeros((size, features))
    projection[tokens, tokens] = 1.0
    projection[vocabulary.index(tag), flag] = 1000.0
    for piece, rivals in (unsure or {}).items():
        for rival in rivals:
            projection[vocabulary.index(rival), vocabulary.index(piece)] = 0.95
    for piece, instead in (swaps or {}).items():
        projection[vocabulary.index(instead), vocabulary.index(piece)] = 1.05
    _linear(decoder.projection, _reads_plus(projection))

    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.config.add_source_eos = True
    _save(spec, model_dir)


def save_base_copy_model(model_dir: Path, vocabulary: list[str], tag: str, layers: int = 6, d_model: int = 512,
                         heads: int = 8, ffn: int = 2048, seed: int = 0) -> None:
    """Save a copy model (see module doc) with Transformer-base shape and cost, int8.

    Translations are exact copies, so a benchmark sees a real model's output lengths
    (it stops at ``</s>``) at a real model's cost per token. What changes from the
    small copy model:
    - tokens get random ±1 codes of ``d_model/2 - 12`` features instead of one-hot
      features; the projection scores a code against every token's code, and the
      right one wins by a wide margin;
    - every head of decoder layer 0's cross-attention reads the position bits, so all
      heads look at source piece t-1, and together their values carry the whole code;
    - every other weight is random and small: it costs what a real weight costs and
      barely moves the residual stream.
    """
    from ctranslate2.specs import transformer_spec

    rng = np.random.default_rng(seed)
    size, half, head_width = len(vocabulary), d_model // 2, d_model // heads
    code_width = half - POSITION_BITS - 1
    codes = slice(0, code_width)
    bit_features = np.arange(code_width, code_width + POSITION_BITS)
    flag = half - 1
    token_codes = rng.choice([-1.0, 1.0], size=(size, code_width))

    positions = 2**POSITION_BITS
    bits = np.array([[1.0 if (p >> b) & 1 else -1.0 for b in range(POSITION_BITS)] for p in range(positions)])
    encoder_positions = np.zeros((positions, half))
    encoder_positions[:, bit_features] = np.roll(bits, -1, axis=0)
    decoder_positions = np.zeros((positions, half))
    decoder_positions[:, bit_features] = bits
    decoder_positions[0, flag] = 1.0
    embeddings = np.zeros((size, half))
    embeddings[:, codes] = token_codes

    def small(shape):
        return _small(rng, shape)

    spec = transformer_spec.TransformerSpec.from_config(layers, heads)
    encoder, decoder = spec.encoder, spec.decoder
    encoder.scale_embeddings = decoder.scale_embeddings = False
    encoder.embeddings[0].weight = _paired(embeddings)
    encoder.position_encodings.encodings = _paired(encoder_positions)
    decoder.embeddings.weight = small((size, d_model)).astype(np.float32)
    decoder.position_encodings.encodings = _paired(decoder_positions)
    for layer in encoder.layer:
        _small_layer(layer, d_model, ffn, rng, cross=False)
    for layer in decoder.layer:
        _small_layer(layer, d_model, ffn, rng, cross=True)
    _norm(encoder.layer_norm, d_model)
    _norm(decoder.layer_norm, d_model)

    # Layer 0's cross-attention: in every head, query = decoder position bits, key =
    # encoder position label (sharp: one key wins); head h's values carry code features
    # h*head_width onwards; the output writes the code back into the residual, paired.
    attention = decoder.layer[0].attention
    query, key = small((d_model, d_model)), small((d_model, d_model))
    value, output = small((d_model, d_model)), small((d_model, d_model))
    for head in range(heads):
        start = head * head_width
        query[start + np.arange(POSITION_BITS), bit_features] = 20.0
        key[start + np.arange(POSITION_BITS), bit_features] = 1.0
    value[np.arange(code_width), np.arange(code_width)] = 1.0
    output[np.arange(code_width), np.arange(code_width)] = 1.0
    output[half + np.arange(code_width), np.arange(code_width)] = -1.0
    _linear(attention.linear[0], query)
    _linear(attention.linear[1], np.concatenate([key, value]))
    _linear(attention.linear[2], output)

    projection = np.zeros((size, half))
    projection[:, codes] = token_codes
    projection[vocabulary.index(tag)] = 0.0
    projection[vocabulary.index(tag), flag] = 1000.0
    _linear(decoder.projection, _reads_plus(projection) + small((size, d_model)))

    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.config.add_source_eos = True
    _save(spec, model_dir, quantization="int8")


def build_pack(out_dir: Path, from_code: str, to_code: str, *, version: str = "1.0",
               target_prefix: str = "", metadata_overrides: dict | None = None, tokenizer: str = "sentencepiece",
               unsure: dict[str, tuple[str, ...]] | None = None, swaps: dict[str, str] | None = None) -> Path:
    """Build ``translate-<from>_<to>-<version>.argosmodel`` with a copy model; return its path.

    ``tokenizer`` is "sentencepiece" (most Argos packs) or "bpe" (Moses + BPE packs);
    ``unsure``: pieces the model is unsure of; ``swaps``: pieces it mangles (see save_copy_model).
    """
    tag = f"<{to_code}>"
    tags = [tag] + ([target_prefix] if target_prefix else [])
    if tokenizer == "bpe":
        def make_tokenizer(folder: Path) -> list[str]:
            return _write_bpe(folder, from_code, to_code, tags)
    else:
        def make_tokenizer(folder: Path) -> list[str]:
            return _write_sentencepiece(folder, train_sentencepiece(folder.parent / "sp", tags))

    return _zip_pack(out_dir, from_code, to_code, version, make_tokenizer,
                     lambda model_dir, vocabulary: save_copy_model(model_dir, vocabulary, tag, unsure, swaps),
                     {"target_prefix": target_prefix, **(metadata_overrides or {})})


def build_base_pack(out_dir: Path, from_code: str, to_code: str, corpus: list[str], *,
                    vocab_size: int = 16000, pieces: int = 8000, seed: int = 0) -> Path:
    """Build a copy pack of Transformer-base cost (``save_base_copy_model``) for benchmarks.

    SentencePiece learns up to ``pieces`` pieces from ``corpus`` (real text gives real
    piece counts); the model's vocabulary is padded to ``vocab_size``.
    """
    tag = f"<{to_code}>"

    def make_tokenizer(folder: Path) -> list[str]:
        model = train_sentencepiece(folder.parent / "sp", [tag], vocab_size=pieces, lines=corpus)
        vocabulary = _write_sentencepiece(folder, model)
        return vocabulary + [f"<extra{i}>" for i in range(vocab_size - len(vocabulary))]

    return _zip_pack(out_dir, from_code, to_code, "1.0", make_tokenizer,
                     lambda model_dir, vocabulary: save_base_copy_model(model_dir, vocabulary, tag, seed=seed), {})


def _write_sentencepiece(folder: Path, model: Path) -> list[str]:
    shutil.copy(model, folder / "sentencepiece.model")
    return sentencepiece_vocabulary(folder / "sentencepiece.model")


def _write_bpe(folder: Path, from_code: str, to_code: str, tags: list[str]) -> list[str]:
    """Write a small subword-nmt codes file; the vocabulary is what it makes of CORPUS."""
    from argostranslate.tokenizer import BPETokenizer

    (folder / "bpe.model").write_text("#version: 0.2\nt h\nth e</w>\ne r\ni n\no n\n", encoding="utf-8")
    tokenizer = BPETokenizer(folder / "bpe.model", from_code, to_code)
    seen = {piece for line in CORPUS.splitlines() for piece in tokenizer.encode(line)}
    return ["<unk>", "<s>", "</s>", *tags, *sorted(seen)]


def _zip_pack(out_dir, from_code, to_code, version, make_tokenizer, save_model, metadata_extra) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    folder_name = f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / folder_name
        folder.mkdir()
        save_model(folder / "model", make_tokenizer(folder))
        metadata = {
            "package_version": version,
            "argos_version": "1.9",
            "from_code": from_code,
            "from_name": from_code,
            "to_code": to_code,
            "to_name": to_code,
            "type": "translate",
            **metadata_extra,
        }
        (folder / "metadata.json").write_text(json.dumps(metadata, indent=2))
        (folder / "README.md").write_text(f"Generated {from_code}->{to_code} test pack.\n")
        archive = out_dir / f"{folder_name}.argosmodel"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.rglob("*")):
                zf.write(path, path.relative_to(scratch).as_posix())
    return archive


def _paired(matrix: np.ndarray) -> np.ndarray:
    """Features -> [x, -x]: every vector then has mean 0, so LayerNorm only rescales it."""
    return np.concatenate([matrix, -matrix], axis=-1).astype(np.float32)


def _reads_plus(matrix: np.ndarray) -> np.ndarray:
    """An (out x features) map -> (out x 2*features) that reads only the +x half."""
    return np.concatenate([matrix, np.zeros_like(matrix)], axis=1).astype(np.float32)


def _norm(spec, width: int) -> None:
    spec.gamma = np.ones(width, np.float32)
    spec.beta = np.zeros(width, np.float32)


def _linear(spec, weight) -> None:
    spec.weight = np.asarray(weight, np.float32)
    spec.bias = np.zeros(spec.weight.shape[0], np.float32)


def _idle(layer, width: int) -> None:
    """Zero a layer's self-attention and feed-forward: it passes its input through."""
    _norm(layer.self_attention.layer_norm, width)
    _linear(layer.self_attention.linear[0], np.zeros((3 * width, width)))
    _linear(layer.self_attention.linear[1], np.zeros((width, width)))
    _norm(layer.ffn.layer_norm, width)
    _linear(layer.ffn.linear_0, np.zeros((2, width)))
    _linear(layer.ffn.linear_1, np.zeros((width, 2)))


def _small(rng, shape) -> np.ndarray:
    return rng.normal(0, 1e-3, shape)


def _small_layer(layer, width: int, ffn: int, rng, cross: bool) -> None:
    """Small random weights: a real layer's cost, next to no effect on the residual stream."""
    def random(shape):
        return _small(rng, shape)

    _norm(layer.self_attention.layer_norm, width)
    _linear(layer.self_attention.linear[0], random((3 * width, width)))
    _linear(layer.self_attention.linear[1], random((width, width)))
    if cross:
        _norm(layer.attention.layer_norm, width)
        _linear(layer.attention.linear[0], random((width, width)))
        _linear(layer.attention.linear[1], random((2 * width, width)))
        _linear(layer.attention.linear[2], random((width, width)))
    _norm(layer.ffn.layer_norm, width)
    _linear(layer.ffn.linear_0, random((ffn, width)))
    _linear(layer.ffn.linear_1, random((width, ffn)))


def _save(spec, model_dir: Path, quantization: str | None = None) -> None:
    spec.validate()
    spec.optimize(quantization=quantization)
    Path(model_dir).mkdir(parents=True, exist_ok=True)
    spec.save(str(model_dir))
