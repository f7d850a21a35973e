"""Job A reads archived bytes as the validator does (DATA_CONTRACT.md sections 1 and 3): only
LF ends a line (a CR before it belongs to the line end), a BOM counts only at the file's very
start, a field named twice takes its last value, a string field holding an unpaired surrogate
escape does not fit its type."""
from __future__ import annotations

import gzip

import pytest

from telco360.spark import standardize

pytestmark = pytest.mark.spark

CUSTOMER = (b'{"customerId":"C0000042","firstName":"Ada","lastName":"Okafor","planId":"PLN-POST-20",'
            b'"status":"active","signupDate":"2023-02-01","updatedAt":"2024-01-15T09:12:44+01:00"')
RECORD = CUSTOMER + b"}"
BOM = b"\xef\xbb\xbf"


def with_fields(fields: bytes) -> bytes:
    return CUSTOMER + b"," + fields + b"}"


@pytest.fixture
def read_customers(spark, tmp_path):
    """Bytes of one archived customers file -> {source_line: (first_name, status, reasons)}."""
    def read(data: bytes, name: str = "customers_20240115.ndjson") -> dict:
        folder = tmp_path / "archive" / "customers" / "ingest_date=2024-01-16"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        lines = standardize.read_archived_lines(spark, [str(folder / name)])
        records = standardize.parse_json_lines(standardize.number_lines(lines), "customers")
        rows = standardize.standardize_records(records, "customers").collect()
        return {r["source_line"]: (r["first_name"], r["status"], r["reasons"]) for r in rows}
    return read


def test_bare_cr_between_tokens_stays_inside_its_record(read_customers):
    data = with_fields(b'"x":[1\r]') + b"\n" + RECORD + b"\n"
    assert read_customers(data) == {1: ("Ada", "ACTIVE", []), 2: ("Ada", "ACTIVE", [])}


def test_bare_cr_after_a_record_does_not_start_a_new_line(read_customers):
    # The validator rejects this file (content after the object); Job A never splits it.
    assert list(read_customers(RECORD + b"\r" + RECORD + b"\n")) == [1]


@pytest.mark.parametrize("name", ["customers_20240115.ndjson", "customers_20240115.ndjson.gz"])
def test_crlf_and_a_bom_at_the_start_are_line_ends_and_file_start(read_customers, name):
    data = BOM + RECORD + b"\r\n\r\n" + RECORD + b"\r\n"
    assert read_customers(data, name) == {1: ("Ada", "ACTIVE", []), 3: ("Ada", "ACTIVE", [])}


def test_bom_on_a_later_line_is_data(read_customers):
    assert read_customers(RECORD + b"\n" + BOM + RECORD + b"\n")[2] == (None, None, ["malformed_json"])


def test_second_bom_at_the_file_start_is_data(read_customers):
    assert read_customers(BOM + BOM + RECORD + b"\n") == {1: (None, None, ["malformed_json"])}


def test_field_named_twice_takes_its_last_value(read_customers):
    data = with_fields(b'"status":"GONE","status":"churned"') + b"\n" + with_fields(b'"status":"GONE"') + b"\n"
    assert read_customers(data) == {1: ("Ada", "CHURNED", []), 2: ("Ada", "GONE", ["bad_domain:status"])}


@pytest.mark.parametrize("escape", [b"\\ud800", b"\\uDC00", b"Ad\\ud83d", b"\\udc00\\ud800"])
def test_unpaired_surrogate_in_a_string_field_does_not_fit_its_type(read_customers, escape):
    reasons = read_customers(with_fields(b'"firstName":"' + escape + b'"') + b"\n")[1][2]
    assert reasons[0] == "bad_type:firstName"


def test_unpaired_surrogate_in_an_address_member_does_not_fit_its_type(read_customers):
    reasons = read_customers(with_fields(b'"address":{"city":"\\ud800"}') + b"\n")[1][2]
    assert reasons[0] == "bad_type:address"


@pytest.mark.parametrize("text", [b"\\ud83d\\ude00", b"\\\\ud800", b"\\\\\\\\ud800", b"?", b"\\u003f"])
def test_paired_surrogates_and_escaped_backslashes_fit_a_string(read_customers, text):
    assert read_customers(with_fields(b'"firstName":"' + text + b'"') + b"\n")[1][2] == []


def test_unpaired_surrogate_in_an_unknown_field_is_ignored(read_customers):
    assert read_customers(with_fields(b'"nickname":"\\ud800"') + b"\n") == {1: ("Ada", "ACTIVE", [])}


def test_record_nested_512_levels_is_a_record(read_customers):
    data = with_fields(b'"x":' + b"[" * 511 + b"]" * 511) + b"\n"
    assert read_customers(data) == {1: ("Ada", "ACTIVE", [])}


@pytest.mark.parametrize("blank", [b"", b" \\t ", b"\\r\\n"])
def test_blank_required_text_field_is_missing(read_customers, blank):
    reasons = read_customers(with_fields(b'"lastName":"' + blank + b'"') + b"\n")[1][2]
    assert reasons == ["missing_required:lastName"]


@pytest.mark.parametrize("blank", [b"\\u00a0", b" \\u3000\\t", b"\\u2003\\u2028", b"\xc2\xa0"])
def test_required_text_of_unicode_spaces_only_is_missing(read_customers, blank):
    reasons = read_customers(with_fields(b'"lastName":"' + blank + b'"') + b"\n")[1][2]
    assert reasons == ["missing_required:lastName"]


@pytest.mark.parametrize("name", ["\u00c9mile", "\u5f20\u4f1f", "\u00a0Ada"])
def test_text_starting_with_a_non_ascii_character_is_kept(read_customers, name):
    data = with_fields(b'"firstName":"' + name.encode() + b'"') + b"\n"
    assert read_customers(data) == {1: (name, "ACTIVE", [])}


def test_bare_cr_in_a_quoted_csv_field_is_data_and_ends_no_line():
    data = (b"plan_id,plan_name,plan_type,monthly_fee,currency,contract_months,updated_at\n"
            b'P1,"a\rb",PREPAID,5.00,EUR,0,2024-01-01T00:00:00Z\r\n'
            b'P2,"c",PREPAID,5.00,EUR,0,2024-01-01T00:00:00Z\n')
    records = standardize.parse_plans_csv(data, "plans_20240115.csv")
    assert [(r["plan_id"], r["plan_name"], r["source_line"]) for r in records] == [("P1", "a\rb", 2), ("P2", "c", 3)]
