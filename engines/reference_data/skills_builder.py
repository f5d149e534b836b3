"""Builds clean skill records from the raw ESCO sources (pure logic, no file I/O)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from engines.reference_data.esco_text import LabelSplitter, clean_alt_labels, normalise_space


@dataclass
class RawSkillRow:
    """One row of ESCO skills.csv."""

    id: str
    description: str


@dataclass
class SkillBuildReport:
    """Quality numbers measured while building, on the skills whose clean labels are known."""

    n_skills: int
    n_clean: int
    label_exact_match: float
    definition_exact_match: float
    type_cv_accuracy: float


def _content_stems(text: str) -> set[str]:
    return {w[:4] for w in text.lower().split() if len(w) >= 4}


def _plausible_alt(label: str, alt: str) -> bool:
    """Heuristically segmented alt labels must have 2+ words and share a content stem with the label,
    which removes most segmentation fragments (e.g. a stray "data")."""
    return len(alt.split()) >= 2 and bool(_content_stems(label) & _content_stems(alt))


def _type_classifier(labels: Sequence[str], types: Sequence[str]) -> tuple[Any, float]:
    """Skill vs knowledge from the label's words: skills start with a verb, knowledge is a noun phrase.
    The first word is emphasised by a marker token."""
    texts = [_type_text(t) for t in labels]
    pipe = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        LogisticRegression(max_iter=2000, C=4.0),
    )
    acc = float(np.mean(cross_val_score(pipe, texts, list(types), cv=5)))
    pipe.fit(texts, list(types))
    return pipe, acc


def _type_text(label: str) -> str:
    words = label.lower().split()
    return f"^{words[0]}^ " + " ".join(words) if words else ""


def build_skill_records(
    rows: Sequence[RawSkillRow], ict_skills: Sequence[dict[str, Any]], labelled: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], SkillBuildReport, dict[str, str]]:
    """Turn the raw CSV rows plus the structured JSON subsets into one record per skill.

    Clean labels/alt labels/types come from ict_skills.json / skills_labelled.json where present;
    the rest are recovered with LabelSplitter, and their type predicted by a classifier trained on
    the labelled subset. Also returns each skill's definition (used to derive career profiles, not stored)."""
    splitter = LabelSplitter.fit(r.description for r in rows)
    clean: dict[str, dict[str, Any]] = {d["uri"]: d for d in ict_skills}
    alts_by_uri: dict[str, list[str]] = defaultdict(list)
    for d in labelled:
        alts_by_uri[d["uri"]].append(d["altLabel"])
        clean.setdefault(d["uri"], d)
    for d in ict_skills:
        alts_by_uri[d["uri"]].extend(d.get("altLabel") or [])

    # Measure the heuristic against the clean labels before trusting it for the rest.
    n_eval = label_ok = def_ok = 0
    for r in rows:
        if r.id in clean:
            label, _, definition = splitter.split(r.description)
            n_eval += 1
            label_ok += label.lower() == normalise_space(clean[r.id]["label"]).lower()
            def_ok += definition == normalise_space(clean[r.id].get("description", ""))

    train_labels = [normalise_space(d["label"]) for d in clean.values()]
    train_labels += [normalise_space(a) for d in clean.values() for a in alts_by_uri[d["uri"]] if a]
    train_types = [d["skillType"] for d in clean.values()]
    train_types += [d["skillType"] for d in clean.values() for a in alts_by_uri[d["uri"]] if a]
    type_model, type_acc = _type_classifier(train_labels, train_types)

    records: list[dict[str, Any]] = []
    definitions: dict[str, str] = {}
    ict_ids = {d["uri"] for d in ict_skills}
    pending: list[int] = []
    for r in rows:
        if r.id in clean:
            d = clean[r.id]
            label = normalise_space(d["label"])
            definitions[r.id] = normalise_space(d.get("description", ""))
            alts = clean_alt_labels(label, alts_by_uri[r.id])
            records.append(
                {
                    "id": r.id,
                    "label": label,
                    "alt_labels": alts,
                    "type": d["skillType"],
                    "ict": r.id in ict_ids,
                }
            )
        else:
            label, raw_alts, definitions[r.id] = splitter.split(r.description)
            alts = [a for a in clean_alt_labels(label, raw_alts) if _plausible_alt(label, a)]
            records.append(
                {"id": r.id, "label": label, "alt_labels": alts, "type": "", "ict": r.id in ict_ids}
            )
            pending.append(len(records) - 1)
    if pending:
        predicted = type_model.predict([_type_text(records[i]["label"]) for i in pending])
        for i, t in zip(pending, predicted, strict=True):
            records[i]["type"] = str(t)
    report = SkillBuildReport(
        n_skills=len(records),
        n_clean=sum(1 for r in rows if r.id in clean),
        label_exact_match=label_ok / max(n_eval, 1),
        definition_exact_match=def_ok / max(n_eval, 1),
        type_cv_accuracy=type_acc,
    )
    return records, report, definitions
