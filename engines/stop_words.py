"""spaCy's stop-word lists of any language, without importing that language's package.

`from spacy.lang.fr.stop_words import STOP_WORDS` first runs `spacy/lang/fr/__init__.py`, which builds
French tokenizer exceptions: 4 s of every process start here (`python -X importtime`), for a word list.
Each `stop_words.py` is a plain module (a set literal, no imports), so it is loaded from its file."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import spacy


@cache
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's STOP_WORDS of language `lang` ("fr", "de", ...)."""
    path = Path(spacy.__file__).parent / "lang" / lang / "stop_words.py"
    spec = importlib.util.spec_from_file_location(f"_careerstream_stop_words_{lang}", path)
    if spec is None or spec.loader is None:
        raise LookupError(f"spaCy has no stop words for {lang!r} ({path})")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)
