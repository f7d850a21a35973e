"""The project's validator routes every generated file as the generator's summary says."""
from __future__ import annotations

import logging

from telco360.generator import generate
from telco360.validator.local import validate_lake


def test_validator_archives_good_files_and_rejects_each_bad_file_with_its_named_reason(tmp_path):
    summary = generate(tmp_path, days=2, customers=20, events_per_day=50, seed=5, defects=True)
    logging.getLogger("telco360.validator").disabled = True
    try:
        routed = validate_lake(tmp_path, "2024-01-17")
    finally:
        logging.getLogger("telco360.validator").disabled = False
    expected = {f["key"]: f["reason"] for f in summary["files"]}
    got = {item["key"]: item["reason"] for item in routed["archived"] + routed["rejected"]}
    assert got == expected
