"""Line numbers from real archived files, and the plan catalog CSV reader."""
from __future__ import annotations

import datetime as dt
import gzip

import pytest

from telco360 import contract
from telco360.spark import standardize


def _numbered(spark, paths):
    rows = standardize.number_lines(standardize.read_archived_lines(spark, [str(p) for p in paths])).collect()
    return {(r["source_file"], r["source_line"]): r["value"] for r in rows}


def test_line_numbers_count_crlf_and_blank_lines_as_physical_lines(spark, archive_day):
    path = archive_day / "activity_logs_20240115.ndjson"
    path.write_bytes(b'{"event_id":"A"}\r\n\r\n{"event_id":"B"}\r\n')
    assert _numbered(spark, [path]) == {
        ("activity_logs_20240115.ndjson", 1): '{"event_id":"A"}',
        ("activity_logs_20240115.ndjson", 2): "",
        ("activity_logs_20240115.ndjson", 3): '{"event_id":"B"}',
    }


def test_line_numbers_restart_in_each_file_including_gzip(spark, archive_day):
    plain = archive_day / "activity_logs_20240115.ndjson"
    plain.write_text('{"event_id":"A"}\n{"event_id":"B"}\n')
    packed = archive_day / "activity_logs_20240115_part-0002.ndjson.gz"
    packed.write_bytes(gzip.compress(b'{"event_id":"C"}\n{"event_id":"D"}\n'))
    assert _numbered(spark, [plain, packed]) == {
        ("activity_logs_20240115.ndjson", 1): '{"event_id":"A"}',
        ("activity_logs_20240115.ndjson", 2): '{"event_id":"B"}',
        ("activity_logs_20240115_part-0002.ndjson.gz", 1): '{"event_id":"C"}',
        ("activity_logs_20240115_part-0002.ndjson.gz", 2): '{"event_id":"D"}',
    }


def test_line_numbers_follow_file_order_when_spark_splits_a_file(spark, archive_day):
    path = archive_day / "activity_logs_20240115.ndjson"
    path.write_text("".join(f'{{"line":{n}}}\n' for n in range(1, 301)))
    spark.conf.set("spark.sql.files.maxPartitionBytes", "512")
    try:
        numbered = _numbered(spark, [path])
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert all(value == f'{{"line":{line}}}' for (_, line), value in numbered.items()) and len(numbered) == 300


def test_lineage_dates_come_from_file_name_and_archive_folder(spark, archive_day):
    path = archive_day / "activity_logs_20240115.ndjson"
    path.write_text('{"event_id":"A"}\n')
    row = standardize.number_lines(standardize.read_archived_lines(spark, [str(path)])).first()
    assert (row["extract_date"], row["ingest_date"]) == (dt.date(2024, 1, 15), dt.date(2024, 1, 16))


PLANS_CSV = (
    b"\xef\xbb\xbf Plan_ID ,PLAN_NAME, Monthly_Fee ,plan_type,currency,data_allowance_gb,voice_minutes,"
    b"sms_allowance,contract_months,updated_at,promo_code\r\n"
    b'PLN-POST-20,"Unlimited, 20",20.00,postpaid,USD,,100,,12,2024-01-01T00:00:00Z,SPRING\r\n'
    b"\r\n"
    b"PLN-PRE-5,Prepaid 5,5.00,PREPAID,USD,2.5,60,100,0,2024-01-02T00:00:00+02:00,\r\n"
    b"PLN-SHORT,Short,1.00\r\n"
)


def test_csv_headers_match_ignoring_case_spaces_order_and_bom():
    record = standardize.parse_plans_csv(PLANS_CSV, "plans_20240115.csv")[0]
    assert (record["plan_id"], record["monthly_fee"], record["plan_type"]) == ("PLN-POST-20", "20.00", "postpaid")


def test_csv_quoted_comma_stays_in_its_field():
    assert standardize.parse_plans_csv(PLANS_CSV, "plans_20240115.csv")[0]["plan_name"] == "Unlimited, 20"


def test_csv_unknown_columns_are_ignored():
    assert "promo_code" not in standardize.parse_plans_csv(PLANS_CSV, "plans_20240115.csv")[0]


def test_csv_source_line_counts_header_and_blank_lines():
    lines = [r["source_line"] for r in standardize.parse_plans_csv(PLANS_CSV, "plans_20240115.csv")]
    assert lines == [2, 4, 5]


def test_csv_row_with_wrong_field_count_gets_a_format_error():
    errors = [r["format_error"] for r in standardize.parse_plans_csv(PLANS_CSV, "plans_20240115.csv")]
    assert errors == [None, None, "bad_field_count"]


def test_gzipped_csv_is_read():
    records = standardize.parse_plans_csv(gzip.compress(PLANS_CSV), "plans_20240115.csv.gz")
    assert [r["plan_id"] for r in records] == ["PLN-POST-20", "PLN-PRE-5", "PLN-SHORT"]


@pytest.fixture(scope="module")
def plans(spark):
    records = standardize.parse_plans_csv(PLANS_CSV, "plans_20240115.csv")
    frame = standardize.plan_records_frame(
        spark, records, {"plans_20240115.csv": "2024-01-15"}, {"plans_20240115.csv": "2024-01-16"}
    )
    return {r["source_line"]: r for r in standardize.standardize_records(frame, contract.PLANS).collect()}


def test_plan_type_is_upper_cased_and_fee_typed(plans):
    assert (plans[2]["plan_type"], str(plans[2]["monthly_fee"])) == ("POSTPAID", "20.00")


def test_empty_allowance_means_unlimited_null(plans):
    assert (plans[2]["data_allowance_gb"], plans[2]["sms_allowance"]) == (None, None)


def test_plan_updated_at_offset_is_converted_to_utc(plans):
    assert plans[4]["updated_at"] == dt.datetime(2024, 1, 1, 22, 0)


def test_short_csv_row_is_quarantined_as_bad_field_count(plans):
    assert plans[5]["reasons"] == ["bad_field_count"]


def test_plan_records_reach_the_jvm_without_python_workers(spark, python_worker_tasks):
    records = standardize.parse_plans_csv(PLANS_CSV, "plans_20240115.csv")
    frame = standardize.plan_records_frame(
        spark, records, {"plans_20240115.csv": "2024-01-15"}, {"plans_20240115.csv": "2024-01-16"}
    )
    assert (python_worker_tasks(frame), frame.count()) == (0, len(records))
