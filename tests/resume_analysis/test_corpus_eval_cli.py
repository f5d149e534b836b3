"""Corpus generator, evaluation metrics and the CLI functions."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from careerstream.cli.resume import bench_resumes, eval_resumes, resume_analyze
from careerstream.corpora.resumes import LAYOUTS, generate_resume, write_corpus
from careerstream.corpora.resumes_eval import FieldCounts, evaluate
from engines.resume_analysis.intake import screen

from .builders import RESUME_LINES, make_pdf


def test_generator_is_seeded_and_labelled() -> None:
    a, b = generate_resume(7), generate_resume(7)
    assert a.truth == b.truth and a.filename == b.filename
    assert generate_resume(8).truth != a.truth
    doc = screen(a.data, a.filename).document
    assert doc is not None
    assert a.truth.email in doc.text
    assert all(employer in doc.text for employer in a.truth.employers)


def test_generator_covers_layouts_and_formats() -> None:
    for layout in LAYOUTS:
        for fmt in ("pdf", "docx"):
            item = generate_resume(1, layout=layout, file_format=fmt)
            assert item.filename.endswith(f"{layout}.{fmt}") and item.truth.layout == layout
            assert screen(item.data, item.filename).document is not None


def test_field_counts_metrics() -> None:
    counts = FieldCounts()
    counts.add({"a", "b"}, {"a", "c"}, keep_example=True)
    assert counts.metrics() == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert counts.examples == [{"false_positives": ["b"], "false_negatives": ["c"]}]


def test_evaluate_small_corpus() -> None:
    items = [generate_resume(seed) for seed in range(200, 212)]
    report = evaluate(items)
    assert set(report) >= {"email", "phone", "skills", "job_titles", "employers", "degree_level"}
    assert report["documents"] == 12 and report["failed"] == 0
    assert report["email"]["f1"] >= 0.9  # type: ignore[index]
    assert report["skills"]["f1"] >= 0.8  # type: ignore[index]


INDEPENDENT_TRUTH = """\
profession: welder
country: US
template: txt_plain
name: Cody Harlan
email: cody@example.com
phone: 405-555-0166
jobs:
  - {title: Welder Fabricator, employer: Ace Steel Fabrication, start: 2017-03, end: present}
education:
  - {degree: High School Diploma, level: high_school, school: Moore High School, end: 2013}
skills: [MIG welding, TIG welding]
"""
INDEPENDENT_TEXT = """\
Cody Harlan
cody@example.com | 405-555-0166

EXPERIENCE
Welder Fabricator | Ace Steel Fabrication | Mar 2017 - Present
- Structural steel

EDUCATION
High School Diploma, Moore High School, 2013

SKILLS
MIG welding, TIG welding
"""


def _app(*commands: object) -> typer.Typer:
    app = typer.Typer()
    for command in commands:
        app.command()(command)  # type: ignore[arg-type,type-var]
    return app


def test_cli_functions(tmp_path: Path) -> None:
    runner = CliRunner()
    cv = tmp_path / "cv.pdf"
    cv.write_bytes(make_pdf(RESUME_LINES))
    app = _app(resume_analyze, eval_resumes, bench_resumes)
    out = runner.invoke(app, ["resume-analyze", str(cv), "--json", "--skill", "Python"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.output)
    assert payload["status"] == "completed" and payload["ats"]["keywords"]["matched"] == ["Python"]
    assert payload["analysis_ms"] > 0
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"")
    out = runner.invoke(app, ["resume-analyze", str(bad)])
    assert out.exit_code == 2 and "empty" in out.output
    corpus = tmp_path / "independent"
    (corpus / "truth").mkdir(parents=True)
    (corpus / "files").mkdir()
    (corpus / "truth" / "r1.yaml").write_text(INDEPENDENT_TRUTH, encoding="utf-8")
    (corpus / "files" / "r1.txt").write_text(INDEPENDENT_TEXT, encoding="utf-8")
    out = runner.invoke(app, ["eval-resumes", "--n", "3", "--seed", "5", "--corpus", str(corpus)])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output.strip().splitlines()[-1])
    assert report["generated"]["documents"] == 3
    independent = report["independent"]
    assert independent["documents"] == 1 and independent["name"]["accuracy"] == 1.0
    assert independent["job_titles"]["f1"] == 1.0 and independent["skills"]["recall"] == 1.0
    assert independent["analysis_ms_p95"] >= independent["analysis_ms_p50"] > 0
    out = runner.invoke(app, ["bench-resumes", "--json", "--quick"])
    assert out.exit_code == 0, out.output
    bench = json.loads(out.output.strip().splitlines()[-1])
    assert bench["resumes"] == 20 and bench["analysis_ms_p50"] <= bench["analysis_ms_p95"]
    assert bench["resumes_per_min"] > 0


def test_write_corpus(tmp_path: Path) -> None:
    labels = write_corpus(tmp_path, 3, seed=40)
    rows = [json.loads(line) for line in labels.read_text().splitlines()]
    assert len(rows) == 3 and all((tmp_path / r["filename"]).exists() for r in rows)
