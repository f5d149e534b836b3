"""`careerstream train`, `careerstream eval recs` and `careerstream bench recs` (registered in cli.py).

Heavy imports stay inside the functions so other commands start fast.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from kernel.config import get_settings


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
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    import time

    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
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
    out: Annotated[Path, typer.Option(help="PNG chart path (bench-results/ is not tracked)")] = Path(
        "bench-results/recs_eval.png"
    ),
    seed: Annotated[int, typer.Option(help="simulator seed")] = 7,
    quick: Annotated[bool, typer.Option(help="fewer simulated users")] = False,
    real_only: Annotated[bool, typer.Option(help="only the real-occupation leave-one-out section")] = False,
    loo_limit: Annotated[
        int, typer.Option(help="leave-one-out on the first N real occupations (0: all)")
    ] = 0,
    draws: Annotated[
        int,
        typer.Option(
            min=1,
            help="typed profiles per real occupation and share (the section takes as many times longer)",
        ),
    ] = 5,
) -> None:
    """Temporal-split evaluation of every model, the ensemble and baselines (PNG chart), and leave-one-out
    on the occupations with real ESCO skill relations (`real_profiles`)."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.cli.recs_eval import eval_recs as run

    run(
        json_output=json_output,
        out=out,
        seed=seed,
        quick=quick,
        real_only=real_only,
        loo_limit=loo_limit,
        draws=draws,
    )


def bench_recs(
    json_output: Annotated[bool, typer.Option("--json")] = False,
    quick: Annotated[bool, typer.Option("--quick", help="10k users for train_s, fewer requests")] = False,
) -> None:
    """Serving latency through the API, profile-change freshness through the worker, training time."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from careerstream.bench.recs import run_recs_bench

    result = run_recs_bench(get_settings(), quick=quick)
    typer.echo(json.dumps(result) if json_output else json.dumps(result, indent=2))


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip() for p in v.replace(",", ";").split(";") if p.strip())
    return out


def _engine(model: str):  # type: ignore[no-untyped-def]
    """The active trained model (as workers serve it) or, if none / asked, the cold-start model."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from streams.recs_models import active_version, cold_start_engine

    settings = get_settings()
    if model == "active":
        try:
            found = active_version(settings.database_url)
        except Exception:  # no database: the cold-start model is what a fresh deployment serves
            found = None
        if found is not None:
            # lazy: a command imports only what it runs (start-up of `careerstream --help`)
            from engines.recommendation.engine import RecommendationEngine

            return RecommendationEngine.load(Path(found[1]))
    return cold_start_engine(settings.recs_models_dir)


def recommend(
    skills: Annotated[list[str] | None, typer.Option(help='skills, "a; b; c" (repeatable)')] = None,
    interests: Annotated[list[str] | None, typer.Option(help='interests, "a; b" (repeatable)')] = None,
    education: Annotated[
        str | None, typer.Option(help="none|high_school|associate|bachelor|master|doctorate")
    ] = None,
    years: Annotated[float | None, typer.Option(help="years of experience")] = None,
    location: Annotated[str | None, typer.Option(help='e.g. "Austin, TX"')] = None,
    salary: Annotated[float | None, typer.Option(help="yearly salary expectation")] = None,
    currency: Annotated[str, typer.Option(help="currency of --salary")] = "USD",
    goals: Annotated[str | None, typer.Option(help="career goals text")] = None,
    k: Annotated[int, typer.Option("-k", "--k", help="how many careers")] = 10,
    profiles: Annotated[
        Path | None,
        typer.Option(help="JSON-lines file, one profile a line (fields of PUT /users/{id}/profile)"),
    ] = None,
    model: Annotated[str, typer.Option(help="active (trained, else cold start) | cold-start")] = "active",
    json_output: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """What a new user with this profile would get: the projection's own code path, no account needed."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from projections.recommendations import empty_features, profile_context, recommendation_items

    engine = _engine(model)

    def run(user_id: str, p: Mapping[str, Any]) -> dict[str, object]:
        row = empty_features(user_id)
        row["skills"]["profile"] = list(p.get("skills") or [])  # type: ignore[call-overload]
        row["interests"]["profile"] = list(p.get("interests") or [])  # type: ignore[call-overload]
        row["interests"]["context"] = profile_context(p)
        row["goals"] = p.get("career_goals")
        row["education"] = p.get("education_level")
        return {
            "user_id": user_id,
            "model_version": engine.version,
            "items": recommendation_items(engine, row, k),
        }

    if profiles is not None:
        with open(profiles, encoding="utf-8") as fh:
            for n, line in enumerate(fh):
                if line.strip():
                    typer.echo(json.dumps(run(f"profile-{n}", json.loads(line))))
        return
    profile = {
        "skills": _split(skills),
        "interests": _split(interests),
        "education_level": education,
        "years_experience": years,
        "location": location,
        "salary_expectation": salary,
        "salary_currency": currency,
        "career_goals": goals,
    }
    result = run("cli", profile)
    typer.echo(json.dumps(result) if json_output else json.dumps(result, indent=2))
