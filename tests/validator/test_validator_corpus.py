"""The bad-input corpus (corpus/raw/..., expected outcomes in corpus/expected.csv) through
the local lake adapter and through the Lambda handler on moto S3."""
from __future__ import annotations

import csv
import shutil

import pytest

from telco360 import contract
from telco360.validator.local import validate_lake

from .conftest import CORPUS, s3_event

EXPECTED = {row["key"]: row["expected"] for row in csv.DictReader((CORPUS / "expected.csv").open())}
DAY = "2024-01-16"


def outcome_by_key(summary: dict) -> dict[str, str]:
    return {o["key"]: o["reason"] or "archived" for o in summary["archived"] + summary["rejected"]}


def test_corpus_covers_every_rejection_reason_and_at_least_25_broken_files():
    reasons = [outcome for outcome in EXPECTED.values() if outcome != "archived"]
    assert (set(reasons), len(reasons) >= 25) == (set(contract.REJECTION_REASONS), True)


def test_corpus_table_lists_every_corpus_file():
    on_disk = sorted(p.relative_to(CORPUS).as_posix() for p in (CORPUS / "raw").rglob("*") if p.is_file())
    assert on_disk == sorted(EXPECTED)


@pytest.fixture(scope="module")
def local_outcomes(tmp_path_factory):
    lake = tmp_path_factory.mktemp("corpus-lake")
    shutil.copytree(CORPUS / "raw", lake / "raw")
    summary = validate_lake(lake, DAY)
    return lake, outcome_by_key(summary)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_corpus_file_gets_its_expected_outcome_locally(local_outcomes, key):
    assert local_outcomes[1][key] == EXPECTED[key]


def test_corpus_run_empties_raw_and_keeps_every_byte(local_outcomes):
    lake, _ = local_outcomes
    kept = sorted(p.stat().st_size for zone in ("archive", "rejected") for p in (lake / zone).rglob("*")
                  if p.is_file() and "_reasons" not in p.parts)
    assert (list((lake / "raw").rglob("*.*")), kept) == (
        [], sorted(p.stat().st_size for p in (CORPUS / "raw").rglob("*") if p.is_file()))


def test_corpus_through_the_lambda_handler_matches_the_table(aws, lambda_handler):
    for key in EXPECTED:
        aws.put(key, (CORPUS / key).read_bytes())
    summary = lambda_handler(s3_event(*EXPECTED), None)
    alerted = sorted(alert["key"] for alert in aws.alerts())
    assert (outcome_by_key(summary), [k for k in aws.keys() if k.startswith("raw/")], alerted) == (
        EXPECTED, [], sorted(k for k, outcome in EXPECTED.items() if outcome != "archived"))
