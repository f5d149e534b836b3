"""docs/asyncapi.yaml is generated from the schemas, up to date, and valid for the official parser."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from schemas.asyncapi import render_asyncapi
from schemas.catalog import TOPIC_PARTITIONS, load_catalog

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "asyncapi.yaml"
VALIDATOR = ROOT / "tools" / "asyncapi" / "validate.mjs"


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("node") is None or not (VALIDATOR.parent / "node_modules").exists():
        pytest.fail("the AsyncAPI validator is not installed: run `make test` (npm ci in tools/asyncapi)")
    return subprocess.run(["node", str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=120)


def test_the_committed_document_is_the_generated_one() -> None:
    assert DOC.read_text() == render_asyncapi("careerstream"), "run `careerstream docs-events`"


def test_every_topic_and_event_type_is_described() -> None:
    doc = yaml.safe_load(DOC.read_text())
    assert doc["asyncapi"].startswith("3.")
    assert set(TOPIC_PARTITIONS) <= set(doc["channels"])
    assert set(doc["components"]["messages"]) == set(load_catalog().by_name)
    users = doc["channels"]["users"]
    assert users["address"] == "careerstream.users"
    assert users["bindings"]["kafka"]["partitions"] == TOPIC_PARTITIONS["users"]
    message = doc["components"]["messages"]["UserRegistered"]
    assert message["payload"]["schema"]["name"] == "UserRegistered"
    assert message["bindings"]["kafka"]["key"]["type"] == "string"


def test_the_official_parser_accepts_it() -> None:
    result = validate(DOC)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(TOPIC_PARTITIONS) + 1} channels" in result.stdout


def test_the_official_parser_rejects_a_broken_avro_payload(tmp_path: Path) -> None:
    doc = yaml.safe_load(DOC.read_text())
    doc["components"]["messages"]["UserRegistered"]["payload"]["schema"]["fields"][0]["type"] = "strnig"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(doc))
    result = validate(broken)
    assert result.returncode == 1
    assert "strnig" in result.stdout
