"""Job A reads each archived file whole, in one task, and numbers its lines in that one scan;
values are trimmed by the cheap space-only trim unless the record may hold other whitespace."""
from __future__ import annotations

import gzip

import pytest
from pyspark.sql import functions as F

from telco360 import contract
from telco360.spark import standardize


def test_each_file_is_one_task_whatever_the_session_would_split_or_pack(spark, archive_day):
    big = archive_day / "activity_logs_20240115.ndjson"
    big.write_text("".join(f'{{"line":{n}}}\n' for n in range(1, 301)))
    small = []
    for part in range(1, 4):
        path = archive_day / f"activity_logs_20240115_part-000{part}.ndjson.gz"
        path.write_bytes(gzip.compress(f'{{"part":{part}}}\n\n{{"part":{part}}}\n'.encode()))
        small.append(path)
    # A split size below the big file's and a cap of one partition: left in force, Spark would
    # split the big file into blocks and pack the small ones into one task.
    spark.conf.set("spark.sql.files.maxPartitionBytes", "512")
    spark.conf.set("spark.sql.files.maxPartitionNum", "1")
    try:
        lines = standardize.read_archived_lines(spark, [str(big), *map(str, small)])
        tasks = lines.rdd.getNumPartitions()
        rows = standardize.number_lines(lines).collect()
    finally:
        for key in standardize.WHOLE_FILE_READ:
            spark.conf.unset(key)
        spark.conf.unset("spark.sql.files.maxPartitionNum")

    assert tasks == 4
    numbered = {(r["source_file"], r["source_line"]): r["value"] for r in rows}
    assert all(numbered[(big.name, n)] == f'{{"line":{n}}}' for n in range(1, 301))
    assert all(
        [numbered[(path.name, n)] for n in (1, 2, 3)] == [f'{{"part":{part}}}', "", f'{{"part":{part}}}']
        for part, path in enumerate(small, start=1)
    )
    assert len(numbered) == 300 + 3 * 3


def test_spaces_around_values_of_a_line_without_escapes_are_trimmed(spark, archive_day):
    path = archive_day / "activity_logs_20240115.ndjson"
    path.write_text(
        '{"event_id":" E1","customer_id":"C0000042  ","event_type":" SMS ",'
        '"event_ts":"2024-01-15T09:00:00Z","cell_id":"   "}\n'
    )
    lines = standardize.number_lines(standardize.read_archived_lines(spark, [str(path)]))
    row = standardize.standardize_records(standardize.parse_json_lines(lines, contract.ACTIVITY_LOGS),
                                          contract.ACTIVITY_LOGS).first()
    assert (row["event_id"], row["customer_id"], row["event_type"], row["cell_id"], row["reasons"]) == (
        "E1", "C0000042", "SMS", None, [])


def test_raw_whitespace_around_csv_fields_is_trimmed(spark):
    data = (b"plan_id,plan_name,monthly_fee,plan_type,currency,contract_months,updated_at\n"
            b"\tPLN-1\f,Basic\v,\t5.00 ,postpaid\t,USD, 12\t,2024-01-01T00:00:00Z\n")
    records = standardize.parse_plans_csv(data, "plans_20240115.csv")
    frame = standardize.plan_records_frame(
        spark, records, {"plans_20240115.csv": "2024-01-15"}, {"plans_20240115.csv": "2024-01-16"}
    )
    row = standardize.standardize_records(frame, contract.PLANS).first()
    assert (row["plan_id"], row["plan_name"], str(row["monthly_fee"]), row["plan_type"], row["reasons"]) == (
        "PLN-1", "Basic", "5.00", "POSTPAID", [])


def test_a_line_of_a_file_the_listing_did_not_name_fails_the_job(spark, archive_day):
    path = archive_day / "activity_logs_20240115.ndjson"
    path.write_text('{"event_id":"E1"}\n')
    lines = standardize.read_archived_lines(spark, [str(path)])
    unlisted = lines.withColumn("source_file", F.lit(None).cast("string"))
    with pytest.raises(Exception, match="no listing of the archived file"):
        standardize.number_lines(unlisted).collect()
