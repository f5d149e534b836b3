"""Field-level evaluation of the extractor against the generated, labelled corpus."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from careerstream.corpora.resumes import CorpusItem, GroundTruth
from engines.resume_analysis.analyzer import analyze
from engines.resume_analysis.contact import normalize_phone
from engines.resume_analysis.models import ResumeAnalysis

SET_FIELDS = ("email", "phone", "skills", "job_titles", "employers")


def normalize_label(text: str) -> str:
    """Case/punctuation-insensitive comparison key."""
    return " ".join(re.sub(r"[^\w&+#/]+", " ", text.lower()).split())


@dataclass
class FieldCounts:
    """True positives, false positives and false negatives for one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    examples: list[dict[str, list[str]]] = field(default_factory=list)

    def add(self, predicted: set[str], expected: set[str], keep_example: bool) -> None:
        """Count one document's predicted vs expected set."""
        self.tp += len(predicted & expected)
        self.fp += len(predicted - expected)
        self.fn += len(expected - predicted)
        if keep_example and (predicted != expected) and len(self.examples) < 5:
            self.examples.append(
                {
                    "false_positives": sorted(predicted - expected),
                    "false_negatives": sorted(expected - predicted),
                }
            )

    def metrics(self) -> dict[str, float | int]:
        """Precision, recall, F1 (rounded) and support."""
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": self.tp + self.fn,
        }


def predicted_fields(result: ResumeAnalysis) -> dict[str, set[str]]:
    """The comparable fields of one analysis."""
    contact = result.contact
    return {
        "email": {e.lower() for e in contact.emails} if contact else set(),
        "phone": {re.sub(r"\D", "", p) for p in contact.phones} if contact else set(),
        "skills": {normalize_label(s.name) for s in result.skills},
        "job_titles": {normalize_label(e.title) for e in result.experience if e.title},
        "employers": {normalize_label(e.employer) for e in result.experience if e.employer},
    }


def expected_fields(truth: GroundTruth) -> dict[str, set[str]]:
    """The comparable fields of one label record."""
    return {
        "email": {truth.email.lower()},
        "phone": {re.sub(r"\D", "", normalize_phone(truth.phone))},
        "skills": {normalize_label(s) for s in truth.skills},
        "job_titles": {normalize_label(t) for t in truth.job_titles},
        "employers": {normalize_label(e) for e in truth.employers},
    }


def evaluate(
    items: Iterable[CorpusItem], *, verbose_examples: bool = False, on_item: Callable[[], None] | None = None
) -> dict[str, object]:
    """Analyse every item and return metrics keyed by field (plus degree accuracy and failures)."""
    counts = {name: FieldCounts() for name in SET_FIELDS}
    by_layout: dict[str, FieldCounts] = {}
    degree_correct = degree_total = failed = 0
    for item in items:
        result = analyze(item.data, item.filename, as_of=dt.date(2026, 1, 1))
        if on_item:
            on_item()
        if result.status != "completed":
            failed += 1
        predicted = predicted_fields(result)
        expected = expected_fields(item.truth)
        for name in SET_FIELDS:
            counts[name].add(predicted[name], expected[name], verbose_examples)
        for name in ("job_titles", "employers"):
            key = f"{item.truth.file_format}/{item.truth.layout}"
            by_layout.setdefault(key, FieldCounts()).add(predicted[name], expected[name], False)
        degree_total += 1
        degree_correct += int(result.highest_degree.label == item.truth.degree_level)
    report: dict[str, object] = {name: counts[name].metrics() for name in SET_FIELDS}
    report["degree_level"] = {
        "accuracy": round(degree_correct / degree_total, 4) if degree_total else 0.0,
        "support": degree_total,
    }
    report["documents"] = degree_total
    report["failed"] = failed
    if verbose_examples:
        report["examples"] = {name: counts[name].examples for name in SET_FIELDS}
        report["titles_employers_f1_by_layout"] = {k: v.metrics()["f1"] for k, v in sorted(by_layout.items())}
    return report
