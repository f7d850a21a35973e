"""Fixtures for the validator: a moto bucket + alert topic with an SQS subscriber, the Lambda
handler loaded from its file (`lambda` is a Python keyword, so it is not a package), and a
builder of S3 ObjectCreated events."""
from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from telco360.runner import handlers

CORPUS = Path(__file__).resolve().parent / "corpus"
BUCKET = "telco360-lake"
REGION = "eu-west-1"


@pytest.fixture(scope="session")
def lambda_handler():
    return handlers.lambda_handler()


class Aws:
    """The moto account the handler talks to."""

    def __init__(self):
        self.s3 = boto3.client("s3", region_name=REGION)
        self.s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        self.topic_arn = sns.create_topic(Name="c360-validator-alerts")["TopicArn"]
        self.queue_url = sqs.create_queue(QueueName="alerts-reader")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=self.topic_arn, Protocol="sqs", Endpoint=queue_arn)
        self.sqs = sqs

    def put(self, key: str, body: bytes) -> None:
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)

    def keys(self) -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()

    def alerts(self) -> list[dict]:
        """SNS messages delivered to the subscribed queue, decoded."""
        messages = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
            if not batch.get("Messages"):
                return messages
            for message in batch["Messages"]:
                envelope = json.loads(message["Body"])
                messages.append({"subject": envelope.get("Subject"), **json.loads(envelope["Message"])})
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        account = Aws()
        monkeypatch.setenv("ALERT_TOPIC_ARN", account.topic_arn)
        yield account


def s3_event(*keys: str, event_time: str = "2024-01-16T23:59:58.123Z", bucket: str = BUCKET) -> dict:
    """An S3 notification as S3 sends it: keys URL-encoded with '+' for spaces."""
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION,
        "eventTime": event_time, "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": urllib.parse.quote_plus(key, safe="/"), "size": 0}},
    } for key in keys]}
