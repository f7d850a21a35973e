"""The hourly raw/ backlog check: the validator, invoked by its EventBridge schedule, alerts on
files left in raw/ longer than RAW_BACKLOG_HOURS (raw/ never expires, so none is lost silently).
Against moto S3 + SNS, the handler called directly; "now" is the scheduled event's time."""
from __future__ import annotations

import datetime as dt

import pytest

from .conftest import BUCKET

GOOD = b'{"event_id":"E1","customer_id":"C0000001","event_type":"SMS","event_ts":"2024-01-15T09:00:00Z"}\n'
KEY = "raw/activity_logs/activity_logs_20240115.ndjson"


def scheduled_event(hours_from_now: float) -> dict:
    """An EventBridge scheduled event as it reaches the function, `hours_from_now` ahead."""
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=hours_from_now)
    return {"version": "0", "id": "e1", "detail-type": "Scheduled Event", "source": "aws.events",
            "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": "eu-west-1", "detail": {},
            "resources": ["arn:aws:events:eu-west-1:123456789012:rule/telco360-raw-backlog"]}


@pytest.fixture
def lake_bucket(monkeypatch):
    monkeypatch.setenv("LAKE_BUCKET", BUCKET)


def test_file_left_in_raw_past_the_limit_is_alerted(aws, lambda_handler, lake_bucket):
    aws.put(KEY, GOOD)
    summary = lambda_handler(scheduled_event(hours_from_now=4), None)
    [alert] = aws.alerts()
    assert ([w["key"] for w in summary["raw_backlog"]], alert["keys"], aws.keys()) == ([KEY], [KEY], [KEY])
    assert alert["subject"] == "c360: 1 file(s) waiting in raw/ over 3 h"


def test_recent_files_and_folder_placeholders_raise_no_alert(aws, lambda_handler, lake_bucket):
    aws.put(KEY, GOOD)
    aws.put("raw/customers/", b"")
    recent = lambda_handler(scheduled_event(hours_from_now=1), None)
    aws.s3.delete_object(Bucket=BUCKET, Key=KEY)
    placeholders_only = lambda_handler(scheduled_event(hours_from_now=4), None)
    assert (recent["raw_backlog"], placeholders_only["raw_backlog"], aws.alerts()) == ([], [], [])


def test_backlog_check_without_the_bucket_setting_is_a_clear_error(aws, lambda_handler, monkeypatch):
    monkeypatch.delenv("LAKE_BUCKET", raising=False)
    with pytest.raises(RuntimeError, match="LAKE_BUCKET is not set"):
        lambda_handler(scheduled_event(hours_from_now=4), None)
