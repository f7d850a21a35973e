"""Lambda entry point of the ingestion validator: S3 ObjectCreated event in -> each raw
object validated and moved to archive/ or rejected/ (+ SNS alert) -> summary out.

Environment: ALERT_TOPIC_ARN (required), LAKE_PREFIX (optional, e.g. "lake/" when the lake
is not at the bucket root), LAKE_BUCKET (the bucket the hourly raw/ backlog check lists; an
EventBridge "Scheduled Event" runs that check instead of settling objects). The S3 event is parsed with the standard library: its shape is
small and stable, so aws-lambda-powertools would add a dependency for a dozen lines.
"""
from __future__ import annotations

import os

import boto3

from telco360.validator.s3 import S3RawStore, is_backlog_check, raw_object_events, report_raw_backlog
from telco360.validator.settle import settle_each, summarize


def handler(event, context):
    topic_arn = os.environ.get("ALERT_TOPIC_ARN")
    if not topic_arn:
        raise RuntimeError("ALERT_TOPIC_ARN is not set: give the validator Lambda the alert topic")
    lake_prefix = os.environ.get("LAKE_PREFIX", "").strip("/")
    lake_prefix = f"{lake_prefix}/" if lake_prefix else ""
    if is_backlog_check(event):
        bucket = os.environ.get("LAKE_BUCKET")
        if not bucket:
            raise RuntimeError("LAKE_BUCKET is not set: give the validator Lambda the lake bucket's name")
        return report_raw_backlog(boto3.client("s3"), boto3.client("sns"), bucket, lake_prefix, topic_arn, event)
    objects, skipped = raw_object_events(event, lake_prefix)
    s3, sns = boto3.client("s3"), boto3.client("sns")
    outcomes = []
    for bucket in sorted({o.bucket for o in objects}):
        in_bucket = [o for o in objects if o.bucket == bucket]
        dates = {o.key: o.ingest_date for o in in_bucket}
        store = S3RawStore(s3, bucket, lake_prefix, sns, topic_arn)
        outcomes += settle_each(store, [o.key for o in in_bucket], dates.__getitem__)
    summary = summarize(outcomes, skipped=skipped)
    if summary["errors"]:
        # Raising makes Lambda retry the event; moves are idempotent, so settled files are no-ops.
        raise RuntimeError(f"validator failed on {len(summary['errors'])} object(s): "
                           + "; ".join(e["detail"] for e in summary["errors"]))
    return summary
