"""The committed state machine definition, executed by moto's Step Functions interpreter
against moto's Glue and SNS (alerts read back through an SQS subscription).

moto records Glue job runs but never fails one: the failure test makes new runs end FAILED
by giving moto's FakeJobRun a failing transition (test-only patch).
"""
from __future__ import annotations

import json
import time

import boto3
import pytest
from moto import mock_aws
from moto.glue.models import FakeJobRun
from moto.moto_api import state_manager

from telco360.runner.asl import read_definition_text, render_state_machine, with_short_intervals

REGION = "us-east-1"
CLEAN_JOB = "c360-clean"
STAGING_JOB = "c360-staging"


@pytest.fixture()
def aws():
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        clients = {name: boto3.client(name, region_name=REGION) for name in ("stepfunctions", "glue", "sns", "sqs", "iam")}
        topic_arn = clients["sns"].create_topic(Name="c360-alerts")["TopicArn"]
        queue_url = clients["sqs"].create_queue(QueueName="c360-alerts")["QueueUrl"]
        queue_arn = clients["sqs"].get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        clients["sns"].subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        role_arn = clients["iam"].create_role(RoleName="c360-states", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        rendered = render_state_machine(
            read_definition_text(),
            {"CleanJobName": CLEAN_JOB, "StagingJobName": STAGING_JOB, "AlertTopicArn": topic_arn},
        )
        definition = json.dumps(with_short_intervals(json.loads(rendered)))
        machine_arn = clients["stepfunctions"].create_state_machine(
            name="c360-daily", definition=definition, roleArn=role_arn
        )["stateMachineArn"]
        yield {**clients, "machine_arn": machine_arn, "queue_url": queue_url}
        state_manager.unset_transition("glue::job_run")


def create_job(glue, name: str) -> None:
    glue.create_job(Name=name, Role="c360-glue", Command={"Name": "glueetl", "ScriptLocation": f"s3://artifacts/{name}.py"},
                    ExecutionProperty={"MaxConcurrentRuns": 1})


def run_execution(aws, name: str, timeout: float = 60.0) -> dict:
    execution_arn = aws["stepfunctions"].start_execution(stateMachineArn=aws["machine_arn"], name=name, input="{}")["executionArn"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = aws["stepfunctions"].describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.2)
    raise AssertionError(f"execution {name} still running after {timeout} s")


def alert_messages(aws) -> list[dict]:
    received = aws["sqs"].receive_message(QueueUrl=aws["queue_url"], MaxNumberOfMessages=10, WaitTimeSeconds=1)
    return [json.loads(message["Body"]) for message in received.get("Messages", [])]


def test_both_jobs_succeed_and_execution_succeeds(aws):
    create_job(aws["glue"], CLEAN_JOB)
    create_job(aws["glue"], STAGING_JOB)

    described = run_execution(aws, "run-2024-01-15")

    assert described["status"] == "SUCCEEDED"


def test_jobs_run_in_definition_order_with_execution_name_as_run_id(aws):
    create_job(aws["glue"], CLEAN_JOB)
    create_job(aws["glue"], STAGING_JOB)

    run_execution(aws, "run-2024-01-16")

    runs = {job: aws["glue"].get_job_runs(JobName=job)["JobRuns"] for job in (CLEAN_JOB, STAGING_JOB)}
    assert [r["Arguments"]["--run_id"] for job in (CLEAN_JOB, STAGING_JOB) for r in runs[job]] == ["run-2024-01-16"] * 2
    assert runs[CLEAN_JOB][0]["StartedOn"] <= runs[STAGING_JOB][0]["StartedOn"]


def test_concurrent_run_is_retried_then_succeeds(aws):
    create_job(aws["glue"], CLEAN_JOB)
    create_job(aws["glue"], STAGING_JOB)
    # A clean run that is still going: the execution's start is refused until it ends.
    state_manager.set_transition("glue::job_run", {"progression": "time", "seconds": 1})
    aws["glue"].start_job_run(JobName=CLEAN_JOB)

    described = run_execution(aws, "run-2024-01-17")

    assert described["status"] == "SUCCEEDED"
    history = aws["stepfunctions"].get_execution_history(executionArn=described["executionArn"])["events"]
    failed_starts = [e for e in history if e["type"] == "TaskFailed"
                     and "ConcurrentRunsExceeded" in e["taskFailedEventDetails"]["error"]]
    assert failed_starts


def test_failed_job_run_publishes_alert_and_fails(aws, monkeypatch):
    create_job(aws["glue"], CLEAN_JOB)
    create_job(aws["glue"], STAGING_JOB)
    original_init = FakeJobRun.__init__

    def failing_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self._transitions = [("STARTING", "RUNNING"), ("RUNNING", "FAILED")]

    monkeypatch.setattr(FakeJobRun, "__init__", failing_init)

    described = run_execution(aws, "run-2024-01-18")

    assert described["status"] == "FAILED"
    [alert] = alert_messages(aws)
    message = json.loads(alert["Message"])
    assert message["run_id"] == "run-2024-01-18"
    assert message["error"]["Error"] == "Glue.JobRunFailed"
    assert message["error"]["Cause"]["JobName"] == CLEAN_JOB


def test_missing_staging_job_alerts_after_retries(aws):
    create_job(aws["glue"], CLEAN_JOB)

    described = run_execution(aws, "run-2024-01-19")

    assert described["status"] == "FAILED"
    [alert] = alert_messages(aws)
    assert "EntityNotFound" in json.loads(alert["Message"])["error"]["Error"]
