"""`careerstream bench recs`: serving latency through the API, profile-change freshness, training time.

Runs on the configured broker, or an embedded Tansu started for the run, with its own topic prefix and
database (dropped afterwards). Processes as in production: one worker running only the
`recommendations` projection and one API process (uvicorn), both real subprocesses.

- serve_ms_*: client-side latency of `GET /users/{id}/recommendations?k=10` (HTTP keep-alive, service
  token, no consistency token, courses attached) after one warm-up read per user (that first pass, with
  the API's course cache cold, is `serve_ms_first_read_*`); `serve_ms_trained_*` after the rollout.
- update_ms_*: `PUT /users/{id}/profile` sent -> the worker's new top-K for that event visible in Redis
  (polled every 2 ms), one update at a time (freshness, not throughput), with the trained ensemble;
  `update_ms_cold_start_*` with the content-only cold-start model before any training.
- train_s: training the ensemble on simulated users (100k, `--quick` 10k) x all careers; the bundle is
  then saved, activated, and `rollout_s` is the time until the running worker serves it.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psycopg
from redis import Redis

from api.auth import mint_token
from careerstream.bench.harness import percentiles, spawn, stop
from careerstream.bench.pipeline import _db_name, replace_settings
from careerstream.bench.recs_timing import time_training
from careerstream.corpora.career_world import simulate
from careerstream.local_broker import BrokerKind, broker_for_run, free_port, stop_run_broker, wait_for_port
from kernel.config import Settings
from projections.migrate import ensure_database, migrate
from streams.recs_models import build_index, register_version
from streams.topics import ensure_topics


def _seed_profiles(index: Any, n_users: int, seed: int) -> dict[str, list[str]]:
    """Skill lists (ESCO labels, as a user would type them) of simulated users."""

    world = simulate(index, n_users, seed=seed)
    out = {}
    for uid, p in world.profiles.items():
        labels = [index.skill_labels[index.skill_pos[s]][:100] for s in p.skills]
        out[f"bu-{uid}"] = labels[:60] or ["teamwork"]
    return out


def _wait_for_recs(redis: Redis, key: str, event_id: str, timeout_s: float = 30.0) -> float:
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        raw = redis.get(key)
        if raw is not None and json.loads(raw).get("event_id") == event_id:
            return time.perf_counter()
        time.sleep(0.002)
    raise TimeoutError(f"no recommendations for event {event_id} after {timeout_s}s")


def _updates(
    http: httpx.Client, redis: Redis, settings: Settings, profiles: dict[str, list[str]], n: int, seed: int
) -> tuple[list[float], str]:
    """n sequential profile updates; latency PUT sent -> new top-K in Redis. Returns (ms, model_version)."""
    rng = np.random.default_rng(seed)
    users = list(profiles)
    extra = ["project management", "data analysis", "customer service", "teamwork", "python"]
    latencies = []
    version = ""
    for i in range(n):
        user = users[int(rng.integers(len(users)))]
        skills = [*profiles[user][:40], extra[i % len(extra)]]
        t0 = time.perf_counter()
        r = http.put(f"/users/{user}/profile", json={"skills": skills, "interests": []})
        r.raise_for_status()
        t1 = _wait_for_recs(redis, f"{settings.redis_prefix}recs:{user}", r.json()["event_id"])
        latencies.append((t1 - t0) * 1000)
        version = json.loads(redis.get(f"{settings.redis_prefix}recs:{user}") or b"{}")["model_version"]
        time.sleep(0.02)
    return latencies, version


def _serve(http: httpx.Client, users: list[str], n: int, seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    latencies = []
    for _ in range(n):
        user = users[int(rng.integers(len(users)))]
        t0 = time.perf_counter()
        r = http.get(f"/users/{user}/recommendations", params={"k": 10})
        latencies.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"GET recommendations {user}: {r.status_code} {r.text[:200]}")
    return latencies


def run_recs_bench(base: Settings, quick: bool = False, broker_kind: BrokerKind = "kafka") -> dict[str, Any]:
    """Run the recommendation benchmarks; returns one flat JSON-able dict."""

    n_seed = 300 if quick else 1000
    n_serve = 1000 if quick else 5000
    n_update = 60 if quick else 200
    n_train = 10_000 if quick else 100_000
    run = uuid.uuid4().hex[:8]
    work = Path(f"/tmp/careerstream-bench-recs-{run}")
    work.mkdir(parents=True)
    bootstrap, broker = broker_for_run(base.kafka_bootstrap_servers, broker_kind)
    settings = replace_settings(base, bootstrap, run).model_copy(
        update={
            "worker_projections": "recommendations",
            "api_port": free_port(),
            "api_host": "127.0.0.1",
            "recs_model_poll_s": 10.0,
        }
    )
    ensure_database(settings.database_url)
    migrate(settings.database_url)
    ensure_topics(bootstrap, settings.topic_prefix)
    procs: list[subprocess.Popen[bytes]] = []
    result: dict[str, Any] = {"quick": quick}
    redis = Redis.from_url(settings.redis_url)
    try:
        procs.append(spawn(["worker"], settings, work / "worker.log"))
        procs.append(spawn(["api"], settings, work / "api.log"))
        wait_for_port(settings.api_host, settings.api_port, timeout_s=60)
        index = build_index()
        profiles = _seed_profiles(index, n_seed, seed=11)
        token = mint_token(settings.jwt_secret, "bench", "service", settings.jwt_issuer, 3600)
        with httpx.Client(
            base_url=f"http://{settings.api_host}:{settings.api_port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ) as http:
            # Seed: every user's profile through the API; wait for the last one's top-K.
            t0 = time.perf_counter()
            last: dict[str, str] = {}
            for user, skills in profiles.items():
                r = http.put(f"/users/{user}/profile", json={"skills": skills, "interests": []})
                r.raise_for_status()
                last[user] = r.json()["event_id"]
            for user, event_id in last.items():
                _wait_for_recs(redis, f"{settings.redis_prefix}recs:{user}", event_id, timeout_s=120)
            result["seed_users"] = len(profiles)
            result["seed_s"] = round(time.perf_counter() - t0, 2)

            # Warm-up: every user read once (connections, the API's per-skill course cache). The
            # first, cold-cache pass is reported too.
            cold_pass = []
            for user in profiles:
                t = time.perf_counter()
                http.get(f"/users/{user}/recommendations", params={"k": 10}).raise_for_status()
                cold_pass.append((time.perf_counter() - t) * 1000)
            result.update(percentiles(cold_pass, "serve_ms_first_read"))
            result.update(percentiles(_serve(http, list(profiles), n_serve, seed=2), "serve_ms"))
            result["serve_requests"] = n_serve
            cold, cold_version = _updates(http, redis, settings, profiles, n_update, seed=3)
            result.update(percentiles(cold, "update_ms_cold_start"))
            result["cold_start_model"] = cold_version

            # Training at scale, then a rollout to the running worker.
            engine, world, sim_s, train_s = time_training(index, n_train, seed=7)
            result.update(
                train_users=n_train,
                train_careers=index.n_items,
                train_interactions=len(world.interactions),
                simulate_s=round(sim_s, 2),
                train_s=round(train_s, 2),
                ensemble_weights={k: round(v, 3) for k, v in engine.ensemble.weights.items()},
            )
            del world
            # lazy: optional dependency, imported where its absence is handled
            from careerstream.recs_train import save_version

            version, path = save_version(engine, work / "models")
            del engine
            t_roll = time.perf_counter()
            register_version(settings.database_url, version, path, {"bench": True})
            user = next(iter(profiles))
            while True:
                r = http.put(f"/users/{user}/profile", json={"skills": profiles[user], "interests": []})
                key = f"{settings.redis_prefix}recs:{user}"
                _wait_for_recs(redis, key, r.json()["event_id"])
                if json.loads(redis.get(key) or b"{}")["model_version"] == version:
                    break
                if time.perf_counter() - t_roll > 120:
                    raise TimeoutError("the worker did not roll out the new version")
                time.sleep(0.05)
            result["rollout_s"] = round(time.perf_counter() - t_roll, 2)
            result["trained_model"] = version

            trained, _ = _updates(http, redis, settings, profiles, n_update, seed=4)
            result.update(percentiles(trained, "update_ms"))
            result["update_events"] = n_update
            serve_trained = _serve(http, list(profiles), n_serve, seed=5)
            result.update(percentiles(serve_trained, "serve_ms_trained"))
        result["targets_met"] = bool(result["serve_ms_p99"] < 10 and result["update_ms_p95"] < 1000)
    finally:
        stop(reversed(procs), timeout_s=20)
        redis.close()
        stop_run_broker(broker)
        clean = Redis.from_url(settings.redis_url)
        for key in clean.scan_iter(match=f"{settings.redis_prefix}*", count=1000):
            clean.delete(key)
        clean.close()
        with psycopg.connect(
            psycopg.conninfo.make_conninfo(settings.database_url, dbname="postgres"), autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{_db_name(run)}" WITH (FORCE)')
        # lazy: optional dependency, imported where its absence is handled
        import shutil

        shutil.rmtree(work / "models", ignore_errors=True)
    return result
