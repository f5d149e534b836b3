"""docs/gdpr.md (records of processing) is generated from the code and current; every personal field
of the contract is listed in it."""

from __future__ import annotations

from pathlib import Path

from careerstream.gdpr_docs import render_gdpr_doc
from kernel.config import Settings
from schemas.catalog import load_catalog

DOC = Path(__file__).resolve().parents[1] / "docs" / "gdpr.md"


def test_the_committed_records_of_processing_are_current() -> None:
    assert DOC.read_text() == render_gdpr_doc(Settings(_env_file=None)), "run `careerstream docs-events`"  # type: ignore[call-arg]


def test_every_personal_field_is_listed() -> None:
    text = DOC.read_text()
    for schema in load_catalog().by_name.values():
        for field in schema.personal_fields:
            assert f"| {schema.name} | `{field}` |" in text
