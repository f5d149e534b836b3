"""Derived skill profiles for the whole catalogue, from the committed compact data only.

The build (`engines.reference_data.build`) and the leave-one-out evaluation
(`engines.recommendation.real_profiles`) both call `CatalogueDeriver`, so the catalogue a user is served
and the catalogue evaluated with one occupation's relations hidden come from the same code.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from engines.reference_data.catalog import DATA_DIR, Career, CareerSkill, Skill, load_careers, load_skills
from engines.reference_data.profile_data import (
    RealRelations,
    load_onet_tools,
    load_real_relations,
    load_skill_definitions,
)
from engines.reference_data.skill_profiles import (
    DERIVED_SIZE,
    OccupationText,
    SkillText,
    SupervisedDeriver,
    build_candidates,
)

REAL_SOURCE = "esco"
DERIVED_SOURCE = "derived"


@dataclass
class CatalogueDeriver:
    """Candidate features over the catalogue plus the real relations; derives profiles on demand."""

    careers: list[Career]
    skills: list[Skill]
    real: dict[int, set[int]]  # career index -> real skill indices
    deriver: SupervisedDeriver

    @classmethod
    def build(
        cls,
        careers: Sequence[Career],
        skills: Sequence[Skill],
        definitions: dict[str, str],
        onet_tools: Mapping[str, Sequence[tuple[str, str, int]]],
        relations: Sequence[RealRelations],
    ) -> CatalogueDeriver:
        """Compute the relation-free candidate features once."""
        careers, skills = list(careers), list(skills)
        skill_pos = {s.id: j for j, s in enumerate(skills)}
        career_pos = {c.id: i for i, c in enumerate(careers)}
        real = {
            career_pos[r.id]: {skill_pos[s] for s in r.skills if s in skill_pos}
            for r in relations
            if r.id in career_pos
        }
        occs = [
            OccupationText(c.id, c.label, c.alt_titles, c.description, c.bls.soc if c.bls else None)
            for c in careers
        ]
        texts = [
            SkillText(s.id, s.label, s.alt_labels, definitions.get(s.id, ""), s.type, s.ict) for s in skills
        ]
        cf = build_candidates(occs, texts, real, onet_tools)
        return cls(careers, skills, real, SupervisedDeriver(cf))

    @classmethod
    def from_data_dir(cls, data_dir: Path = DATA_DIR) -> CatalogueDeriver:
        """From the committed catalog files (careers' own profiles are ignored)."""

        return cls.build(
            load_careers(data_dir),
            load_skills(data_dir),
            load_skill_definitions(data_dir),
            load_onet_tools(data_dir),
            load_real_relations(data_dir),
        )

    def derived(
        self,
        hidden: Collection[int] = frozenset(),
        size: int = DERIVED_SIZE,
    ) -> dict[int, list[tuple[int, float]]]:
        """Derived (skill index, P(relation)) profiles of every career, with `hidden` careers' real
        relations unseen by every learned part."""
        probs = self.deriver.probabilities(set(hidden))
        return self.deriver.profiles(probs, size=size)

    def catalogue(
        self,
        hidden: Collection[int] = frozenset(),
        size: int = DERIVED_SIZE,
    ) -> list[Career]:
        """The catalogue as served: real relations where known (and not hidden), derived otherwise."""
        derived = self.derived(hidden, size)
        out = []
        for i, c in enumerate(self.careers):
            if i in self.real and i not in hidden:
                skills = tuple(
                    CareerSkill(self.skills[j].id, self.skills[j].label, 1.0)
                    for j in sorted(self.real[i], key=lambda j: self.skills[j].label)
                )
                source = REAL_SOURCE
            else:
                skills = tuple(
                    CareerSkill(self.skills[j].id, self.skills[j].label, round(w, 3)) for j, w in derived[i]
                )
                source = DERIVED_SOURCE
            out.append(
                Career(c.id, c.label, c.description, c.alt_titles, skills, c.bls, profile_source=source)
            )
        return out


def precision_recall(
    derived: dict[int, list[tuple[int, float]]], real: dict[int, set[int]]
) -> tuple[float, float]:
    """Micro precision / recall of derived vs real skill sets over the occupations in `real`."""
    hits = sum(len({j for j, _ in derived[i]} & r) for i, r in real.items())
    n_d = sum(len(derived[i]) for i in real)
    n_r = sum(len(r) for r in real.values())
    return hits / max(n_d, 1), hits / max(n_r, 1)


def leave_one_out_profiles(
    cd: CatalogueDeriver, size: int = DERIVED_SIZE
) -> dict[int, list[tuple[int, float]]]:
    """Each real-relation career's profile derived with its own relations hidden."""
    out = {}
    for i in sorted(cd.real):
        probs = cd.deriver.probabilities({i}, only=[i])
        out[i] = cd.deriver.profiles(probs, [i], size)[i]
    return out


def best_sibling_copy(real: dict[int, set[int]], held: Collection[int]) -> tuple[float, float]:
    """Micro precision / recall over the `held` occupations if each one's profile were the whole real
    profile of the *other* real-relation occupation whose relations match it best (F1 of the two sets),
    chosen by looking at the answer. An oracle for the simplest use of neighbours, copying one: not an
    upper bound (votes of several neighbours, cut to 20 skills, may do better)."""
    hits = n_d = n_r = 0
    for i in held:
        r = real[i]
        others = [k for k in real if k != i]
        if not others:
            continue
        k = max(others, key=lambda k: (2 * len(r & real[k]) / (len(r) + len(real[k])), -k))
        hits += len(r & real[k])
        n_d += len(real[k])
        n_r += len(r)
    return hits / max(n_d, 1), hits / max(n_r, 1)


def candidate_recall(cd: CatalogueDeriver, held: Collection[int], text_only: bool = False) -> float:
    """Share of the held-out occupations' real relations that are among their candidate skills at all
    (each with its own relations hidden): no ranking of the candidates can recall more. With `text_only`,
    among the candidates the occupation's own text, title and O*NET tools propose."""
    hits = total = 0
    for i in held:
        candidates = cd.deriver.candidates(i, hidden={i}, text_only=text_only)
        hits += len(candidates & cd.real[i])
        total += len(cd.real[i])
    return hits / max(total, 1)
