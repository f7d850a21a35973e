"""File-level checks on literal bytes (DATA_CONTRACT.md section 3), no storage involved."""
from __future__ import annotations

import gzip
import io

from telco360.validator import checks, settle
from telco360.validator.checks import validate_stream

CUSTOMER = (b'{"customerId":"C0000042","firstName":"Ada","lastName":"Okafor","planId":"PLN-POST-20",'
            b'"status":"active","signupDate":"2023-02-01","updatedAt":"2024-01-15T09:12:44+01:00"}')
PLANS_HEADER = b"plan_id,plan_name,plan_type,monthly_fee,currency,contract_months,updated_at"
PLAN_ROW = b'PLN-1,"Go, go",PREPAID,5.00,EUR,0,2024-01-01T00:00:00Z'


def check(dataset: str, data: bytes, gzipped: bool = False) -> checks.Verdict:
    return validate_stream(dataset, gzipped, io.BytesIO(data))


def test_valid_customers_file_is_accepted_with_its_record_count():
    assert check("customers", CUSTOMER + b"\n" + CUSTOMER + b"\n") == checks.Verdict(records=2)


def test_bom_and_crlf_are_tolerated():
    assert check("customers", b"\xef\xbb\xbf" + CUSTOMER + b"\r\n\r\n").accepted


def test_gzip_content_is_checked_after_decompression():
    assert check("customers", gzip.compress(b"[1]\n"), gzipped=True).reason == "not_json_object"


def test_multi_member_gzip_is_read_to_the_end():
    data = gzip.compress(CUSTOMER + b"\n") + gzip.compress(b"oops\n")
    assert check("customers", data, gzipped=True).detail.startswith("line 2 is not JSON")


def test_invalid_utf8_names_byte_and_line():
    verdict = check("customers", CUSTOMER + b"\n" + b'{"firstName":"Ren\xe9"}\n')
    assert (verdict.reason, verdict.detail) == ("not_utf8", f"not UTF-8 at byte {len(CUSTOMER) + 1 + 17} (line 2)")


def test_earlier_bad_json_line_wins_over_later_bad_utf8_in_the_same_chunk():
    verdict = check("customers", CUSTOMER + b"\nnot json\n\xff\n")
    assert (verdict.reason, verdict.detail[:19]) == ("not_json_object", "line 2 is not JSON:")


def test_line_numbers_count_across_chunk_boundaries(monkeypatch):
    monkeypatch.setattr(checks, "CHUNK_BYTES", 7)
    verdict = check("customers", CUSTOMER + b"\n" + CUSTOMER + b"\n\n" + b"[]\n")
    assert verdict.detail == "line 4 is a JSON array, not an object"


def test_utf8_character_split_across_chunks_is_valid(monkeypatch):
    monkeypatch.setattr(checks, "CHUNK_BYTES", 3)
    record = CUSTOMER.replace(b"Okafor", "Okaf\u00f6r\u20ac".encode())
    assert check("customers", record + b"\n").accepted


def test_line_longer_than_the_limit_is_refused_without_reading_it_all(monkeypatch):
    monkeypatch.setattr(checks, "CHUNK_BYTES", 4)
    monkeypatch.setattr(checks, "MAX_LINE_BYTES", 8)
    verdict = check("customers", CUSTOMER + b"\n")
    assert (verdict.reason, verdict.detail) == ("not_json_object", "line 1 is longer than 0 MiB: not a record")


def test_required_field_present_in_one_record_is_enough_at_file_level():
    without_status = CUSTOMER.replace(b'"status":"active",', b"")
    assert check("customers", without_status + b"\n" + CUSTOMER + b"\n").accepted


def test_required_field_null_in_every_record_counts_as_absent():
    null_plan = CUSTOMER.replace(b'"PLN-POST-20"', b"null")
    assert check("customers", null_plan + b"\n").reason == "required_field_absent"


def test_activity_without_event_ts_anywhere_names_the_field():
    line = b'{"event_id":"E1","customer_id":"C0000001","event_type":"SMS"}\n'
    assert check("activity_logs", line).detail == "required field(s) event_ts absent (or null) in all 1 records"


def test_csv_header_is_case_and_space_insensitive():
    header = b" PLAN_ID ,Plan_Name,plan_type,MONTHLY_FEE,currency,contract_months,updated_at"
    assert check("plans", header + b"\r\n" + PLAN_ROW + b"\r\n") == checks.Verdict(records=1)


def test_csv_quoted_field_may_span_lines():
    row = PLAN_ROW.replace(b'"Go, go"', b'"Go,\ngo"')
    assert check("plans", PLANS_HEADER + b"\n" + row + b"\n").records == 1


def test_csv_row_with_extra_field_names_the_line():
    verdict = check("plans", PLANS_HEADER + b"\n" + PLAN_ROW + b"\n" + PLAN_ROW + b",x\n")
    assert (verdict.reason, verdict.detail) == ("field_count_mismatch", "line 3 has 8 fields, the header has 7")


def test_csv_header_without_rows_is_header_only():
    assert check("plans", b"\xef\xbb\xbf" + PLANS_HEADER + b"\r\n").reason == "header_only"


def test_csv_missing_columns_are_all_named():
    verdict = check("plans", b"plan_id,plan_name\nP,N\n")
    assert verdict.detail == ("header (line 1) lacks required column(s) plan_type, monthly_fee, "
                              "currency, contract_months, updated_at")


def test_plain_text_named_gz_is_bad_gzip():
    assert check("customers", CUSTOMER + b"\n", gzipped=True).reason == "bad_gzip"


def test_redelivery_name_keeps_the_contract_name_shape():
    assert (settle.redelivery_name("plans_20240115_part-1.csv.gz", "abc123")
            == "plans_20240115_part-1_redelivery-abc123.csv.gz")


def test_valid_json_that_orjson_refuses_is_still_a_record():
    line = b'{"event_id":"E1","customer_id":"C1","event_type":"DATA","event_ts":"t","data_mb":1e400,"cell_id":"\\ud800"}\n'
    assert check("activity_logs", line).accepted


def test_nan_is_not_json():
    line = b'{"event_id":"E1","customer_id":"C1","event_type":"DATA","event_ts":"t","data_mb":NaN}\n'
    assert check("activity_logs", line).reason == "not_json_object"
