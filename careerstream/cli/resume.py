"""Typer-annotated CLI functions; the project's ``careerstream`` console script registers them."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from careerstream.bench.resume import run_benchmark
from careerstream.corpora.resumes import generate_corpus, write_corpus
from careerstream.corpora.resumes_eval import evaluate
from engines.resume_analysis.analyzer import analyze
from engines.resume_analysis.feedback import LLMSettings
from engines.resume_analysis.independent import CORPUS_DIR, evaluate_independent


def resume_analyze(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="PDF, DOCX or TXT resume"),
    json_output: bool = typer.Option(False, "--json", help="print the full analysis as JSON"),
    target_skill: list[str] = typer.Option([], "--skill", help="target-role skill (repeatable)"),
    job_description: Path | None = typer.Option(None, "--job-description", help="text file with a job ad"),
    llm_model: str = typer.Option("gpt-4o-mini", "--llm-model", help="model for LLM feedback"),
    llm_base_url: str | None = typer.Option(None, "--llm-base-url", envvar="OPENAI_BASE_URL"),
    llm_timeout: float = typer.Option(20.0, "--llm-timeout", help="seconds before falling back to rules"),
) -> None:
    """Analyse one resume file: extraction, ATS findings, score and feedback."""
    llm = LLMSettings(
        api_key=os.environ.get("OPENAI_API_KEY"),
        base_url=llm_base_url,
        model=llm_model,
        timeout_s=llm_timeout,
    )
    jd = job_description.read_text(encoding="utf-8", errors="replace") if job_description else None
    data = file.read_bytes()
    started = time.perf_counter()
    result = analyze(data, file.name, target_skills=target_skill or None, job_description=jd, llm=llm)
    analysis_ms = round((time.perf_counter() - started) * 1000, 1)
    if json_output:
        payload = result.to_dict()
        payload["analysis_ms"] = analysis_ms
        typer.echo(json.dumps(payload, ensure_ascii=False))
        if result.status != "completed":
            raise typer.Exit(code=2)
        return
    console = Console()
    if result.status != "completed" or result.rejection is not None:
        reason = result.rejection.reason if result.rejection else "unknown"
        console.print(
            f"[red]Rejected[/red] ({result.rejection.code.value if result.rejection else '?'}): {reason}"
        )
        raise typer.Exit(code=2)
    assert result.score is not None and result.ats is not None and result.feedback is not None
    console.print(
        f"[bold]{file.name}[/bold]: score [bold]{result.score.overall}[/bold]/100 "
        + " ".join(f"{k}={v:.0f}" for k, v in result.score.parts.items())
    )
    table = Table("title", "employer", "dates", "months")
    for entry in result.experience:
        table.add_row(
            entry.title or "-", entry.employer or "-", entry.date_text or "-", str(entry.months or "-")
        )
    console.print(table)
    console.print(
        f"Degree: {result.highest_degree.label}   Skills: " + ", ".join(s.name for s in result.skills[:25])
    )
    for finding in result.ats.findings:
        console.print(f"  [{finding.severity}] {finding.message}")
    console.print(f"\nFeedback ({result.feedback.source}): {result.feedback.summary}")
    for suggestion in result.feedback.suggestions:
        console.print(f"  - {suggestion}")


def eval_resumes(
    n: int = typer.Option(200, "--n", help="number of generated resumes"),
    seed: int = typer.Option(0, "--seed"),
    examples: bool = typer.Option(False, "--examples", help="include error examples per field"),
    write_to: Path | None = typer.Option(None, "--write-corpus", help="also write the corpus files here"),
    corpus: Path = typer.Option(CORPUS_DIR, "--corpus", help="the independent corpus (truth/, files/)"),
    json_output: bool = typer.Option(True, "--json", help="print one JSON object (the only format)"),
) -> None:
    """Print ONE JSON object: field-level precision/recall/F1 on both corpora.

    ``independent``: documents rendered by LibreOffice, Chromium, python-docx and plain text, truth
    written by hand (tests/fixtures/resumes_independent). ``generated``: the seeded generator's corpus,
    kept as a regression set (its truth comes from the same vocabulary the extractor uses).
    """
    if write_to is not None:
        write_corpus(write_to, n, seed)
    with Progress(transient=True) as progress:
        documents = len(list((corpus / "truth").glob("*.yaml")))
        task = progress.add_task("independent corpus", total=documents)
        independent = evaluate_independent(corpus, examples=examples, on_item=lambda: progress.advance(task))
        task = progress.add_task("generated corpus", total=n)
        generated = evaluate(
            generate_corpus(n, seed), verbose_examples=examples, on_item=lambda: progress.advance(task)
        )
    typer.echo(json.dumps({"independent": independent, "generated": generated}, ensure_ascii=False))


def bench_resumes(
    json_output: bool = typer.Option(False, "--json", help="print one JSON object"),
    quick: bool = typer.Option(False, "--quick", help="20 resumes instead of 200"),
) -> None:
    """Per-resume analysis latency (p50/p95) and single-process throughput, without LLM."""
    n = 20 if quick else 200
    with Progress(transient=True) as progress:
        task = progress.add_task("analysing", total=n)
        result = run_benchmark(n, on_item=lambda: progress.advance(task))
    if json_output:
        typer.echo(json.dumps(result))
    else:
        for key, value in result.items():
            typer.echo(f"{key:>20}: {value}")
