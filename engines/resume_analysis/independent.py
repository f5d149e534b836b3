"""Scoring against the independent corpus: documents rendered by other tools, truth written by hand.

The corpus lives in ``tests/fixtures/resumes_independent/``: ``truth/<id>.yaml`` (hand-written: what the
page says), ``files/<id>.<ext>`` (rendered by ``tools/resume_corpus/render.py`` with python-docx,
LibreOffice and Chromium) and ``aliases.yaml`` (groups of names that name the same thing, e.g.
"Excel" / "Microsoft Excel"). Nothing here normalises the truth with the extractor's functions: the
comparison keys are computed by the small, independent functions below.

Scoring (micro-averaged over documents):

* skills: a prediction matches a truth skill when its surface text (as written) or its reported name
  equals the truth's surface form, or both are in one alias group; one-to-one; every unmatched
  prediction is a false positive.
* job titles / employers: one set per document, exact after case/punctuation folding.
* job start / end: each truth job is aligned with the predicted job with the same title or employer;
  the date counts when it equals the truth at the precision printed (month, or year when only the
  year is printed; "present" must be reported as current).
* education: degree text, school and year per entry; highest degree level: accuracy.
* name: accuracy; email / phone: sets (phones compared as national numbers via ``phonenumbers``).

Precision is 0 (not 1) for a field where nothing was predicted and something was expected.
Truth files marked ``split: holdout`` were written after the extractor was frozen; ``by_split``
reports them apart from the ``dev`` files whose errors were looked at during development.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers
import yaml

from .analyzer import analyze
from .models import ResumeAnalysis
from .skills import get_skill_matcher

CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "resumes_independent"
SET_FIELDS = ("email", "phone", "skills", "job_titles", "employers", "job_start", "job_end")
EDU_FIELDS = ("edu_degree", "edu_school", "edu_year")


def fold(text: str) -> str:
    """Comparison key: accents, case and punctuation folded (keeps + # & / inside words)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("’", "'")
    return " ".join(re.sub(r"[^\w+#&/]+", " ", text).split())


@dataclass
class Counts:
    """True positives, false positives and false negatives of one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        """Add one document's counts."""
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def metrics(self) -> dict[str, float | int]:
        """Precision (0 when nothing predicted and something expected), recall, F1, support."""
        expected = self.tp + self.fn
        predicted = self.tp + self.fp
        precision = self.tp / predicted if predicted else (0.0 if expected else 1.0)
        recall = self.tp / expected if expected else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": expected,
        }


@dataclass
class Truth:
    """One hand-written truth record plus where its file is."""

    id: str
    path: Path
    record: dict[str, Any]

    @property
    def template(self) -> str:
        return str(self.record["template"])

    @property
    def split(self) -> str:
        """``dev`` (looked at while the extractor was tuned) or ``holdout`` (written after it was frozen)."""
        return str(self.record.get("split", "dev"))

    @property
    def file_format(self) -> str:
        return self.path.suffix.lstrip(".")

    def skills(self) -> list[str]:
        skills = self.record.get("skills") or []
        items = [s for group in skills.values() for s in group] if isinstance(skills, dict) else list(skills)
        return [str(s) for s in (*items, *(self.record.get("extra_skills") or []))]


@dataclass
class AliasTable:
    """Groups of names that name the same thing (hand-written, documented in aliases.yaml)."""

    group_of: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> AliasTable:
        table = cls()
        if path.exists():
            groups = yaml.safe_load(path.read_text(encoding="utf-8")) or []
            for i, group in enumerate(groups):
                for name in group:
                    table.group_of[fold(str(name))] = i
        return table

    def same(self, a: str, b: str) -> bool:
        fa, fb = fold(a), fold(b)
        if fa == fb:
            return True
        ga, gb = self.group_of.get(fa), self.group_of.get(fb)
        return ga is not None and ga == gb


def load_corpus(directory: Path = CORPUS_DIR) -> list[Truth]:
    """Every truth record with its rendered file (records without a file are skipped)."""
    out = []
    files = {p.stem: p for p in (directory / "files").glob("*") if p.is_file()}
    for path in sorted((directory / "truth").glob("*.yaml")):
        if path.stem in files:
            record = yaml.safe_load(path.read_text(encoding="utf-8"))
            out.append(Truth(path.stem, files[path.stem], record))
    return out


def match_skills(
    predicted: Sequence[tuple[str, ...]], truth: Sequence[str], aliases: AliasTable
) -> tuple[int, int, int]:
    """One-to-one matching of predictions (each a tuple of names) to truth surface forms."""
    remaining = list(dict.fromkeys(truth))
    tp = fp = 0
    for names in predicted:
        hit = next((t for t in remaining if any(aliases.same(n, t) for n in names)), None)
        if hit is None:
            fp += 1
        else:
            tp += 1
            remaining.remove(hit)
    return tp, fp, len(remaining)


def _set_counts(predicted: set[str], expected: set[str]) -> tuple[int, int, int]:
    return len(predicted & expected), len(predicted - expected), len(expected - predicted)


def _phone_key(raw: str, region: str) -> str:

    try:
        number = phonenumbers.parse(raw, region)
        return str(number.national_number)
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", raw)


def _truth_date(value: Any) -> tuple[str, bool]:
    """(comparison key, month printed?) of a truth date: "2019-04", "2019" or "present"."""
    text = str(value)
    if text.lower() == "present":
        return "present", True
    return text, len(text) > 4


def _predicted_date(iso: str | None, current: bool, month_known: bool) -> str | None:
    if current:
        return "present"
    if iso is None:
        return None
    return iso if month_known else iso[:4]


def _job_date_counts(result: ResumeAnalysis, r: dict[str, Any], which: str) -> tuple[int, int, int]:
    predicted = list(result.experience)
    used: set[int] = set()
    tp = 0
    year_only = r.get("date_style") == "year"
    for job in r["jobs"]:
        idx = next(
            (
                i
                for i, p in enumerate(predicted)
                if i not in used
                and p.title
                and fold(p.title) == fold(job["title"])
                and p.employer
                and fold(p.employer) == fold(job["employer"])
            ),
            None,
        )
        if idx is None:
            idx = next(
                (
                    i
                    for i, p in enumerate(predicted)
                    if i not in used
                    and (
                        (p.title and fold(p.title) == fold(job["title"]))
                        or (p.employer and fold(p.employer) == fold(job["employer"]))
                    )
                ),
                None,
            )
        if idx is None:
            continue
        used.add(idx)
        p = predicted[idx]
        key, month_printed = _truth_date(job[which])
        if which == "start":
            got = _predicted_date(p.start, False, True)
        else:
            got = _predicted_date(p.end, p.is_current, True)
        if got is not None and got != "present" and (not month_printed or year_only):
            got = got[:4]
        if got == key:
            tp += 1
    n_pred = sum(1 for p in predicted if (p.start if which == "start" else (p.end or p.is_current)))
    return tp, max(0, n_pred - tp), len(r["jobs"]) - tp


def _edu_counts(result: ResumeAnalysis, r: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    truth = r.get("education") or []
    pred = result.education
    out = {}
    out["edu_degree"] = match_skills(
        [(e.degree or "",) for e in pred if e.degree], [t["degree"] for t in truth], AliasTable()
    )
    schools_pred = [(e.institution,) for e in pred if e.institution]
    out["edu_school"] = match_skills(schools_pred, [t["school"] for t in truth], AliasTable())  # type: ignore[arg-type]
    years_pred = {e.end[:4] for e in pred if e.end}
    out["edu_year"] = _set_counts(years_pred, {str(t["end"])[:4] for t in truth if t.get("end")})
    return out


def score_document(
    result: ResumeAnalysis, truth: Truth, aliases: AliasTable
) -> tuple[dict[str, tuple[int, int, int]], dict[str, bool]]:
    """Counts per set field and booleans per accuracy field for one analysed document."""
    r = truth.record
    region = str(r.get("country", "US"))
    contact = result.contact
    counts: dict[str, tuple[int, int, int]] = {}
    counts["email"] = _set_counts(
        {e.lower() for e in (contact.emails if contact else [])}, {str(r["email"]).lower()}
    )
    counts["phone"] = _set_counts(
        {_phone_key(p, region) for p in (contact.phones if contact else [])},
        {_phone_key(str(r["phone"]), region)},
    )
    counts["skills"] = match_skills([(s.text, s.name) for s in result.skills], truth.skills(), aliases)
    counts["job_titles"] = _set_counts(
        {fold(e.title) for e in result.experience if e.title}, {fold(j["title"]) for j in r["jobs"]}
    )
    counts["employers"] = _set_counts(
        {fold(e.employer) for e in result.experience if e.employer}, {fold(j["employer"]) for j in r["jobs"]}
    )
    counts["job_start"] = _job_date_counts(result, r, "start")
    counts["job_end"] = _job_date_counts(result, r, "end")
    counts.update(_edu_counts(result, r))
    levels = [str(e.get("level", "none")) for e in r.get("education") or []]
    order = ["none", "high_school", "associate", "bachelor", "master", "doctorate"]
    expected_level = max(levels, key=order.index) if levels else "none"
    name = contact.name if contact else None
    flags = {
        "highest_degree": result.highest_degree.label == expected_level,
        "name": bool(name) and fold(name or "") == fold(str(r["name"])),
    }
    return counts, flags


def evaluate_independent(
    directory: Path = CORPUS_DIR,
    *,
    examples: bool = False,
    on_item: Callable[[], None] | None = None,
    analyzer: Callable[[bytes, str], ResumeAnalysis] | None = None,
) -> dict[str, Any]:
    """Analyse every corpus file and report P/R/F1 per field, per format and per layout."""
    corpus = load_corpus(directory)
    aliases = AliasTable.load(directory / "aliases.yaml")
    run = analyzer or (lambda data, name: analyze(data, name, as_of=dt.date(2026, 1, 1)))
    if analyzer is None:
        get_skill_matcher()  # built once per process (seconds); time the analyses, not the build
    fields = (*SET_FIELDS, *EDU_FIELDS)
    total = {f: Counts() for f in fields}
    by_format: dict[str, dict[str, Counts]] = {}
    by_layout: dict[str, dict[str, Counts]] = {}
    by_split: dict[str, dict[str, Counts]] = {}
    split_accuracy: dict[str, dict[str, list[bool]]] = {}
    accuracy: dict[str, list[bool]] = {"highest_degree": [], "name": []}
    timings: list[float] = []
    predicted_skills = linked_skills = 0
    failures: list[dict[str, Any]] = []
    failed = 0
    for truth in corpus:
        data = truth.path.read_bytes()
        started = time.perf_counter()
        result = run(data, truth.path.name)
        timings.append((time.perf_counter() - started) * 1000)
        if on_item:
            on_item()
        if result.status != "completed":
            failed += 1
        counts, flags = score_document(result, truth, aliases)
        predicted_skills += len(result.skills)
        linked_skills += sum(1 for s in result.skills if s.skill_id)
        for f in fields:
            total[f].add(*counts[f])
            buckets = ((by_format, truth.file_format), (by_layout, truth.template), (by_split, truth.split))
            for bucket, key in buckets:
                bucket.setdefault(key, {x: Counts() for x in fields})[f].add(*counts[f])
        for k, v in flags.items():
            accuracy[k].append(v)
            split_accuracy.setdefault(truth.split, {}).setdefault(k, []).append(v)
        if examples:
            failures.append(_example(result, truth, counts, flags))
    report: dict[str, Any] = {f: total[f].metrics() for f in fields}
    for k, values in accuracy.items():
        report[k] = {
            "accuracy": round(sum(values) / len(values), 4) if values else 0.0,
            "support": len(values),
        }
    headline = ("skills", "job_titles", "employers", "job_start", "job_end")
    report["f1_by_format"] = {
        fmt: {f: c[f].metrics()["f1"] for f in headline} for fmt, c in sorted(by_format.items())
    }
    report["f1_by_layout"] = {
        lay: {f: c[f].metrics()["f1"] for f in headline} for lay, c in sorted(by_layout.items())
    }
    report["by_split"] = {
        name: {
            "documents": len(next(iter(split_accuracy[name].values()))),
            **{f: c[f].metrics()["f1"] for f in (*headline, "email", "phone")},
            **{k: round(sum(v) / len(v), 4) for k, v in split_accuracy[name].items()},
        }
        for name, c in sorted(by_split.items())
    }
    # Skills are reported as written; this share of them also carries an ESCO id.
    report["skills_linked_to_esco"] = round(linked_skills / predicted_skills, 4) if predicted_skills else 0.0
    report["documents"] = len(corpus)
    report["failed"] = failed
    if timings:
        ordered = sorted(timings)
        report["analysis_ms_p50"] = round(statistics.median(ordered), 1)
        report["analysis_ms_p95"] = round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1)
    if examples:
        report["examples"] = [f for f in failures if f]
    return report


def _example(
    result: ResumeAnalysis, truth: Truth, counts: dict[str, tuple[int, int, int]], flags: dict[str, bool]
) -> dict[str, Any]:
    bad = {k: v for k, v in counts.items() if v[1] or v[2]}
    if not bad and all(flags.values()):
        return {}
    return {
        "id": truth.id,
        "template": truth.template,
        "errors": {k: {"fp": v[1], "fn": v[2]} for k, v in bad.items()},
        "flags": {k: v for k, v in flags.items() if not v},
        "predicted_name": result.contact.name if result.contact else None,
        "predicted_jobs": [[e.title, e.employer, e.start, e.end, e.is_current] for e in result.experience],
        "predicted_skills": [s.text for s in result.skills],
        "predicted_degree": result.highest_degree.label,
    }
