"""Seeded simulator of users and their career interactions, for training and evaluating models.

Generative story (all randomness from one numpy Generator seeded by `seed`):

1. Each career gets a popularity prior (log BLS employment when known, else the median, plus noise)
   and a hidden 8-dimensional "taste" vector; each user gets a taste vector too. Taste stands for
   everything a profile does not say (culture, location, pay expectations); only collaborative models
   can pick it up, from co-engagement.
2. A user "comes from" 1-2 careers and truly knows a random subset (`skill_keep`) of their skills
   plus a few random skills. The *observed* profile (what a resume parser would find) is a further
   subset (`observed_share`) of the true skills, so content models see a noisy picture.
3. Utility(user, career) = beta_fit * fit + beta_pop * popularity + beta_taste * taste + Gumbel noise,
   where fit = IDF-weighted share of the career's skill profile the user truly has. The user engages
   with the top-n careers by utility, at exponentially spaced times inside a 180-day window.
4. The kind of event depends on fit: good fits are saved / applied to / rated highly, poor fits are
   sometimes dismissed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from engines.recommendation.career_index import CareerIndex
from engines.recommendation.domain import Interaction, InteractionKind, UserProfile

DAY_MS = 86_400_000
START_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
EDUCATION = ("secondary", "vocational", "bachelor", "master", "doctorate")


@dataclass(frozen=True)
class SimulatorConfig:
    """Knobs of the generative story (see module docstring)."""

    skill_keep: float = 0.6
    observed_share: float = 0.7
    random_skills: int = 3
    mean_interactions: float = 12.0
    beta_fit: float = 8.0
    beta_pop: float = 0.6
    beta_taste: float = 1.2
    taste_dims: int = 8
    window_days: float = 180.0
    mean_gap_days: float = 4.0


@dataclass
class SimulatedWorld:
    """Generated profiles and interactions, plus the hidden truth (for diagnostics)."""

    profiles: dict[str, UserProfile]
    interactions: list[Interaction]
    origins: dict[str, tuple[int, ...]] = field(default_factory=dict)


def _popularity_prior(index: CareerIndex, rng: np.random.Generator) -> np.ndarray:
    emp = np.array([c.bls.employment if c.bls and c.bls.employment else np.nan for c in index.careers])
    logs = np.log1p(emp)
    fill = np.nanmedian(logs) if np.isfinite(logs).any() else 0.0
    logs = np.where(np.isfinite(logs), logs, fill)
    z = (logs - logs.mean()) / (logs.std() + 1e-9)
    return (0.5 * z + rng.normal(0, 1, len(z))).astype(np.float32)


def _career_requirements(index: CareerIndex) -> sp.csr_matrix:
    """Career x skill matrix of IDF-weighted profile weights, rows summing to 1."""
    m = index.skill_matrix.multiply(index.skill_idf[None, :]).tocsr()
    sums = np.asarray(m.sum(axis=1)).ravel()
    return sp.diags(1.0 / np.maximum(sums, 1e-9)) @ m


def simulate(
    index: CareerIndex, n_users: int, seed: int = 7, config: SimulatorConfig | None = None, batch: int = 2000
) -> SimulatedWorld:
    """Generate `n_users` users with profiles and time-stamped interactions over `index`'s careers."""
    cfg = config or SimulatorConfig()
    rng = np.random.default_rng(seed)
    n_items, n_skills = index.n_items, len(index.skill_ids)
    popularity = _popularity_prior(index, rng)
    item_taste = rng.normal(0, 1 / np.sqrt(cfg.taste_dims), (n_items, cfg.taste_dims)).astype(np.float32)
    requirements = _career_requirements(index)
    career_skills = [
        index.skill_matrix.indices[index.skill_matrix.indptr[i] : index.skill_matrix.indptr[i + 1]]
        for i in range(n_items)
    ]
    # Users come from popular careers more often (more people work in them).
    origin_p = np.exp(popularity) / np.exp(popularity).sum()
    world = SimulatedWorld({}, [])
    for start in range(0, n_users, batch):
        users = list(range(start, min(n_users, start + batch)))
        true_rows, true_cols = [], []
        observed: list[list[int]] = []
        for r, _u in enumerate(users):
            n_origin = 1 + int(rng.random() < 0.4)
            origins = tuple(int(o) for o in rng.choice(n_items, n_origin, replace=False, p=origin_p))
            pool = np.unique(np.concatenate([career_skills[o] for o in origins]))
            known = pool[rng.random(len(pool)) < cfg.skill_keep]
            known = np.unique(np.concatenate([known, rng.integers(0, n_skills, cfg.random_skills)]))
            true_rows += [r] * len(known)
            true_cols += known.tolist()
            seen = known[rng.random(len(known)) < cfg.observed_share]
            observed.append(seen.tolist())
            world.origins[f"u{users[r]}"] = origins
        true = sp.csr_matrix(
            (np.ones(len(true_rows), np.float32), (true_rows, true_cols)), shape=(len(users), n_skills)
        )
        fit = np.asarray((true @ requirements.T).todense(), dtype=np.float32)
        user_taste = rng.normal(0, 1, (len(users), cfg.taste_dims)).astype(np.float32)
        utility = (
            cfg.beta_fit * fit
            + cfg.beta_pop * popularity[None, :]
            + cfg.beta_taste * (user_taste @ item_taste.T)
            + rng.gumbel(0, 1, fit.shape)
        )
        for r, u in enumerate(users):
            uid = f"u{u}"
            world.profiles[uid] = _profile(uid, observed[r], world.origins[uid], index, rng)
            world.interactions.extend(_events(uid, utility[r], fit[r], index, cfg, rng))
    return world


def _profile(
    uid: str, skills: list[int], origins: tuple[int, ...], index: CareerIndex, rng: np.random.Generator
) -> UserProfile:
    labels = [index.careers[o].label for o in origins]
    interests = tuple(w for lab in labels for w in lab.split() if len(w) > 3)
    return UserProfile(
        user_id=uid,
        skills=tuple(index.skill_ids[j] for j in skills),
        interests=interests,
        career_goals=f"grow my career as a {labels[0]}" if rng.random() < 0.5 else "",
        education_level=str(rng.choice(EDUCATION)),
        years_experience=float(np.round(rng.gamma(2.0, 3.0), 1)),
        current_title=labels[0],
    )


def _events(
    uid: str,
    utility: np.ndarray,
    fit: np.ndarray,
    index: CareerIndex,
    cfg: SimulatorConfig,
    rng: np.random.Generator,
) -> Iterator[Interaction]:
    n = max(2, int(rng.poisson(cfg.mean_interactions)))
    chosen = np.argpartition(-utility, n)[:n]
    rng.shuffle(chosen)  # order of discovery is random, so the future looks like the past
    t = START_MS + int(rng.random() * cfg.window_days * 0.5 * DAY_MS)
    fit_scale = float(np.max(fit)) or 1.0
    for j in chosen:
        t += int(rng.exponential(cfg.mean_gap_days) * DAY_MS)
        cid = index.career_ids[int(j)]
        rel_fit = float(fit[j]) / fit_scale
        u = rng.random()
        if rel_fit < 0.15 and u < 0.5:
            yield Interaction(uid, cid, InteractionKind.DISMISSED, t)
            continue
        yield Interaction(uid, cid, InteractionKind.VIEWED, t)
        if u < 0.15 + 0.6 * rel_fit:
            t += int(rng.exponential(0.2) * DAY_MS)
            yield Interaction(uid, cid, InteractionKind.SAVED, t)
            if rng.random() < 0.4 * rel_fit:
                t += int(rng.exponential(1.0) * DAY_MS)
                yield Interaction(uid, cid, InteractionKind.APPLIED, t)
        if rng.random() < 0.1:
            rating = int(np.clip(np.round(1 + 4 * rel_fit + rng.normal(0, 0.7)), 1, 5))
            yield Interaction(uid, cid, InteractionKind.RATED, t + 1000, rating)
