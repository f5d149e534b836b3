"""spaCy's stop-word lists of any language, without importing that language's package.

`from spacy.lang.fr.stop_words import STOP_WORDS` first runs `spacy/lang/fr/__init__.py`, which builds
French tokenizer exceptions: 4 s of every process start here (`python -X importtime -c "import
streams.app"`), for a word list. Each `stop_words.py` only splits a string into a set (no imports; English
adds contractions to it), so it is run from its file."""

from __future__ import annotations

import importlib.util
from functools import cache

from engines.package_data import package_file


@cache
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's STOP_WORDS of language `lang` ("fr", "de", ...)."""
    path = package_file("spacy", "lang", lang, "stop_words.py")
    if not (lang.isalpha() and path.is_file()):
        raise LookupError(f"spaCy has no stop words for {lang!r} ({path})")
    spec = importlib.util.spec_from_file_location(f"_careerstream_stop_words_{lang}", path)
    assert spec is not None and spec.loader is not None  # a spec for an existing .py file has a loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)
