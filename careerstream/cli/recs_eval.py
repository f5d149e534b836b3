"""Typer-annotated command functions; the lead registers them under the `careerstream` console script."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from engines.recommendation.career_index import CareerIndex

FULL_USERS = 100_000
QUICK_USERS = 10_000
EVAL_USERS = 20_000
QUICK_EVAL_USERS = 5_000

_err = Console(stderr=True)


def _index() -> CareerIndex:
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from engines.reference_data.catalog import load_careers, load_skills

    return CareerIndex.build(load_careers(), ((s.id, s.label, s.alt_labels) for s in load_skills()))


def _progress() -> Progress:
    # Progress goes to stderr so `--json` output on stdout stays one clean object.
    return Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=_err, transient=True
    )


def eval_recs(
    json_output: bool = typer.Option(False, "--json", help="print one JSON object"),
    out: Path = typer.Option(Path("bench-results/recs_eval.png"), help="PNG chart path"),
    seed: int = typer.Option(7, help="simulator seed"),
    quick: bool = typer.Option(False, help="fewer simulated users"),
    real_only: bool = typer.Option(False, help="only the leave-one-out section on real occupations"),
    loo_limit: int = typer.Option(0, help="leave-one-out on the first N real occupations only (0: all)"),
    draws: int = typer.Option(
        5,
        min=1,
        help="typed profiles per real occupation and share (the section takes as many times longer)",
    ),
) -> None:
    """Simulate users, evaluate every model + ensemble on a temporal hold-out, write a chart; then the
    leave-one-out evaluation on real occupations' skill sets (`real_profiles`)."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.corpora.career_world import simulate

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from engines.recommendation.chart import write_chart

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from engines.recommendation.evaluation import cold_start_hit_rate, evaluate_models

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from engines.recommendation.real_profiles import evaluate_real_profiles

    results: dict[str, Any] = {}
    with _progress() as progress:
        task = progress.add_task("loading catalog")
        if not real_only:
            index = _index()
            progress.update(task, description="simulating users")
            world = simulate(index, QUICK_EVAL_USERS if quick else EVAL_USERS, seed=seed)
            results = evaluate_models(
                index,
                world.profiles,
                world.interactions,
                seed=seed,
                progress=lambda m: progress.update(task, description=m),
            )
            progress.update(task, description="cold-start self-consistency check")
            # Circular by construction: profiles are drawn from the same skill profiles the model indexes.
            results["cold_start_self_consistency_top10"] = cold_start_hit_rate(index, sample=300, seed=seed)
            write_chart(results, out)
            results["chart"] = str(out)
        results["real_profiles"] = evaluate_real_profiles(
            seed=seed,
            limit=loo_limit or None,
            progress=lambda m: progress.update(task, description=m),
            draws=draws,
        )
    _emit(results, json_output)


def train(
    out: Path = typer.Option(Path("var/models/recs.pkl"), help="bundle path (written atomically)"),
    users: int = typer.Option(QUICK_USERS, help="simulated users to train on"),
    seed: int = typer.Option(7, help="simulator seed"),
    json_output: bool = typer.Option(False, "--json", help="print one JSON object"),
) -> None:
    """Train a recommendation bundle on simulated users and save it with a version id."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.bench.recs_timing import time_training

    with _progress() as progress:
        progress.add_task(f"training on {users} simulated users")
        engine, _world, sim_s, train_s = time_training(_index(), users, seed)
        version = engine.save(out)
    _emit(
        {
            "path": str(out),
            "version": version,
            "train_s": train_s,
            "simulate_s": sim_s,
            "weights": engine.ensemble.weights,
        },
        json_output,
    )


def bench_recs(
    json_output: bool = typer.Option(False, "--json", help="print one JSON object"),
    quick: bool = typer.Option(False, help=f"{QUICK_USERS} users instead of {FULL_USERS}"),
) -> None:
    """Training time for N users x all careers and single-user top-10 latency (engine side)."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.bench.recs_timing import time_recommend, time_training

    n = QUICK_USERS if quick else FULL_USERS
    with _progress() as progress:
        task = progress.add_task(f"training on {n} simulated users")
        engine, world, sim_s, train_s = time_training(_index(), n, seed=7)
        progress.update(task, description="timing recommend()")
        latency = time_recommend(engine, world, n_calls=500)
    _emit(
        {
            "users": n,
            "careers": engine.index.n_items,
            "interactions": len(world.interactions),
            "simulate_s": sim_s,
            "train_s": train_s,
            "recommend_latency": asdict(latency),
        },
        json_output,
    )


def _emit(obj: dict[str, Any], json_output: bool) -> None:
    if json_output:
        print(json.dumps(obj, default=float))
    else:
        Console().print_json(json.dumps(obj, default=float))
