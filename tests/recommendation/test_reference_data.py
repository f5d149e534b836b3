"""Reference catalogs: ESCO text splitting heuristics, BLS title matching and the committed files."""

from __future__ import annotations

import gzip
import json

from engines.reference_data.bls_match import SocOccupation, match_titles
from engines.reference_data.catalog import CAREERS_FILE, DATA_DIR, SKILLS_FILE, load_careers, load_skills
from engines.reference_data.esco_text import LabelSplitter, clean_alt_labels, split_occupation
from engines.reference_data.skill_profiles import TextItem, derive_profiles, evaluate_profiles

CORPUS = [
    "manage staff manage employees direct staff Assign tasks to staff and monitor them.",
    "assess water quality assessing water quality check water quality The quality of water is measured.",
    "operate forklift drive forklift use forklift Operate a forklift to move goods.",
    "manage budgets control budgets plan budgets Plan, monitor and report on the budget.",
]


def test_label_splitter_recovers_label_alts_and_definition() -> None:
    splitter = LabelSplitter.fit(CORPUS)
    label, alts, definition = splitter.split(CORPUS[1])
    assert label == "assess water quality"
    assert "check water quality" in alts
    assert definition == "The quality of water is measured."


def test_occupation_label_comes_from_definition_opening() -> None:
    text = (
        "software developer software engineer programmer app developer Software developers implement "
        "or program all kinds of software systems."
    )
    label, alts, definition = split_occupation(text, LabelSplitter.fit([text]))
    assert label == "software developer"
    assert definition.startswith("Software developers implement")
    assert "software engineer" in alts


def test_occupation_definition_starts_at_its_first_sentence() -> None:
    # The label comes back at the start of a later sentence; the definition still starts at the first.
    text = (
        "boom operator shotgun operator Boom operators set up and operate the boom microphone. They make "
        "sure that every microphone is correctly stationed. Boom operators are also responsible for the "
        "microphones on the actors clothing."
    )
    label, alts, definition = split_occupation(text, LabelSplitter.fit([text]))
    assert label == "boom operator"
    assert definition.startswith("Boom operators set up and operate")
    assert alts == ["shotgun operator"]


def test_occupation_label_is_matched_in_the_plural_across_slashes() -> None:
    # "concierges" is the plural of "concierge" (not of "concierg"); each side of a slash pluralises.
    for text, label in [
        (
            "hotel concierge concierge guest services manager Hotel concierges provide information to "
            "customers and assist guests.",
            "hotel concierge",
        ),
        (
            "ground steward/ground stewardess ground attendant Ground stewards/ground stewardesses assist "
            "rail passengers before they board.",
            "ground steward/ground stewardess",
        ),
        # "and" in the definition for the label's slash; a slash part the definition leaves out.
        (
            "ship steward/ship stewardess ferry steward Ship stewards and ship stewardesses work on board "
            "the vessel to provide services.",
            "ship steward/ship stewardess",
        ),
        (
            "head waiter/head waitress maitre d' Head waiters/waitresses coordinate all actions involving "
            "customers.",
            "head waiter",
        ),
        # A comma in the label.
        (
            "computers, computer peripheral equipment and software distribution manager Computers, computer "
            "peripheral equipment and software distribution managers plan the distribution of goods.",
            "computers, computer peripheral equipment and software distribution manager",
        ),
    ]:
        assert split_occupation(text, LabelSplitter.fit([text]))[0] == label


def test_clean_alt_labels_dedupes_and_drops_long_and_self() -> None:
    alts = clean_alt_labels("use SQL", ["Use SQL", "write SQL", "write  sql", "x", " ".join(["w"] * 9)])
    assert alts == ["write SQL"]


def test_bls_title_matching_prefers_same_job() -> None:
    socs = [
        SocOccupation("151252", "Software Developers", 135980.0, 1.6e6),
        SocOccupation("292061", "Licensed Practical and Licensed Vocational Nurses", 62000.0, 6e5),
    ]
    matches = match_titles([["software developer", "programmer"], ["licensed practical nurse"]], socs)
    assert [m.soc.soc for m in matches] == ["151252", "292061"]
    assert matches[0].confidence > 0.6


def test_derived_profiles_rank_mentioned_skills_first() -> None:
    skills = [
        TextItem("s1", "operate forklift", "operate forklift move goods with a forklift truck"),
        TextItem("s2", "bake bread", "bake bread dough oven"),
        TextItem("s3", "drive truck", "drive truck lorry road"),
    ]
    occ = [
        TextItem(
            "o1",
            "forklift operator",
            "forklift operator Forklift operators operate forklift trucks to move goods in warehouses.",
        )
    ]
    profile = derive_profiles(occ, skills, size=2)[0]
    assert profile.skills[0] == (0, 1.0)
    ev = evaluate_profiles([{0, 2}], [{0, 1}], 2)
    assert (ev.precision, ev.recall) == (0.5, 0.5)


def test_committed_catalogs_load_and_carry_attribution() -> None:
    for name in (SKILLS_FILE, CAREERS_FILE):
        with gzip.open(DATA_DIR / name, "rt", encoding="utf-8") as fh:
            assert "ESCO, © European Union" in json.loads(fh.readline())["_attribution"]
    skills = load_skills()
    assert len(skills) > 13000 and all(s.label and s.type in {"skill", "knowledge"} for s in skills)
    careers = load_careers()
    assert len(careers) > 2900
    assert sum(c.bls is not None for c in careers) > 1000
    assert all(c.skills for c in careers[:200])
    dev = [c for c in careers if c.label == "software developer"]
    assert dev and dev[0].bls is not None and dev[0].bls.soc.startswith("15")
