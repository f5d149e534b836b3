"""`careerstream train`, `careerstream eval recs` and `careerstream bench recs` (registered in cli.py).

Heavy imports stay inside the functions so other commands start fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from careerstream.config import get_settings


def train(
    source: Annotated[
        str, typer.Option(help="log | simulator | auto (log if it has enough interactions)")
    ] = "auto",
    users: Annotated[int, typer.Option(help="simulated users when training on the simulator")] = 10_000,
    seed: Annotated[int, typer.Option(help="random seed (simulator, models)")] = 7,
    epochs: Annotated[int, typer.Option(help="LightFM epochs")] = 15,
    no_activate: Annotated[bool, typer.Option("--no-activate", help="register without rolling out")] = False,
    every: Annotated[float, typer.Option(help="retrain every N seconds (0 = once)")] = 0.0,
    json_output: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Retrain the recommender from the event log, save a new version and roll it out to workers."""
    import time

    from careerstream.recs_train import train_and_register

    if source not in ("auto", "log", "simulator"):
        raise typer.BadParameter("source must be log, simulator or auto")
    settings = get_settings()
    while True:
        result = train_and_register(
            settings,
            source=source,
            sim_users=users,
            seed=seed,
            lightfm_epochs=epochs,
            activate=not no_activate,
            say=lambda m: typer.echo(m, err=True),
        )
        typer.echo(json.dumps(result) if json_output else json.dumps(result, indent=2))
        if every <= 0:
            return
        time.sleep(every)


def eval_recs(
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    out: Annotated[Path, typer.Option(help="PNG chart path")] = Path("docs/img/recs_eval.png"),
    seed: Annotated[int, typer.Option(help="simulator seed")] = 7,
    quick: Annotated[bool, typer.Option(help="fewer simulated users")] = False,
) -> None:
    """Temporal-split evaluation of every model, the ensemble and baselines; writes a PNG chart."""
    from engines.recommendation.cli import eval_recs as run

    run(json_output=json_output, out=out, seed=seed, quick=quick)


def bench_recs(
    json_output: Annotated[bool, typer.Option("--json")] = False,
    quick: Annotated[bool, typer.Option("--quick", help="10k users for train_s, fewer requests")] = False,
) -> None:
    """Serving latency through the API, profile-change freshness through the worker, training time."""
    from careerstream.bench_recs import run_recs_bench

    result = run_recs_bench(get_settings(), quick=quick)
    typer.echo(json.dumps(result) if json_output else json.dumps(result, indent=2))
