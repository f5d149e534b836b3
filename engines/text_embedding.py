"""Sentence embeddings from WordLlama, the model the `wordllama` wheel carries (MIT licence).

Why this model: it is an embedding model a registry package ships whole (its 256-dimensional weights,
16 MB, and its tokenizer are files inside the wheel), so nothing is downloaded at run time. It pools token
embeddings (no transformer), so a profile embeds in about 0.1 ms, inside the serving
budget. Its weights were trained by the package's author from large language models' token embeddings.

The package's own `WordLlama.load()` looks for the tokenizer in a folder the wheel does not have
(`tokenizer/`, the wheel's is `tokenizers/`) and then tries Hugging Face; loading the shipped files
directly never touches the network.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import wordllama
from safetensors import safe_open
from tokenizers import Tokenizer
from wordllama.inference import WordLlamaInference

from engines.build_cache import load_or_build

_PACKAGE = Path(wordllama.__file__).parent
WEIGHTS = _PACKAGE / "weights" / "l2_supercat_256.safetensors"
TOKENIZER = _PACKAGE / "tokenizers" / "l2_supercat_tokenizer_config.json"
MODEL_VERSION = f"wordllama {wordllama.__version__}"
DIM = 256


@lru_cache(maxsize=1)
def embedder() -> WordLlamaInference:
    """The model from the wheel's own files (process-wide, loaded on first use: ~0.5 s)."""
    tokenizer = Tokenizer.from_file(str(TOKENIZER))
    with safe_open(str(WEIGHTS), framework="np", device="cpu") as f:
        embedding = f.get_tensor("embedding.weight")
    return WordLlamaInference(embedding, tokenizer)


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length embeddings, one row per text (an empty text gives a zero row)."""
    out = np.zeros((len(texts), DIM), np.float32)
    filled = [i for i, t in enumerate(texts) if t.strip()]
    if filled:
        out[filled] = np.nan_to_num(embedder().embed([texts[i] for i in filled], norm=True))
    return out


def embedding_inputs() -> list[Path]:
    """The files an embedding depends on (the model's weights and tokenizer, and this module): the keys
    of anything built from embeddings and kept on disk."""
    return [WEIGHTS, TOKENIZER, Path(__file__)]


def embed_kept(name: str, texts: Sequence[str]) -> np.ndarray:
    """`embed(texts)`, kept on disk between processes (`engines.build_cache`) under `name`, keyed by the
    texts and the model's files: every recommendations worker embeds the same ~3,000 careers at start."""
    texts_key = hashlib.sha256("\0".join(texts).encode()).hexdigest()
    return load_or_build(name, embedding_inputs(), [MODEL_VERSION, texts_key], lambda: embed(texts))
