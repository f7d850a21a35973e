"""The Lambda handler against moto S3 + SNS (read back through an SQS subscriber).
The handler is called directly: moto's Lambda invoke needs Docker."""
from __future__ import annotations

import gzip

import pytest

from .conftest import BUCKET, s3_event

GOOD = b'{"event_id":"E1","customer_id":"C0000001","event_type":"SMS","event_ts":"2024-01-15T09:00:00Z"}\n'
KEY = "raw/activity_logs/activity_logs_20240115.ndjson"
ARCHIVED = "archive/activity_logs/ingest_date=2024-01-16/activity_logs_20240115.ndjson"


def test_accepted_object_is_archived_under_the_event_date(aws, lambda_handler):
    aws.put(KEY, GOOD)
    lambda_handler(s3_event(KEY), None)
    assert (aws.keys(), aws.read(ARCHIVED)) == ([ARCHIVED], GOOD)


def test_ingest_date_is_the_utc_date_of_the_event_time(aws, lambda_handler):
    aws.put(KEY, GOOD)
    lambda_handler(s3_event(KEY, event_time="2024-01-17T00:30:00+02:00"), None)
    assert aws.keys() == [ARCHIVED]


def test_gzip_object_is_validated_decompressed_and_moved_compressed(aws, lambda_handler):
    body = gzip.compress(GOOD * 3)
    aws.put(KEY + ".gz", body)
    lambda_handler(s3_event(KEY + ".gz"), None)
    assert aws.read(ARCHIVED + ".gz") == body


def test_bom_and_crlf_object_is_archived(aws, lambda_handler):
    body = b"\xef\xbb\xbf" + GOOD.replace(b"\n", b"\r\n") * 2
    aws.put(KEY, body)
    lambda_handler(s3_event(KEY), None)
    assert aws.read(ARCHIVED) == body


def test_url_encoded_key_with_spaces_and_unicode_is_found(aws, lambda_handler):
    key = "raw/activity_logs/activity_logs_20240115_Zürich export+1.ndjson"
    aws.put(key, GOOD)
    lambda_handler(s3_event(key), None)
    assert aws.keys() == ["archive/activity_logs/ingest_date=2024-01-16/activity_logs_20240115_Zürich export+1.ndjson"]


def test_many_records_in_one_event_are_all_settled(aws, lambda_handler):
    keys = [f"raw/activity_logs/activity_logs_2024011{day}.ndjson" for day in (1, 2, 3)]
    for key in keys:
        aws.put(key, GOOD)
    summary = lambda_handler(s3_event(*keys), None)
    assert summary["counts"]["archived"] == 3


def test_duplicate_event_delivery_is_a_logged_no_op(aws, lambda_handler):
    aws.put(KEY, GOOD)
    lambda_handler(s3_event(KEY), None)
    again = lambda_handler(s3_event(KEY), None)
    assert (aws.keys(), again["other"][0]["outcome"]) == ([ARCHIVED], "already_routed")


def test_retry_after_crash_between_copy_and_delete_leaves_exactly_one_copy(aws, lambda_handler, monkeypatch):
    from telco360.validator.s3 import S3RawStore

    aws.put(KEY, GOOD)
    with monkeypatch.context() as patch, pytest.raises(RuntimeError, match="stays in raw/"):
        patch.setattr(S3RawStore, "delete", lambda self, key: (_ for _ in ()).throw(ConnectionError("timeout")))
        lambda_handler(s3_event(KEY), None)
    lambda_handler(s3_event(KEY), None)
    assert (aws.keys(), aws.read(ARCHIVED)) == ([ARCHIVED], GOOD)


def test_rejected_object_carries_its_reason_as_metadata(aws, lambda_handler):
    aws.put(KEY, b"[]\n")
    lambda_handler(s3_event(KEY), None)
    head = aws.s3.head_object(Bucket=BUCKET, Key="rejected/activity_logs/ingest_date=2024-01-16/activity_logs_20240115.ndjson")
    assert (head["Metadata"]["c360-reason"], head["Metadata"]["c360-detail"]) == (
        "not_json_object", "line 1 is a JSON array, not an object")


def test_rejected_object_gets_a_reason_sidecar(aws, lambda_handler):
    aws.put(KEY, b"")
    lambda_handler(s3_event(KEY), None)
    assert aws.keys() == [
        "rejected/_reasons/activity_logs/ingest_date=2024-01-16/activity_logs_20240115.ndjson.json",
        "rejected/activity_logs/ingest_date=2024-01-16/activity_logs_20240115.ndjson",
    ]


def test_rejection_alert_reaches_an_sqs_subscriber_with_dataset_key_reason_size(aws, lambda_handler):
    key = "raw/plans/plans_20240115.csv"
    aws.put(key, b"plan_id,plan_name\nP1,One\n")
    lambda_handler(s3_event(key), None)
    alert = aws.alerts()[0]
    assert {k: alert[k] for k in ("subject", "dataset", "key", "reason", "size", "destination", "bucket")} == {
        "subject": "c360 rejected plans file: missing_required_column",
        "dataset": "plans",
        "key": key,
        "reason": "missing_required_column",
        "size": 25,
        "destination": "rejected/plans/ingest_date=2024-01-16/plans_20240115.csv",
        "bucket": BUCKET,
    }


def test_accepted_object_sends_no_alert(aws, lambda_handler):
    aws.put(KEY, GOOD)
    lambda_handler(s3_event(KEY), None)
    assert aws.alerts() == []


def test_same_name_with_other_content_is_not_overwritten(aws, lambda_handler):
    aws.put(KEY, GOOD)
    lambda_handler(s3_event(KEY), None)
    aws.put(KEY, GOOD + GOOD)
    lambda_handler(s3_event(KEY), None)
    assert [aws.read(k) for k in aws.keys()] == [GOOD, GOOD + GOOD]


def test_object_changed_after_validation_is_not_copied(aws, lambda_handler, monkeypatch):
    from telco360.validator import settle

    original = settle.validate_stream

    def validate_then_overwrite(*args):
        verdict = original(*args)
        aws.put(KEY, b"replaced while validating\n")
        return verdict

    aws.put(KEY, GOOD)
    monkeypatch.setattr(settle, "validate_stream", validate_then_overwrite)
    with pytest.raises(RuntimeError):
        lambda_handler(s3_event(KEY), None)
    assert aws.keys() == [KEY]


def test_keys_outside_raw_and_other_event_types_are_skipped(aws, lambda_handler):
    aws.put("archive/x.ndjson", GOOD)
    event = s3_event("archive/x.ndjson")
    event["Records"].append({**s3_event(KEY)["Records"][0], "eventName": "ObjectRemoved:Delete"})
    summary = lambda_handler(event, None)
    assert (summary["files"], len(summary["skipped"]), aws.keys()) == (0, 2, ["archive/x.ndjson"])


def test_lake_prefix_scopes_the_zones(aws, lambda_handler, monkeypatch):
    monkeypatch.setenv("LAKE_PREFIX", "lake")
    aws.put("lake/" + KEY, GOOD)
    lambda_handler(s3_event("lake/" + KEY), None)
    assert aws.keys() == ["lake/" + ARCHIVED]


def test_missing_alert_topic_setting_is_a_clear_error(aws, lambda_handler, monkeypatch):
    monkeypatch.delenv("ALERT_TOPIC_ARN")
    with pytest.raises(RuntimeError, match="ALERT_TOPIC_ARN is not set"):
        lambda_handler(s3_event(KEY), None)


def _rewrite_destination_heads(monkeypatch, **changes):
    """Make head_object of archive/ keys report other values, as SSE-KMS or a bad copy would."""
    from telco360.validator.s3 import S3RawStore

    original = S3RawStore._head

    def head(self, key):
        found = original(self, key)
        return {**found, **changes} if found and key.startswith("archive/") else found

    monkeypatch.setattr(S3RawStore, "_head", head)


def test_copy_check_does_not_need_equal_etags(aws, lambda_handler, monkeypatch):
    aws.put(KEY, GOOD)
    _rewrite_destination_heads(monkeypatch, ETag='"kms-encrypted-etag"')
    lambda_handler(s3_event(KEY), None)
    assert aws.keys() == [ARCHIVED]


def test_copy_with_a_different_checksum_keeps_the_raw_object(aws, lambda_handler, monkeypatch):
    aws.put(KEY, GOOD)
    _rewrite_destination_heads(monkeypatch, ChecksumCRC32="AAAAAA==")
    with pytest.raises(RuntimeError, match="does not match the source"):
        lambda_handler(s3_event(KEY), None)
    assert KEY in aws.keys()


def test_identical_bytes_archived_without_source_record_are_recognised_by_checksum(aws, lambda_handler):
    aws.put(ARCHIVED, GOOD)
    aws.put(KEY, GOOD)
    lambda_handler(s3_event(KEY), None)
    assert aws.keys() == [ARCHIVED]


def test_object_above_the_multipart_threshold_is_copied_in_parts_and_verified(aws, lambda_handler):
    body = GOOD * (9_000_000 // len(GOOD))  # > 8 MB: s3.copy switches to a multipart copy
    aws.put(KEY, body)
    lambda_handler(s3_event(KEY), None)
    multipart_etag = "-" in aws.s3.head_object(Bucket=BUCKET, Key=ARCHIVED)["ETag"]
    assert (aws.keys(), aws.read(ARCHIVED) == body, multipart_etag) == ([ARCHIVED], True, True)


def test_s3_test_event_without_records_settles_nothing(aws, lambda_handler):
    event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": BUCKET}
    assert lambda_handler(event, None)["files"] == 0
