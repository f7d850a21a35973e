"""Job A's record rules on literal NDJSON lines: one Spark pass per dataset, one behaviour per test."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from pyspark.sql import functions as F

from telco360 import contract
from telco360.spark import standardize

CUSTOMER_LINES = [
    # 1: a full, valid record needing every standardization
    '{"customerId":"C0000042","firstName":" Ada ","lastName":"Okafor","email":"Ada.Okafor@Example.com ",'
    '"phone":"+2348012345678","address":{"line1":"12 Marina Rd","city":"Lagos","state":"LA",'
    '"postalCode":"101001","country":"NG"},"dateOfBirth":"1990-04-12","planId":"PLN-POST-20",'
    '"status":"active","signupDate":"2023-02-01","updatedAt":"2024-01-15T09:12:44+01:00","loyalty":"gold"}',
    # 2
    '{"customerId":"C0000002","firstName":"Bo","lastName":"Li","status":"ACTIVE","signupDate":"2023-02-01","updatedAt":"2024-01-15T09:00:00Z"}',
    # 3
    '{"customerId":"X42","firstName":"Bo","lastName":"Li","planId":"P1","status":"ACTIVE","signupDate":"2023-02-01","updatedAt":"2024-01-15T09:00:00Z"}',
    # 4
    '{"customerId":"C0000004","firstName":"Bo","lastName":"Li","planId":"P1","status":"gone","signupDate":"2023-02-01","updatedAt":"2024-01-15T09:00:00Z"}',
    # 5
    '{"customerId":"C0000005","firstName":"Bo","lastName":"Li","planId":"P1","status":"ACTIVE","signupDate":"2023-02-01","updatedAt":"2024-01-15T09:00:00"}',
    # 6
    '{"customerId":"C0000006","firstName":"Bo","lastName":"Li","planId":"P1","status":"ACTIVE","signupDate":"2023-02-01","updatedAt":"yesterday"}',
    # 7
    '{"customerId":"C0000007","firstName":"Bo","lastName":"Li","planId":"P1","status":"ACTIVE","signupDate":"2023-02-30","updatedAt":"2024-01-15T09:00:00Z"}',
    # 8
    '{"customerId":"C0000008","firstName":',
    # 9
    '{"customerId":"C0000009","firstName":"Bo","lastName":"Li","planId":"P1","status":"ACTIVE","signupDate":"2023-02-01","updatedAt":"2024-01-15T09:00:00Z","address":"12 Marina Rd"}',
    # 10
    "   ",
    # 11
    '{"customerId":"C0000011","firstName":"Bo","lastName":"Li","planId":"P1","status":"ACTIVE","signupDate":"2023-02-01","updatedAt":"2024-01-15T09:00:00Z","phone":"12345"}',
    # 12
    '{"customerId":"C0000012","firstName":"   ","lastName":"Li","planId":"P1","status":"ACTIVE","signupDate":"2023-02-01","updatedAt":"2024-01-15T09:00:00Z"}',
    # 13
    '["C0000013"]',
    # 14
    '{"customerId":"C0000014","firstName":"Bo","lastName":"Li","planId":"P1","status":"gone","signupDate":"2023-02-01","updatedAt":"2024-01-15T09:00:00"}',
]

ACTIVITY_LINES = [
    # 1
    '{"event_id":"E1","customer_id":"C0000042","event_type":"data","event_ts":"2024-01-15T23:30:00-02:00","data_mb":12.5}',
    # 2
    '{"event_id":"E2","customer_id":"C0000042","event_type":"VOICE","event_ts":"2024-01-15T10:00:00Z"}',
    # 3
    '{"event_id":"E3","customer_id":"C0000042","event_type":"DATA","event_ts":"2024-01-15T10:00:00Z","data_mb":-1}',
    # 4
    '{"event_id":"E4","customer_id":"C0000042","event_type":"VOICE","event_ts":"2024-01-15T10:00:00Z","duration_sec":"abc"}',
    # 5
    '{"event_id":"E5","customer_id":"C0000042","event_type":"SMS","event_ts":"2024-01-15T10:00:00Z","roaming":"maybe"}',
    # 6
    '{"event_id":"E6","customer_id":"C0000042","event_type":"FAX","event_ts":"2024-01-15T10:00:00Z"}',
    # 7
    '{"event_id":"E7","customer_id":"C0000042","event_type":"voice","event_ts":"2024-01-15T10:00:00.250Z","duration_sec":61,"roaming":true,"cell_id":" CELL-9 "}',
]


def _standardize(numbered_lines, dataset, name, lines):
    records = standardize.parse_json_lines(numbered_lines(name, lines), dataset)
    return {row["source_line"]: row for row in standardize.standardize_records(records, dataset).collect()}


@pytest.fixture(scope="module")
def customers(numbered_lines):
    return _standardize(numbered_lines, contract.CUSTOMERS, "customers_20240115.ndjson", CUSTOMER_LINES)


@pytest.fixture(scope="module")
def activity(numbered_lines):
    return _standardize(numbered_lines, contract.ACTIVITY_LOGS, "activity_logs_20240115.ndjson", ACTIVITY_LINES)


def test_valid_customer_passes_with_no_reason(customers):
    assert customers[1]["reasons"] == []


def test_offset_timestamp_is_converted_to_utc(customers):
    assert customers[1]["updated_at"] == dt.datetime(2024, 1, 15, 8, 12, 44)


def test_email_is_trimmed_and_lower_cased(customers):
    assert customers[1]["email"] == "ada.okafor@example.com"


def test_status_is_upper_cased(customers):
    assert customers[1]["status"] == "ACTIVE"


def test_names_are_trimmed(customers):
    assert customers[1]["first_name"] == "Ada"


def test_address_is_flattened_to_snake_case_columns(customers):
    row = customers[1]
    assert (row["address_line1"], row["city"], row["state"], row["postal_code"], row["country"]) == (
        "12 Marina Rd", "Lagos", "LA", "101001", "NG",
    )


def test_dates_are_typed(customers):
    assert (customers[1]["date_of_birth"], customers[1]["signup_date"]) == (dt.date(1990, 4, 12), dt.date(2023, 2, 1))


def test_missing_required_field_is_quarantined(customers):
    assert customers[2]["reasons"] == ["missing_required:planId"]


def test_bad_customer_id_pattern_is_quarantined(customers):
    assert customers[3]["reasons"] == ["bad_pattern:customerId"]


def test_unknown_status_is_quarantined(customers):
    assert customers[4]["reasons"] == ["bad_domain:status"]


def test_timestamp_without_offset_is_quarantined(customers):
    assert customers[5]["reasons"] == ["missing_offset:updatedAt"]


def test_unparseable_timestamp_is_quarantined(customers):
    assert customers[6]["reasons"] == ["bad_timestamp:updatedAt"]


def test_impossible_calendar_date_is_quarantined(customers):
    assert customers[7]["reasons"] == ["bad_date:signupDate"]


def test_broken_json_is_quarantined_with_its_raw_line(customers):
    assert (customers[8]["reasons"], customers[8]["raw_record"]) == (["malformed_json"], CUSTOMER_LINES[7])


def test_address_that_is_not_an_object_is_quarantined(customers):
    assert customers[9]["reasons"] == ["bad_type:address"]


def test_blank_line_is_no_record(customers):
    assert 10 not in customers


def test_phone_not_in_e164_is_quarantined(customers):
    assert customers[11]["reasons"] == ["bad_pattern:phone"]


def test_blank_required_string_counts_as_missing(customers):
    assert customers[12]["reasons"] == ["missing_required:firstName"]


def test_json_array_line_is_malformed(customers):
    assert customers[13]["reasons"] == ["malformed_json"]


def test_every_broken_rule_is_kept_and_the_first_is_the_reason(customers):
    assert (customers[14]["reason"], customers[14]["reasons"]) == (
        "bad_domain:status", ["bad_domain:status", "missing_offset:updatedAt"],
    )


def test_lineage_names_file_and_line(customers):
    row = customers[3]
    assert (row["source_file"], row["source_line"], row["extract_date"]) == (
        "customers_20240115.ndjson", 3, dt.date(2024, 1, 15),
    )


def test_negative_offset_crossing_midnight_lands_on_next_utc_day(activity):
    assert activity[1]["event_ts"] == dt.datetime(2024, 1, 16, 1, 30)


def test_event_type_is_upper_cased(activity):
    assert activity[1]["event_type"] == "DATA"


def test_roaming_defaults_to_false(activity):
    assert activity[1]["roaming"] is False


def test_data_mb_is_a_decimal_with_three_places(activity):
    assert str(activity[1]["data_mb"]) == "12.500"


def test_voice_event_without_duration_is_quarantined(activity):
    assert activity[2]["reasons"] == ["missing_for_type:duration_sec"]


def test_negative_amount_is_quarantined(activity):
    assert activity[3]["reasons"] == ["negative:data_mb"]


def test_non_numeric_integer_is_quarantined(activity):
    assert activity[4]["reasons"] == ["bad_type:duration_sec"]


def test_non_boolean_roaming_is_quarantined(activity):
    assert activity[5]["reasons"] == ["bad_type:roaming"]


def test_unknown_event_type_is_quarantined(activity):
    assert activity[6]["reasons"] == ["bad_domain:event_type"]


def test_fractional_seconds_and_typed_fields_survive(activity):
    row = activity[7]
    assert (row["event_ts"], row["duration_sec"], row["roaming"], row["cell_id"]) == (
        dt.datetime(2024, 1, 15, 10, 0, 0, 250000), 61, True, "CELL-9",
    )


def test_clean_rows_carry_the_run_id_and_quarantine_keeps_the_rest(numbered_lines):
    records = standardize.parse_json_lines(
        numbered_lines("activity_logs_20240115.ndjson", ACTIVITY_LINES[:3]), contract.ACTIVITY_LOGS
    )
    standardized = standardize.standardize_records(records, contract.ACTIVITY_LOGS)
    clean = [(r["event_id"], r["clean_run_id"]) for r in standardize.clean_rows(standardized, contract.ACTIVITY_LOGS, "R1").collect()]
    quarantined = sorted(r["source_line"] for r in standardize.quarantine_rows(standardized, "R1").collect())
    assert (clean, quarantined) == ([("E1", "R1")], [2, 3])


def test_offset_limits_match_zone_offsets(numbered_lines):
    stamps = ["2024-01-15T09:00:00.5+18:00", "2024-01-15T09:00:00-18:00", "2024-01-15T09:00:00+18:01",
              "2024-01-15T09:00:00+05:60", "2024-01-15T09:00:00z"]
    lines = [
        f'{{"event_id":"E{n}","customer_id":"C0000042","event_type":"SMS","event_ts":"{stamp}"}}'
        for n, stamp in enumerate(stamps, start=1)
    ]
    rows = _standardize(numbered_lines, contract.ACTIVITY_LOGS, "activity_logs_20240115.ndjson", lines)
    assert [(rows[n]["event_ts"], rows[n]["reasons"]) for n in range(1, 6)] == [
        (dt.datetime(2024, 1, 14, 15, 0, 0, 500000), []),
        (dt.datetime(2024, 1, 16, 3, 0), []),
        (None, ["bad_timestamp:event_ts"]),
        (None, ["bad_timestamp:event_ts"]),
        (None, ["bad_timestamp:event_ts"]),
    ]


def test_timestamps_with_non_ascii_characters_are_bad_timestamps(numbered_lines):
    # The UTC conversion slices a timestamp by bytes: a multi-byte character that the 6-byte
    # tail cuts in half (the first) or holds (the second), or one anywhere else, must neither
    # fail the job nor let the value through.
    stamps = ["2024-01-15T09:00:00\u00e901:00", "2024-01-15T09:00:00+0\u00e9:0", "2024-01-15T09:00:00+05:3\u0660",
              "2024-01-15T09:00:00\uff3a", "\uff12024-01-15T09:00:00Z", "2024-01-15T09:00:\u00e9\u00e9+01:00"]
    lines = [
        json.dumps({"event_id": f"E{n}", "customer_id": "C0000042", "event_type": "SMS", "event_ts": stamp})
        for n, stamp in enumerate(stamps, start=1)
    ]
    rows = _standardize(numbered_lines, contract.ACTIVITY_LOGS, "activity_logs_20240115.ndjson", lines)
    assert [(rows[n]["event_ts"], rows[n]["reasons"]) for n in range(1, 7)] == [(None, ["bad_timestamp:event_ts"])] * 6


def test_trim_removes_exactly_the_whitespace_set_at_either_end(numbered_lines):
    cells = [" \tC1", "C2\n\r", "\fC3\v", "C 4", "\u00a0C5\u2003", "C6", " \t\n\r\f\v", "x"]
    lines = [
        json.dumps({"event_id": f"E{n}", "customer_id": "C0000042", "event_type": "SMS",
                    "event_ts": "2024-01-15T09:00:00Z", "cell_id": cell})
        for n, cell in enumerate(cells, start=1)
    ]
    rows = _standardize(numbered_lines, contract.ACTIVITY_LOGS, "activity_logs_20240115.ndjson", lines)
    assert [rows[n]["cell_id"] for n in range(1, len(cells) + 1)] == ["C1", "C2", "C3", "C 4", "\u00a0C5\u2003", "C6", None, "x"]


def test_timestamps_convert_as_cast_reads_them_for_every_suffix_and_fraction(spark, numbered_lines):
    stamps = ["2024-01-15T09:00:00Z", "2024-01-15 09:00:00+05:30", "2024-01-15T09:00:00.123456789-03:45",
              "2024-01-15T00:00:00.1+00:00", "2024-01-15T23:59:59.999999-00:01", "2024-02-29T12:00:00.12Z",
              "2024-01-15T09:00:00+14:00", "1999-12-31T23:00:00-01:00"]
    lines = [
        f'{{"event_id":"E{n}","customer_id":"C0000042","event_type":"SMS","event_ts":"{stamp}"}}'
        for n, stamp in enumerate(stamps, start=1)
    ]
    rows = _standardize(numbered_lines, contract.ACTIVITY_LOGS, "activity_logs_20240115.ndjson", lines)
    as_cast = spark.createDataFrame([(s,) for s in stamps], "stamp string").select(F.col("stamp").cast("timestamp")).collect()
    assert [(rows[n]["event_ts"], rows[n]["reasons"]) for n in range(1, len(stamps) + 1)] == [(r[0], []) for r in as_cast]
