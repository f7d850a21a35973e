"""The validator in a versioned bucket (the lake is one, aws/template.yaml): it removes exactly
the raw version it validated, so a sender's re-upload of the same key is never lost; console
"folder" keys are ignored. Against moto S3 + SNS, the handler called directly."""
from __future__ import annotations

from .conftest import BUCKET, s3_event

GOOD = b'{"event_id":"E1","customer_id":"C0000001","event_type":"SMS","event_ts":"2024-01-15T09:00:00Z"}\n'
NEWER = b'{"event_id":"E2","customer_id":"C0000002","event_type":"CALL","event_ts":"2024-01-15T10:00:00Z"}\n'
KEY = "raw/activity_logs/activity_logs_20240115.ndjson"
ARCHIVED = "archive/activity_logs/ingest_date=2024-01-16/activity_logs_20240115.ndjson"


def versioned(aws) -> None:
    aws.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})


def sender_writes_again_after_the_copy(aws, patch) -> None:
    """The sender writes KEY anew between the validator's copy and its delete."""
    from telco360.validator.s3 import S3RawStore

    copy_verified = S3RawStore.copy_verified

    def copy_then_sender_writes_again(self, *args):
        copy_verified(self, *args)
        aws.put(KEY, NEWER)

    patch.setattr(S3RawStore, "copy_verified", copy_then_sender_writes_again)


def test_reupload_between_copy_and_delete_stays_in_raw(aws, lambda_handler, monkeypatch):
    versioned(aws)
    aws.put(KEY, GOOD)
    sender_writes_again_after_the_copy(aws, monkeypatch)
    lambda_handler(s3_event(KEY), None)

    assert (aws.keys(), aws.read(KEY), aws.read(ARCHIVED)) == ([ARCHIVED, KEY], NEWER, GOOD)


def test_reupload_is_settled_by_its_own_event(aws, lambda_handler, monkeypatch):
    versioned(aws)
    aws.put(KEY, GOOD)
    with monkeypatch.context() as patch:
        sender_writes_again_after_the_copy(aws, patch)
        lambda_handler(s3_event(KEY), None)
    summary = lambda_handler(s3_event(KEY), None)

    [archived] = summary["archived"]
    assert (summary["counts"]["archived"], aws.read(archived["destination"])) == (1, NEWER)
    assert [k for k in aws.keys() if k.startswith("raw/")] == []


def test_only_the_validated_version_is_deleted(aws, lambda_handler):
    versioned(aws)
    aws.put(KEY, GOOD)
    lambda_handler(s3_event(KEY), None)
    listing = aws.s3.list_object_versions(Bucket=BUCKET, Prefix="raw/")
    assert (listing.get("Versions", []), listing.get("DeleteMarkers", [])) == ([], [])


def test_console_folder_key_is_ignored_without_an_alert(aws, lambda_handler):
    aws.put("raw/customers/", b"")
    summary = lambda_handler(s3_event("raw/customers/"), None)
    assert (summary["files"], summary["skipped"], aws.alerts(), aws.keys()) == (
        0, [{"key": "raw/customers/", "why": "a folder placeholder (key ending in /), not a file"}], [],
        ["raw/customers/"])
