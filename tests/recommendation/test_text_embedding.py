"""The embedding model shipped inside the `wordllama` wheel: loaded from the package's own files with
the network cut, it places related career texts nearer than unrelated ones, and the content model's
meaning part uses it without changing what the other parts score."""

from __future__ import annotations

import pickle
import socket
from typing import Any

import numpy as np
import pytest

from engines import text_embedding
from engines.recommendation.domain import UserProfile
from engines.recommendation.models.base import normalise_scores
from engines.recommendation.models.content import ContentRecommender
from engines.recommendation.training_data import UserContext
from engines.text_embedding import DIM, embed


def test_the_model_loads_from_the_wheel_with_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: Any, **_k: Any) -> None:
        raise OSError("network used at run time")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    text_embedding.embedder.cache_clear()
    assert text_embedding.WEIGHTS.is_file() and text_embedding.TOKENIZER.is_file()
    vectors = embed(["python software development", "nursing care of patients in a hospital ward"])
    assert vectors.shape == (2, DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_related_texts_are_nearer_than_unrelated_ones() -> None:
    skills, developer, nurse, empty = embed(
        [
            "Python; SQL; software testing; version control",
            "software developer: writes, tests and maintains computer programs",
            "nurse: cares for patients, gives medication and monitors their health",
            "  ",
        ]
    )
    assert skills @ developer > skills @ nurse + 0.05
    assert not empty.any()  # no words, no direction


def test_the_meaning_part_adds_to_the_other_parts(index) -> None:  # type: ignore[no-untyped-def]
    with_meaning = ContentRecommender(meaning_weight=10.0).fit_index(index)
    without = ContentRecommender(meaning_weight=0.0).fit_index(index, text_from=with_meaning)
    # A career with real ESCO skill relations: a derived profile may be off the career's meaning.
    pos = next(i for i, c in enumerate(index.careers) if c.profile_source == "esco")
    career = index.careers[pos]
    profile = UserProfile("u", skills=tuple(s.label for s in career.skills[:6]))
    users = [UserContext("u", profile, np.zeros(index.n_items, np.float32))]
    meaning = with_meaning.meaning_scores(users)
    assert meaning.shape == (1, index.n_items) and meaning.std() > 0
    # The career whose skills the user typed is among the nearest in meaning.
    assert (meaning[0] > meaning[0, pos]).sum() < index.n_items // 10
    assert np.allclose(
        with_meaning.score_many(users),
        normalise_scores(without.score_many(users)) + with_meaning.meaning_weight * meaning,
        atol=1e-5,
    )
    # A model saved before the part existed still scores, as it did (its bundle has no embeddings).
    old = pickle.loads(pickle.dumps(with_meaning))
    del old.__dict__["career_meaning"], old.__dict__["meaning_weight"]
    assert np.allclose(old.score_many(users), without.score_many(users))


def test_kept_embeddings_are_the_computed_ones_and_follow_the_texts(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAREERSTREAM_CACHE_DIR", str(tmp_path))
    calls: list[int] = []

    def counted(texts: Any) -> np.ndarray:
        calls.append(len(texts))
        return embed(texts)

    monkeypatch.setattr(text_embedding, "embed", counted)
    texts = ["software developer writes code", "nurse cares for patients"]
    first = text_embedding.embed_kept("test-meaning", texts)
    again = text_embedding.embed_kept("test-meaning", texts)  # loaded, not computed
    assert calls == [2] and np.array_equal(first, again) and np.array_equal(first, embed(texts))
    changed = text_embedding.embed_kept("test-meaning", [*texts, "welder joins metal"])
    assert calls == [2, 3] and changed.shape == (3, DIM)
