"""Stop words read from spaCy's files are spaCy's stop words."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from engines.stop_words import stop_words
from tests.conftest import ROOT


@pytest.mark.parametrize("lang", ["de", "en", "es", "fr", "it", "pt"])
def test_stop_words_are_spacys(lang: str) -> None:
    spacy_module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
    assert stop_words(lang) == frozenset(spacy_module.STOP_WORDS)
    assert len(stop_words(lang)) > 100


def test_the_worker_imports_no_language_package_for_its_stop_words() -> None:
    # The point of the module: a worker, the API and the chat engine start without spacy.lang.fr (4 s of
    # French tokenizer exceptions at every process start), and the chat's foreign words are still read.
    code = (
        "import sys, streams.app; from engines.chat.job_titles import foreign_function_words;"
        " assert 'que' in foreign_function_words();"
        " langs = {m.split('.')[2] for m in sys.modules if m.startswith('spacy.lang.')};"
        " print(sorted(langs & {'de', 'es', 'fr', 'it', 'pt'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout


def test_an_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(LookupError):
        stop_words("xx-none")
