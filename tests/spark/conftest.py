"""Helpers for the Glue job tests: literal lines in, rows keyed by line number out."""
from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import types as T

NUMBERED_LINES = T.StructType(
    [
        T.StructField("source_file", T.StringType()),
        T.StructField("source_line", T.LongType()),
        T.StructField("extract_date", T.DateType()),
        T.StructField("ingest_date", T.DateType()),
        T.StructField("value", T.StringType()),
    ]
)


@pytest.fixture(scope="session")
def numbered_lines(spark):
    """Literal NDJSON lines as Job A's numbered-lines frame (line n = the n-th string)."""

    def build(source_file: str, lines: list[str]):
        day = dt.date(2024, 1, 15)
        rows = [(source_file, number, day, day, text) for number, text in enumerate(lines, start=1)]
        return spark.createDataFrame(rows, NUMBERED_LINES)

    return build


@pytest.fixture
def archive_day(tmp_path):
    """An empty archive folder of activity files for ingest date 2024-01-16."""
    folder = tmp_path / "archive" / "activity_logs" / "ingest_date=2024-01-16"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(scope="session")
def python_worker_tasks():
    """How many tasks of a frame's scan would run in Python workers (a worker costs ~1.7 s to
    start in a fresh JVM): partitions of a lineage that goes through a PythonRDD."""

    def count(frame) -> int:
        rdd = frame._jdf.queryExecution().toRdd()
        return rdd.getNumPartitions() if "PythonRDD" in rdd.toDebugString() else 0

    return count
