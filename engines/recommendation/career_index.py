"""Numeric view of the career catalog shared by all models: ids, skill vocabulary, skill matrix."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from engines.reference_data.catalog import Career
from engines.reference_data.esco_text import unique_label_prefixes


@dataclass
class CareerIndex:
    """Careers as rows, skills as columns.

    `skill_matrix` holds profile weights; `skill_idf` down-weights skills that many careers share, so
    overlap on a distinctive skill counts more than overlap on "use ICT systems"."""

    careers: list[Career]
    career_ids: list[str]
    career_pos: dict[str, int]
    skill_ids: list[str]
    skill_pos: dict[str, int]
    skill_labels: list[str]
    skill_matrix: sp.csr_matrix
    skill_idf: np.ndarray
    label_to_skill: dict[str, int] = field(default_factory=dict)
    label_prefix_to_skill: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(
        cls, careers: Sequence[Career], extra_skill_names: Iterable[tuple[str, str, Sequence[str]]] = ()
    ) -> CareerIndex:
        """Index careers; `extra_skill_names` (id, label, alt labels) lets free-text skills resolve to ids."""
        careers = list(careers)
        skill_pos: dict[str, int] = {}
        labels: list[str] = []
        rows, cols, vals = [], [], []
        for i, c in enumerate(careers):
            for s in c.skills:
                j = skill_pos.setdefault(s.id, len(skill_pos))
                if j == len(labels):
                    labels.append(s.label)
                rows.append(i)
                cols.append(j)
                vals.append(s.weight)
        m = sp.csr_matrix((vals, (rows, cols)), shape=(len(careers), len(skill_pos)), dtype=np.float32)
        df = np.asarray((m > 0).sum(axis=0)).ravel()
        idf = np.log((1 + len(careers)) / (1 + df)) + 1.0
        label_to_skill = {lab.lower(): j for j, lab in enumerate(labels)}
        # Prefixes are unique among *all* named skills, indexed or not, and never shadow any skill's name.
        preferred = [(lab, sid) for sid, lab in zip(skill_pos, labels, strict=True)]
        names = set(label_to_skill)
        for sid, label, alts in extra_skill_names:
            preferred.append((label, sid))
            names.update(n.lower() for n in (label, *alts))
            j2 = skill_pos.get(sid)
            if j2 is None:
                continue
            for name in (label, *alts):
                label_to_skill.setdefault(name.lower(), j2)
        prefixes = unique_label_prefixes(preferred, names)
        return cls(
            careers=careers,
            career_ids=[c.id for c in careers],
            career_pos={c.id: i for i, c in enumerate(careers)},
            skill_ids=list(skill_pos),
            skill_pos=skill_pos,
            skill_labels=labels,
            skill_matrix=m,
            skill_idf=idf.astype(np.float32),
            label_to_skill=label_to_skill,
            label_prefix_to_skill={p: skill_pos[sid] for p, sid in prefixes.items() if sid in skill_pos},
        )

    @property
    def n_items(self) -> int:
        """Number of careers."""
        return len(self.careers)

    def resolve_skills(self, skills: Iterable[str]) -> tuple[list[int], list[str]]:
        """Map skill URIs / names to skill columns; return (columns, unresolved free-text names)."""
        cols: list[int] = []
        unresolved: list[str] = []
        # Indexes pickled before the prefixes existed have no such attribute.
        prefixes: dict[str, int] = self.__dict__.get("label_prefix_to_skill", {})
        for s in skills:
            j = self.skill_pos.get(s)
            if j is None:
                j = self.label_to_skill.get(s.lower())
            if j is None:
                j = prefixes.get(" ".join(s.lower().split()))
            if j is None:
                unresolved.append(s)
            elif j not in cols:
                cols.append(j)
        return cols, unresolved

    def normalised_skill_vectors(self) -> sp.csr_matrix:
        """IDF-weighted, L2-normalised career skill vectors (for cosine similarity)."""
        return normalize(self.skill_matrix.multiply(self.skill_idf[None, :]).tocsr())
