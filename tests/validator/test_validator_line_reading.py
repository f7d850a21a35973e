"""How the validator reads a line (DATA_CONTRACT.md sections 1 and 3): only LF ends a line,
a BOM is tolerated only at the very start, a line nested deeper than 512 levels is not a JSON
object. Job A reads the same bytes the same way (tests/validator/test_validator_job_a_agree.py)."""
from __future__ import annotations

import io

import pytest

from telco360.validator import checks
from telco360.validator.checks import validate_stream
from telco360.validator.local import validate_lake

CUSTOMER = (b'{"customerId":"C0000042","firstName":"Ada","lastName":"Okafor","planId":"PLN-POST-20",'
            b'"status":"active","signupDate":"2023-02-01","updatedAt":"2024-01-15T09:12:44+01:00"')
RECORD = CUSTOMER + b"}"
BOM = b"\xef\xbb\xbf"


def check(data: bytes) -> checks.Verdict:
    return validate_stream("customers", False, io.BytesIO(data))


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def with_unknown_field(value: bytes) -> bytes:
    return CUSTOMER + b',"x":' + value + b"}"


DEEP = 100_000
PLACEMENTS = {
    "whole_file": lambda value: value + b"\n",
    "last_line": lambda value: RECORD + b"\n" + value + b"\n",
    "unknown_field_value": lambda value: with_unknown_field(value) + b"\n",
}


@pytest.mark.parametrize("placement", sorted(PLACEMENTS))
def test_deep_nesting_rejects_the_file_with_its_line(placement):
    verdict = check(PLACEMENTS[placement](nested(DEEP)))
    line = 2 if placement == "last_line" else 1
    assert (verdict.reason, verdict.detail) == (
        "not_json_object", f"line {line} is nested deeper than 512 levels: not a record")


@pytest.mark.parametrize("depth", [513, 1024, 1025, 2000])
def test_record_nested_just_past_the_limit_is_refused(depth):
    assert check(with_unknown_field(nested(depth - 1)) + b"\n").reason == "not_json_object"


def test_record_nested_512_levels_is_a_record():
    assert check(with_unknown_field(nested(511)) + b"\n") == checks.Verdict(records=1)


def test_brackets_inside_strings_do_not_count_as_nesting():
    value = b'"' + b"[" * 600 + b'\\"' + b"{" * 600 + b'"'
    assert check(with_unknown_field(value) + b"\n") == checks.Verdict(records=1)


def test_deeply_nested_broken_json_is_refused_without_a_crash():
    assert check(b'{"a":' + b"[" * DEEP + b"\n").reason == "not_json_object"


def test_deep_nesting_in_a_lake_file_is_rejected_and_leaves_raw(tmp_path):
    raw = tmp_path / "raw" / "customers" / "customers_20240115.ndjson"
    raw.parent.mkdir(parents=True)
    raw.write_bytes(RECORD + b"\n" + nested(DEEP) + b"\n")
    summary = validate_lake(tmp_path, "2024-01-16")
    assert (summary["counts"]["rejected"], summary["counts"]["error"], raw.exists()) == (1, 0, False)


def test_bare_cr_between_tokens_does_not_end_a_line():
    assert check(with_unknown_field(b"[1\r]") + b"\n" + RECORD + b"\r\n") == checks.Verdict(records=2)


def test_bare_cr_after_a_record_is_whitespace_not_a_line_end():
    assert check(RECORD + b"\r" + RECORD + b"\n").reason == "not_json_object"


def test_bom_at_the_start_of_a_later_line_is_data_not_a_bom():
    verdict = check(RECORD + b"\n" + BOM + RECORD + b"\n")
    assert (verdict.reason, verdict.detail.split(" is ")[0]) == ("not_json_object", "line 2")


def test_second_bom_at_the_start_of_the_file_is_data():
    assert check(BOM + BOM + RECORD + b"\n").reason == "not_json_object"


def test_bom_inside_a_string_value_is_data():
    assert check(with_unknown_field(b'"' + BOM + b'"') + b"\n") == checks.Verdict(records=1)


def test_duplicate_field_takes_its_last_value_for_the_required_check():
    line = RECORD[:-1] + b',"planId":null}\n'
    assert check(line).reason == "required_field_absent"
