"""`c360 demo` starts local Spark ahead of its first run: sized as Job A would size it, and a
start that fails leaves the error to the first job, which starts the session itself."""
from __future__ import annotations

from telco360.runner import demo, glue_local


def test_spark_started_ahead_is_sized_by_the_files_the_validator_will_archive(monkeypatch):
    sized = []
    monkeypatch.setattr(glue_local, "start_local_spark_in_background", sized.append)
    first_day_files = [
        {"key": "raw/activity_logs/activity_logs_20240115_part-0001.ndjson.gz", "bytes": 100, "expected": "archive"},
        {"key": "raw/customers/customers_20240115.ndjson", "bytes": 50, "expected": "archive"},
        {"key": "raw/plans/plans_20240115_ragged.csv", "bytes": 7, "expected": "rejected"},
    ]

    demo.start_ahead_of_first_run(first_day_files)

    assert sized == [100 * 6 + 50]


def test_a_background_start_that_fails_leaves_no_uncaught_error(monkeypatch):
    import threading

    from telco360.spark import session

    def no_java(*_args, **_kwargs):
        raise RuntimeError("Java gateway process exited before sending its port number")

    uncaught = []
    monkeypatch.setattr(session, "local_spark_session", no_java)
    monkeypatch.setattr(threading, "excepthook", uncaught.append)
    glue_local.start_local_spark_in_background(0).join(timeout=30)

    assert uncaught == []
