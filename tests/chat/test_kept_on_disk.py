"""The chat engine's built parts kept on disk between processes (`engines.build_cache`): the intent
classifier and the gazetteer, loaded, give exactly what a fresh build gives, and any change to what
they are built from (a training file, a rule module) builds afresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from engines import build_cache
from engines.chat import nlu, places


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(build_cache.ENV, str(where))
    return where


PROBES = [
    "how much does a data engineer earn in dublin",
    "any courses for the second one?",
    "what's the weather like tomorrow",
    "hi",
    "am I ready to be a nurse",
]


def test_the_loaded_classifier_predicts_what_a_fresh_fit_predicts(cache: Path) -> None:
    nlu.default_classifier.cache_clear()
    try:
        built = nlu.default_classifier()
        (stored,) = cache.glob("intent-classifier-*.pickle")
        nlu.default_classifier.cache_clear()
        loaded = nlu.default_classifier()
        assert loaded is not built  # read back from the file, not the same object
        fresh = nlu._fit_default()
        assert (loaded.confidence, loaded.margin) == (fresh.confidence, fresh.margin)
        assert loaded.predict_many(PROBES) == fresh.predict_many(PROBES)
        assert stored.exists()
    finally:
        nlu.default_classifier.cache_clear()


def test_the_classifier_key_covers_every_training_file_and_the_rules() -> None:
    inputs = {p.name for p in nlu._classifier_inputs()}
    training = {p.name for p in nlu.DATA_DIR.glob("nlu_train*.jsonl")}
    training |= {p.name for p in nlu.DATA_DIR.glob("nlu_validation*.jsonl")}
    assert training and training <= inputs
    assert {"clinc_oos.jsonl", "nlu.py", "text_embedding.py"} <= inputs
    assert not any(p.name.startswith("nlu_test") for p in nlu._classifier_inputs())  # never the test split
    assert all(p.exists() for p in nlu._classifier_inputs())


def test_the_loaded_gazetteer_equals_a_fresh_build(cache: Path) -> None:
    places.gazetteer.cache_clear()
    try:
        places.gazetteer()
        assert len(list(cache.glob("chat-gazetteer-*.pickle"))) == 1
        places.gazetteer.cache_clear()
        assert places.gazetteer() == places._build_gazetteer()
        assert {"places.py", "nlu.py", "places.txt.gz", "contact.py"} <= {
            p.name for p in places._gazetteer_inputs()
        }
    finally:
        places.gazetteer.cache_clear()
