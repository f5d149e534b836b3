"""The independent corpus's scorer and the O*NET tool vocabulary build (no services, no corpus files)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from engines.reference_data.tools_build import build_tools
from engines.resume_analysis.independent import AliasTable, Counts, fold, load_corpus, match_skills


def test_precision_is_zero_when_nothing_is_predicted() -> None:
    counts = Counts()
    counts.add(0, 0, 3)
    assert counts.metrics() == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 3}
    nothing_expected = Counts()
    assert nothing_expected.metrics()["precision"] == 1.0


def test_skill_matching_on_surface_forms_and_aliases(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text("- [Excel, Microsoft Excel]\n", encoding="utf-8")
    aliases = AliasTable.load(path)
    # A prediction carries its text as written and its catalog name; either may name the truth.
    predicted = [("Excel", "Microsoft Excel"), ("wound care", "wound care"), ("data", "data")]
    assert match_skills(predicted, ["Microsoft Excel", "Wound care", "SolidWorks"], aliases) == (2, 1, 1)
    # One-to-one: a second prediction of the same skill is a false positive.
    assert match_skills([("Excel",), ("MS Excel", "Microsoft Excel")], ["Excel"], aliases) == (1, 1, 0)
    assert fold("Montréal, QC") == "montreal qc"


def test_committed_corpus_has_truth_for_every_file() -> None:
    corpus = load_corpus()
    assert len(corpus) >= 60
    assert len({t.record["profession"] for t in corpus}) >= 20
    assert {t.file_format for t in corpus} == {"pdf", "docx", "txt"}
    for truth in corpus:
        assert truth.record["jobs"] and truth.skills() and truth.record["name"]


def test_tool_vocabulary_build(tmp_path: Path) -> None:
    onet = tmp_path / "onet"
    onet.mkdir()
    rows = [
        ("11-1", "Autodesk AutoCAD", "CAD software"),
        ("11-2", "Autodesk Revit", "CAD software"),
        ("11-1", "Microsoft Excel", "Spreadsheet software"),
        ("11-2", "Microsoft Word", "Word processing software"),
        ("11-1", "Dassault Systemes SolidWorks", "CAD software"),
        ("11-1", "Dassault Systemes CATIA", "CAD software"),
        ("11-1", "Cost estimating software", "Accounting software"),
    ]
    lines = ["O*NET-SOC Code\tExample\tCommodity Code\tCommodity Title\tHot Technology\tIn Demand"]
    lines += [f"{soc}\t{name}\t1\t{cat}\tY\tN" for soc, name, cat in rows]
    (onet / "technology_skills.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    skills = tmp_path / "skills.jsonl.gz"
    with gzip.open(skills, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"_attribution": "test"}) + "\n")
        for i, label in enumerate(("use word processing software", "cost estimating of projects")):
            fh.write(json.dumps({"id": f"s{i}", "label": label}) + "\n")
    tools = {t["name"]: t for t in build_tools(onet, skills)}
    assert "Cost estimating software" not in tools  # a generic category, not a product
    assert "AutoCAD" in tools["Autodesk AutoCAD"]["aliases"]
    assert "SolidWorks" in tools["Dassault Systemes SolidWorks"]["aliases"]
    assert "Excel" in tools["Microsoft Excel"]["aliases"] and "Excel" in tools["Microsoft Excel"]["weak"]
    assert "Word" in tools["Microsoft Word"]["weak"]  # an ordinary word: only in a skills list
    assert "AutoCAD" not in tools["Autodesk AutoCAD"]["weak"]
