"""Derives occupation → skill profiles, and scores them against real ESCO relations.

ESCO's occupations.csv carries no occupation-skill relations; 46 ICT occupations come with real ones.
Two derivations live here:

- `derive_profiles`: the unsupervised baseline (TF-IDF cosine of occupation text vs skill text plus a
  bonus for skills named in the occupation text; top 20 by score).
- `SupervisedDeriver`: candidate skills per occupation (text cosine, title vs skill label, O*NET
  technology examples of the occupation's SOC match, skills of its nearest real-relation occupations)
  described by relation-free features plus neighbour evidence, and a gradient-boosted classifier
  trained on the real-relation occupations that maps those features to P(real relation). Every call
  takes the set of occupations whose relations are hidden, so leave-one-out can hide the held-out
  occupation from the neighbour evidence *and* from the classifier's training rows.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

PROFILE_SIZE = 20
MENTION_BONUS = 0.15
CHUNK = 256


@dataclass
class TextItem:
    """Anything with an id and a bag of text to match on."""

    id: str
    label: str
    text: str


@dataclass
class DerivedProfile:
    """Top skills for one occupation: (skill index, weight in (0, 1]) sorted by weight desc."""

    skills: list[tuple[int, float]]


def _mention_pattern(label: str) -> re.Pattern[str] | None:
    # Only multi-word labels: single words ("design") would match almost every definition.
    if len(label.split()) < 2:
        return None
    return re.compile(r"\b" + re.escape(label.lower()) + r"\b")


def derive_profiles(
    occupations: Sequence[TextItem],
    skills: Sequence[TextItem],
    size: int = PROFILE_SIZE,
    mention_bonus: float = MENTION_BONUS,
) -> list[DerivedProfile]:
    """Rank skills for every occupation by TF-IDF cosine + literal-mention bonus; keep the top `size`.

    Weights are scores divided by the occupation's best score, so the top skill has weight 1."""
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=2)
    vec.fit([s.text for s in skills] + [o.text for o in occupations])
    skill_m = vec.transform([s.text for s in skills])
    occ_m = vec.transform([o.text for o in occupations])
    patterns = [(j, s.label.lower(), _mention_pattern(s.label)) for j, s in enumerate(skills)]
    checks = [(j, low, p) for j, low, p in patterns if p is not None]
    profiles: list[DerivedProfile] = []
    for start in range(0, len(occupations), CHUNK):
        sims = (occ_m[start : start + CHUNK] @ skill_m.T).toarray()
        for r in range(sims.shape[0]):
            text = occupations[start + r].text.lower()
            row = sims[r]
            for j, low, pat in checks:
                # Cheap substring test first; the regex only confirms word boundaries.
                if low in text and pat.search(text):
                    row[j] += mention_bonus
            top = np.argsort(-row)[:size]
            best = float(row[top[0]]) if len(top) and row[top[0]] > 0 else 1.0
            profiles.append(
                DerivedProfile([(int(j), round(float(row[j]) / best, 4)) for j in top if row[j] > 0])
            )
    return profiles


@dataclass
class ProfileEvaluation:
    """Derived vs. real occupation-skill relations (micro-averaged over occupations)."""

    n_occupations: int
    profile_size: int
    precision: float
    recall: float
    mean_real_skills: float


def evaluate_profiles(derived: Sequence[set[int]], real: Sequence[set[int]], size: int) -> ProfileEvaluation:
    """Precision = share of derived skills that are real; recall = share of real skills derived."""
    hits = sum(len(d & r) for d, r in zip(derived, real, strict=True))
    n_derived = sum(len(d) for d in derived)
    n_real = sum(len(r) for r in real)
    return ProfileEvaluation(
        n_occupations=len(real),
        profile_size=size,
        precision=hits / max(n_derived, 1),
        recall=hits / max(n_real, 1),
        mean_real_skills=n_real / max(len(real), 1),
    )


# ------------------------------------------------------------------------------------------------------
# Supervised derivation
# ------------------------------------------------------------------------------------------------------

TEXT_CANDIDATES = 120  # top skills by occupation-text cosine
TITLE_CANDIDATES = 30  # top skills by title-vs-skill-label cosine
ONET_CANDIDATES = 30  # top skills by O*NET-tools-vs-skill-text cosine
NEIGHBOURS = 8  # nearest real-relation occupations used as evidence (and as candidate sources)
DERIVED_SIZE = 20  # skills kept per derived profile
STATIC_FEATURES = (
    "text_cos",
    "text_rank",
    "title_cos",
    "label_in_title",
    "onet_cos",
    "mention",
    "knowledge",
    "ict",
)
NEIGHBOUR_FEATURES = ("nb_sum", "nb_max", "nb_count", "closeness")
FEATURES = STATIC_FEATURES + NEIGHBOUR_FEATURES


@dataclass
class OccupationText:
    """What the derivation knows about an occupation (never its skill relations)."""

    id: str
    label: str
    alt_titles: Sequence[str]
    description: str
    soc: str | None = None


@dataclass
class SkillText:
    """What the derivation knows about a skill."""

    id: str
    label: str
    alt_labels: Sequence[str]
    definition: str
    type: str
    ict: bool


@dataclass
class CandidateFeatures:
    """Relation-free features of (occupation, candidate skill) pairs, sorted by occupation."""

    occ: np.ndarray  # pair -> occupation index
    skill: np.ndarray  # pair -> skill index
    static: np.ndarray  # pair x STATIC_FEATURES
    from_text: np.ndarray  # pair -> a text/title/O*NET candidate (else only a neighbour's relation)
    occ_sim: np.ndarray  # occupation x real occupation: text cosine (0 on the diagonal)
    real_occ: list[int]  # real column -> occupation index
    relations: np.ndarray  # real column x skill: bool (the real relations)
    starts: np.ndarray  # occupation -> first pair index


def _occ_doc(o: OccupationText) -> str:
    return " ".join([o.label, *o.alt_titles, o.description])


def _skill_doc(s: SkillText) -> str:
    return " ".join([s.label, *s.alt_labels, s.definition])


def _top(row: np.ndarray, n: int) -> np.ndarray:
    n = min(n, row.shape[0])
    idx = np.argpartition(-row, n - 1)[:n]
    return idx[row[idx] > 0]


def build_candidates(
    occupations: Sequence[OccupationText],
    skills: Sequence[SkillText],
    real: dict[int, set[int]],
    onet_tools: Mapping[str, Sequence[tuple[str, str, int]]] | None = None,
) -> CandidateFeatures:
    """Candidate pairs and their relation-free features.

    `real` (occupation index -> real skill indices) is used only to add the skills of each occupation's
    nearest real-relation occupations (never its own) as candidates; features that depend on relations
    are computed per call of `neighbour_features`, where held-out occupations are hidden."""
    onet_tools = onet_tools or {}
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=2)
    vec.fit([_skill_doc(s) for s in skills] + [_occ_doc(o) for o in occupations])
    skill_m = vec.transform([_skill_doc(s) for s in skills]).tocsr()
    skill_lab = normalize(vec.transform([" ".join([s.label, *s.alt_labels]) for s in skills])).tocsr()
    skill_t = skill_m.T.tocsr()
    skill_lab_t = skill_lab.T.tocsr()
    occ_m = vec.transform([_occ_doc(o) for o in occupations]).tocsr()
    title_m = normalize(vec.transform([" ".join([o.label, *o.alt_titles]) for o in occupations])).tocsr()
    onet_docs = [
        " ".join(f"{ex} {com}" for ex, com, _ in onet_tools.get(o.soc or "", ())) for o in occupations
    ]
    onet_m = normalize(vec.transform(onet_docs)).tocsr()
    real_occ = sorted(real)
    occ_sim = (occ_m @ occ_m[real_occ].T).toarray().astype(np.float32)
    for col, i in enumerate(real_occ):
        occ_sim[i, col] = 0.0
    relations = np.zeros((len(real_occ), len(skills)), bool)
    for col, i in enumerate(real_occ):
        relations[col, sorted(real[i])] = True
    knowledge = np.array([s.type == "knowledge" for s in skills], np.float32)
    ict = np.array([s.ict for s in skills], np.float32)
    names = [[n.lower() for n in (s.label, *s.alt_labels) if len(n) > 3] for s in skills]
    label_words = [[w for w in s.label.lower().split() if len(w) > 3] for s in skills]

    occ_l: list[np.ndarray] = []
    skill_l: list[np.ndarray] = []
    feat_l: list[np.ndarray] = []
    text_l: list[np.ndarray] = []
    for start in range(0, len(occupations), CHUNK):
        stop = min(start + CHUNK, len(occupations))
        text = (occ_m[start:stop] @ skill_t).toarray()
        title = (title_m[start:stop] @ skill_lab_t).toarray()
        onet = (onet_m[start:stop] @ skill_t).toarray()
        for r in range(stop - start):
            i = start + r
            cand = set(_top(text[r], TEXT_CANDIDATES).tolist())
            cand.update(_top(title[r], TITLE_CANDIDATES).tolist())
            cand.update(_top(onet[r], ONET_CANDIDATES).tolist())
            from_text_set = set(cand)
            if real_occ:
                top_nb = np.argsort(-occ_sim[i])[:NEIGHBOURS]
                cand.update(np.flatnonzero(relations[top_nb].any(axis=0)).tolist())
            js = np.array(sorted(cand), dtype=np.int64)
            text_l.append(np.array([j in from_text_set for j in js.tolist()], bool))
            rank = (text[r][None, :] > text[r, js][:, None]).sum(axis=1)
            otext = _occ_doc(occupations[i]).lower()
            otitle = " ".join([occupations[i].label, *occupations[i].alt_titles]).lower()
            mention = [any(n in otext for n in names[j]) for j in js]
            in_title = [any(w in otitle for w in label_words[j]) for j in js]
            feats = np.column_stack(
                [
                    text[r, js],
                    np.log1p(rank),
                    title[r, js],
                    in_title,
                    onet[r, js],
                    mention,
                    knowledge[js],
                    ict[js],
                ]
            ).astype(np.float32)
            occ_l.append(np.full(js.shape[0], i, np.int32))
            skill_l.append(js.astype(np.int32))
            feat_l.append(feats)
    occ_a = np.concatenate(occ_l)
    return CandidateFeatures(
        occ=occ_a,
        skill=np.concatenate(skill_l),
        static=np.concatenate(feat_l),
        from_text=np.concatenate(text_l),
        occ_sim=occ_sim,
        real_occ=real_occ,
        relations=relations,
        starts=np.searchsorted(occ_a, np.arange(len(occupations) + 1)),
    )


def neighbour_features(cf: CandidateFeatures, hidden: set[int], rows: np.ndarray | None = None) -> np.ndarray:
    """Per pair (or per pair in `rows`): evidence from the nearest real-relation occupations, hiding the
    relations of the occupations in `hidden` (and, always, an occupation's own relations)."""
    sims = cf.occ_sim.copy()
    for col, i in enumerate(cf.real_occ):
        if i in hidden:
            sims[:, col] = 0.0
    occ = cf.occ if rows is None else cf.occ[rows]
    skill = cf.skill if rows is None else cf.skill[rows]
    k = min(NEIGHBOURS, sims.shape[1])
    out = np.zeros((occ.shape[0], len(NEIGHBOUR_FEATURES)), np.float32)
    if k == 0:
        return out
    nbr = np.argsort(-sims, axis=1)[:, :k]
    sw = np.take_along_axis(sims, nbr, axis=1)
    step = 200_000
    for a in range(0, occ.shape[0], step):
        o = occ[a : a + step]
        s = skill[a : a + step]
        # A neighbour with no similarity is no neighbour: where fewer than k occupations are similar at
        # all, argsort would otherwise fill the k slots with zero-similarity columns, hidden ones among
        # them, and count their relations.
        has = cf.relations[nbr[o], s[:, None]] & (sw[o] > 0)  # pairs x k
        w = sw[o] * has
        out[a : a + step, 0] = w.sum(axis=1)
        out[a : a + step, 1] = w.max(axis=1)
        out[a : a + step, 2] = has.sum(axis=1)
        out[a : a + step, 3] = sw[o, 0]
    return out


def _rounded(features: np.ndarray) -> np.ndarray:
    """Features to 4 decimals. The trees bin each feature at its distinct values, so a difference in the
    last bit of a cosine (numpy's SIMD sums differ between CPUs) moved bins and changed most derived
    profiles: the catalogue rebuilt on an AMD machine shared all 20 skills with the one built on another
    machine for only 53 of 3,039 careers. Rounded, a relative change of 1e-9 in every feature leaves every
    profile as it was (measured on the whole catalogue)."""
    return np.round(features, 4)


def _proposed(cf: CandidateFeatures, rows: np.ndarray, nb: np.ndarray) -> np.ndarray:
    """Which candidate pairs exist in a call, given their neighbour features `nb`: those the occupation's
    text proposes, and those only a neighbour's relations propose while a visible neighbour still has
    them (a hidden occupation's relations never even propose skills)."""
    return cf.from_text[rows] | (nb[:, 2] > 0)


class SupervisedDeriver:
    """Learns P(real relation | features) on the real-relation occupations that are not hidden."""

    def __init__(self, cf: CandidateFeatures, seed: int = 0) -> None:
        self.cf = cf
        self.seed = seed

    def probabilities(
        self,
        hidden: Collection[int] = frozenset(),
        only: Sequence[int] | None = None,
    ) -> np.ndarray:
        """P(relation) for every candidate pair (0 outside `only` occupations when given), with the
        relations of `hidden` occupations unseen by both the neighbour evidence and the classifier."""
        cf = self.cf
        hidden = set(hidden)
        train_cols = [col for col, i in enumerate(cf.real_occ) if i not in hidden]
        rows = np.concatenate(
            [np.arange(cf.starts[cf.real_occ[c]], cf.starts[cf.real_occ[c] + 1]) for c in train_cols]
        )
        col_of = {i: c for c, i in enumerate(cf.real_occ)}
        y = cf.relations[[col_of[int(o)] for o in cf.occ[rows]], cf.skill[rows]]

        sel = (
            np.arange(cf.occ.shape[0])
            if only is None
            else np.concatenate([np.arange(cf.starts[i], cf.starts[i + 1]) for i in only])
        )
        model = self.make_model()
        # One thread: on a busy machine OpenMP's thread team made each refit ten times slower.
        with threadpool_limits(1):
            nb_rows = neighbour_features(cf, hidden, rows)
            keep = _proposed(cf, rows, nb_rows)
            model.fit(_rounded(np.hstack([cf.static[rows], nb_rows])[keep]), y[keep])
            nb_sel = neighbour_features(cf, hidden, sel)
            p_sel = model.predict_proba(_rounded(np.hstack([cf.static[sel], nb_sel])))[:, 1]
            p_sel[~_proposed(cf, sel, nb_sel)] = 0.0
        out = np.zeros(cf.occ.shape[0], np.float32)
        out[sel] = p_sel
        return out

    def candidates(self, occupation: int, hidden: Collection[int], text_only: bool = False) -> set[int]:
        """The candidate skills of one occupation while `hidden` occupations' relations are unseen (only
        those proposed by its own text, title and O*NET tools when `text_only`)."""
        cf = self.cf
        rows = np.arange(cf.starts[occupation], cf.starts[occupation + 1])
        keep = (
            cf.from_text[rows]
            if text_only
            else _proposed(cf, rows, neighbour_features(cf, set(hidden), rows))
        )
        return set(cf.skill[rows][keep].tolist())

    def make_model(self) -> Any:
        """The classifier: small gradient-boosted trees (beat logistic regression with pairwise
        products in leave-one-out: precision/recall 0.32 vs 0.30 at 20 skills)."""

        return HistGradientBoostingClassifier(
            max_depth=3, max_iter=100, learning_rate=0.1, l2_regularization=1.0, random_state=self.seed
        )

    def profiles(
        self, probs: np.ndarray, occupations: Sequence[int] | None = None, size: int = DERIVED_SIZE
    ) -> dict[int, list[tuple[int, float]]]:
        """Top `size` (skill index, probability) per occupation."""
        cf = self.cf
        idx = range(len(cf.starts) - 1) if occupations is None else occupations
        out: dict[int, list[tuple[int, float]]] = {}
        for i in idx:
            a, b = int(cf.starts[i]), int(cf.starts[i + 1])
            p = probs[a:b]
            order = np.argsort(-p, kind="stable")[:size]
            out[int(i)] = [(int(cf.skill[a + j]), round(float(p[j]), 4)) for j in order]
        return out
