"""Property: whatever the bytes, the validator never raises and the file ends, byte for byte,
in exactly one zone (archive/ when accepted, rejected/ with a known reason otherwise)."""
from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

import boto3
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from moto import mock_aws

from telco360 import contract
from telco360.validator.local import LocalRawStore
from telco360.validator.settle import settle_raw_object
from telco360.validator.s3 import S3RawStore

from .conftest import BUCKET, REGION

SAMPLES = {
    "customers": b'{"customerId":"C0000042","firstName":"Ada","lastName":"Okafor","planId":"P1",'
                 b'"status":"active","signupDate":"2023-02-01","updatedAt":"2024-01-15T09:12:44+01:00"}\n',
    "plans": b"plan_id,plan_name,plan_type,monthly_fee,currency,contract_months,updated_at\r\n"
             b'P1,"Go, go",PREPAID,5.00,EUR,0,2024-01-01T00:00:00Z\r\n',
    "activity_logs": b'{"event_id":"E1","customer_id":"C0000001","event_type":"DATA",'
                     b'"event_ts":"2024-01-15T09:00:00Z","data_mb":1.5}\n',
}
NAMES = {"customers": "customers_20240115.ndjson", "plans": "plans_20240115.csv",
         "activity_logs": "activity_logs_20240115_part-1.jsonl"}
DAY = "2024-01-16"


@st.composite
def near_valid_files(draw):
    """(key, bytes): a valid sample, mangled a little, sometimes gzipped, sometimes misnamed."""
    dataset = draw(st.sampled_from(sorted(SAMPLES)))
    data = bytearray(SAMPLES[dataset] * draw(st.integers(1, 3)))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        mutation = draw(st.sampled_from(["flip", "insert", "cut", "delete"]))
        if mutation == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif mutation == "insert":
            data[at:at] = draw(st.binary(max_size=4))
        elif mutation == "cut":
            del data[at:]
        elif mutation == "delete":
            del data[at:at + draw(st.integers(1, 8))]
    name = NAMES[dataset]
    if draw(st.booleans()):
        data = bytearray(gzip.compress(bytes(data), mtime=0))
        if draw(st.booleans()):
            del data[draw(st.integers(0, len(data))):]
        name += ".gz"
    folder = draw(st.sampled_from([dataset, dataset, "unknown"]))
    return f"raw/{folder}/{name}", bytes(data)


any_file = st.one_of(
    near_valid_files(),
    st.tuples(st.sampled_from(["raw/customers/customers_20240115.ndjson", "raw/plans/plans_20240115.csv.gz",
                               "raw/activity_logs/activity_logs_20240115.jsonl", "raw/x"]),
              st.binary(max_size=300)),
)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and "_reasons" not in p.parts]


@settings(max_examples=200, deadline=None)
@given(any_file)
def test_local_validator_puts_any_bytes_in_exactly_one_zone(key_and_bytes):
    key, data = key_and_bytes
    with tempfile.TemporaryDirectory() as lake_dir:
        lake = Path(lake_dir)
        (lake / key).parent.mkdir(parents=True)
        (lake / key).write_bytes(data)
        outcome = settle_raw_object(LocalRawStore(lake), key, DAY)
        [landed] = stored_files(lake)
        zone = landed.relative_to(lake).parts[0]
        assert (zone, landed.read_bytes(), outcome["reason"] in (None, *contract.REJECTION_REASONS)) == (
            "archive" if outcome["outcome"] == "archived" else "rejected", data, True)


@pytest.fixture(scope="module")
def moto_bucket():
    """One moto account for all examples (starting moto per example dominates the run)."""
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION, aws_access_key_id="testing",
                          aws_secret_access_key="testing")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield s3


def empty_bucket(s3) -> None:
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key_and_bytes=near_valid_files())
def test_s3_validator_puts_any_bytes_in_exactly_one_zone(moto_bucket, key_and_bytes):
    key, data = key_and_bytes
    s3 = moto_bucket
    empty_bucket(s3)
    s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    sent = []
    store = S3RawStore(s3, BUCKET, "")
    store.publish_alert = sent.append
    outcome = settle_raw_object(store, key, DAY)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"] if "/_reasons/" not in o["Key"]]
    [landed] = keys
    assert (landed.split("/")[0], s3.get_object(Bucket=BUCKET, Key=landed)["Body"].read(), len(sent)) == (
        "archive" if outcome["outcome"] == "archived" else "rejected", data,
        0 if outcome["outcome"] == "archived" else 1)
