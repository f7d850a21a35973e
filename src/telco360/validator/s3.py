"""The S3 side of the validator: the `RawStore` adapter over one bucket and the parsing of
S3 `ObjectCreated` event records. Imports boto3 (present in every Lambda Python runtime),
so the local lake path never imports this module.
"""
from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from dataclasses import dataclass
from typing import BinaryIO, Optional

from botocore.exceptions import ClientError

from telco360 import contract
from telco360.validator.settle import Routing

SOURCE_ETAG_METADATA = "c360-source-etag"
METADATA_VALUE_LIMIT = 512  # S3 allows 2 KB of user metadata in all; keep room for the rest
CHECKSUM_FIELDS = ("ChecksumCRC64NVME", "ChecksumCRC32", "ChecksumCRC32C", "ChecksumSHA256", "ChecksumSHA1")
# The validator settles a file within minutes of its arrival; one still in raw/ after this long
# was not settled (an error that outlived Lambda's retries, a throttled event) and is alerted.
RAW_BACKLOG_HOURS = 3
BACKLOG_KEYS_LISTED = 100  # keeps the alert far below SNS's 256 KB message limit


@dataclass(frozen=True)
class RawObjectEvent:
    bucket: str
    key: str  # decoded, relative to the lake prefix
    ingest_date: str  # UTC date of the event: a redelivered event lands on the same key


def raw_object_events(event: dict, lake_prefix: str = "") -> tuple[list[RawObjectEvent], list[dict]]:
    """(raw objects to settle, skipped records with why) from an S3 notification event.

    Keys arrive URL-encoded with '+' for spaces; only `ObjectCreated:*` records for keys
    under `<lake_prefix>raw/` are settled.
    """
    settle, skipped = [], []
    for record in event.get("Records") or []:
        if not str(record.get("eventName", "")).startswith("ObjectCreated:"):
            skipped.append({"record": record.get("eventName"), "why": "not an ObjectCreated event"})
            continue
        s3 = record["s3"]
        full_key = urllib.parse.unquote_plus(s3["object"]["key"])
        if full_key.endswith("/"):
            # The S3 console's "Create folder" writes an empty object named like this.
            skipped.append({"key": full_key, "why": "a folder placeholder (key ending in /), not a file"})
            continue
        if not full_key.startswith(f"{lake_prefix}{contract.RAW}/"):
            skipped.append({"key": full_key, "why": f"not under {lake_prefix}{contract.RAW}/"})
            continue
        settle.append(RawObjectEvent(
            bucket=s3["bucket"]["name"],
            key=full_key[len(lake_prefix):],
            ingest_date=_event_date(record.get("eventTime")),
        ))
    return settle, skipped


def is_backlog_check(event: dict) -> bool:
    """An EventBridge schedule's event (the hourly raw/ backlog check), not an S3 notification."""
    return event.get("detail-type") == "Scheduled Event"


def raw_backlog(s3_client, bucket: str, lake_prefix: str, now: dt.datetime,
                older_than: dt.timedelta = dt.timedelta(hours=RAW_BACKLOG_HOURS)) -> list[dict]:
    """Files under `<lake_prefix>raw/` written at least `older_than` before `now`, oldest first
    (console folder placeholders are not files)."""
    waiting = []
    pages = s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{lake_prefix}{contract.RAW}/")
    for page in pages:
        for item in page.get("Contents", []):
            age = now - item["LastModified"]
            if not item["Key"].endswith("/") and age >= older_than:
                waiting.append({"key": item["Key"], "size": item["Size"],
                                "waiting_hours": round(age.total_seconds() / 3600, 1)})
    return sorted(waiting, key=lambda w: -w["waiting_hours"])


def report_raw_backlog(s3_client, sns_client, bucket: str, lake_prefix: str, topic_arn: str,
                       event: dict) -> dict:
    """The backlog check: list what waits in raw/ too long and, if anything, publish one alert."""
    now = dt.datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
    waiting = raw_backlog(s3_client, bucket, lake_prefix, now)
    if waiting:
        sns_client.publish(
            TopicArn=topic_arn,
            Subject=f"c360: {len(waiting)} file(s) waiting in raw/ over {RAW_BACKLOG_HOURS} h",
            Message=json.dumps({
                "bucket": bucket, "files": len(waiting),
                "keys": [w["key"] for w in waiting[:BACKLOG_KEYS_LISTED]], "oldest": waiting[0],
                "next_step": "the validator's log names each key's error; once the cause is fixed, copy the "
                             "file onto itself (or deliver it again) to send a new event; moves are safe to repeat",
            }, ensure_ascii=False),
        )
    return {"raw_backlog": waiting, "checked_at": now.isoformat(), "older_than_hours": RAW_BACKLOG_HOURS}


def _event_date(event_time: Optional[str]) -> str:
    if not event_time:
        return dt.datetime.now(dt.timezone.utc).date().isoformat()
    parsed = dt.datetime.fromisoformat(event_time.replace("Z", "+00:00"))
    return parsed.astimezone(dt.timezone.utc).date().isoformat()


class S3RawStore:
    """`RawStore` over s3://bucket/<lake_prefix>; keys given to it are lake-relative."""

    def __init__(self, s3_client, bucket: str, lake_prefix: str = "", sns_client=None,
                 alert_topic_arn: Optional[str] = None):
        self.s3 = s3_client
        self.bucket = bucket
        self.prefix = lake_prefix
        self.sns = sns_client
        self.alert_topic_arn = alert_topic_arn
        self._etags: dict[str, str] = {}  # raw key -> ETag validated (copy only those bytes)
        self._versions: dict[str, str] = {}  # raw key -> VersionId validated (delete only that one)

    def _head(self, key: str) -> Optional[dict]:
        try:
            return self.s3.head_object(Bucket=self.bucket, Key=self.prefix + key, ChecksumMode="ENABLED")
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def describe(self, key: str) -> Optional[int]:
        head = self._head(key)
        if head is None:
            return None
        if key.startswith(f"{contract.RAW}/"):
            self._etags[key] = head["ETag"]
            if head.get("VersionId"):
                self._versions[key] = head["VersionId"]
        return head["ContentLength"]

    def open(self, key: str) -> BinaryIO:
        response = self.s3.get_object(Bucket=self.bucket, Key=self.prefix + key,
                                      IfMatch=self._etags[key])
        return response["Body"]

    def same_content(self, raw_key: str, other_key: str) -> bool:
        """Same size, and either copied from this very raw object or equal S3 checksums."""
        raw, other = self._head(raw_key), self._head(other_key)
        if raw is None or other is None or raw["ContentLength"] != other["ContentLength"]:
            return False
        if other.get("Metadata", {}).get(SOURCE_ETAG_METADATA) == raw["ETag"].strip('"'):
            return True
        pairs = _common_checksums(raw, other)
        return bool(pairs) and all(left == right for left, right in pairs)

    def content_token(self, key: str) -> str:
        return "".join(c for c in self._etags[key] if c.isalnum())[:12]

    def copy_verified(self, raw_key: str, destination: str, routing: Routing) -> None:
        etag = self._etags[raw_key]
        metadata = {SOURCE_ETAG_METADATA: etag.strip('"'),
                    "c360-source-key": urllib.parse.quote(raw_key)}
        if not routing.verdict.accepted:
            metadata["c360-reason"] = routing.verdict.reason
            metadata["c360-detail"] = _ascii(routing.verdict.detail)
        # s3.copy is a single CopyObject below 8 MB and a multipart copy above (objects
        # over 5 GB cannot be copied in one request); IfMatch pins the validated bytes.
        self.s3.copy(
            CopySource={"Bucket": self.bucket, "Key": self.prefix + raw_key},
            Bucket=self.bucket,
            Key=self.prefix + destination,
            ExtraArgs={"CopySourceIfMatch": etag, "Metadata": metadata,
                       "MetadataDirective": "REPLACE"},
        )
        # ETags cannot be compared: under SSE-KMS (the lake bucket's default) they are not
        # content hashes, and a multipart copy has its own. Size, the recorded source and
        # S3's own checksums, where both objects carry one of a kind, can.
        source, copy = self._head(raw_key), self._head(destination)
        if (copy is None or copy["ContentLength"] != source["ContentLength"]
                or copy.get("Metadata", {}).get(SOURCE_ETAG_METADATA) != etag.strip('"')
                or any(left != right for left, right in _common_checksums(source, copy))):
            raise OSError(
                f"copy of s3://{self.bucket}/{self.prefix}{raw_key} to {destination} does not "
                "match the source (size, source or checksum); raw object kept, retry the event"
            )

    def write_json(self, key: str, payload: dict) -> None:
        self.s3.put_object(
            Bucket=self.bucket, Key=self.prefix + key,
            Body=json.dumps(payload, indent=2, ensure_ascii=False).encode("utf-8"),
            ContentType="application/json",
        )

    def delete(self, key: str) -> None:
        """Delete the version that was described and validated. A sender may have written the
        key again since: a plain delete would hide that newer version behind a delete marker
        (its own event would then find nothing to move); deleting by version leaves it
        current, and its own event settles it. Unversioned buckets have no VersionId."""
        version = self._versions.get(key)
        if version is None:
            self.s3.delete_object(Bucket=self.bucket, Key=self.prefix + key)
        else:
            self.s3.delete_object(Bucket=self.bucket, Key=self.prefix + key, VersionId=version)

    def publish_alert(self, message: dict) -> None:
        payload = {**message, "bucket": self.bucket, "key": self.prefix + message["key"],
                   "destination": self.prefix + message["destination"]}
        self.sns.publish(
            TopicArn=self.alert_topic_arn,
            Subject=_ascii(f"c360 rejected {message['dataset']} file: {message['reason']}")[:99],
            Message=json.dumps(payload, ensure_ascii=False),
        )


def _common_checksums(left: dict, right: dict) -> list[tuple[str, str]]:
    """Checksum values both heads carry, comparable only when of the same type
    (a multipart copy's checksum is a composite of its parts)."""
    if left.get("ChecksumType") != right.get("ChecksumType"):
        return []
    return [(left[f], right[f]) for f in CHECKSUM_FIELDS if left.get(f) and right.get(f)]


def _ascii(text: str) -> str:
    """S3 metadata and SNS subjects take ASCII only."""
    return text.encode("ascii", "backslashreplace").decode("ascii")[:METADATA_VALUE_LIMIT]
