"""The on-arrival trigger (ArrivalStateMachine of aws/template.yaml) in moto's Step Functions
interpreter, starting the committed lake run definition against moto's Glue: arrivals within
the batching window start one lake run, and a lake run never starts while another is running.
Waits are shortened to 1 s (`with_short_intervals`).

Step Functions names the parameters and results of SDK integrations in PascalCase
(`StateMachineArn`, `Executions`) and converts them to and from the service API's member names;
moto's interpreter leaves that conversion out and hands the names to boto3 as they are. The
`sdk_names` fixture gives it the conversion (botocore's service model, test-only patch), so the
definition runs here exactly as written for AWS."""
from __future__ import annotations

import json
import time
from pathlib import Path

import boto3
import botocore.session
import pytest
from botocore import xform_name
from moto import mock_aws
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import StateTaskService
from moto.moto_api import state_manager

from telco360.deploy.aws import load_template
from telco360.runner.asl import read_definition_text, render_state_machine, with_short_intervals

REGION = "us-east-1"
REPO = Path(__file__).resolve().parents[2]
JOBS = ("c360-clean", "c360-staging")


@pytest.fixture()
def sdk_names(monkeypatch):
    """moto's Task states convert SDK parameter and result names as Step Functions does."""
    models = {}

    def operation(task, service, action):
        service = service or task._get_boto_service_name()
        model = models.setdefault(service, botocore.session.get_session().get_service_model(service))
        action = action or task._get_boto_service_action()
        return model.operation_model(next(op for op in model.operation_names if xform_name(op) == action))

    def normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
        shape = operation(self, boto_service_name, service_action_name).input_shape
        if shape is not None:
            self._to_boto_request(parameters, shape)

    def normalise_response(self, response, boto_service_name=None, service_action_name=None):
        shape = operation(self, boto_service_name, service_action_name).output_shape
        if shape is not None:
            self._from_boto_response(response, shape)

    monkeypatch.setattr(StateTaskService, "_normalise_parameters", normalise_parameters)
    monkeypatch.setattr(StateTaskService, "_normalise_response", normalise_response)


@pytest.fixture()
def aws(sdk_names):
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        states = boto3.client("stepfunctions", region_name=REGION)
        glue = boto3.client("glue", region_name=REGION)
        topic = boto3.client("sns", region_name=REGION).create_topic(Name="c360-alerts")["TopicArn"]
        role = boto3.client("iam", region_name=REGION).create_role(
            RoleName="c360-states", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        for name in JOBS:
            glue.create_job(Name=name, Role="c360-glue", Command={"Name": "glueetl", "ScriptLocation": f"s3://a/{name}.py"},
                            ExecutionProperty={"MaxConcurrentRuns": 1})
        lake = render_state_machine(read_definition_text(), {"CleanJobName": JOBS[0], "StagingJobName": JOBS[1],
                                                               "AlertTopicArn": topic})
        lake_arn = states.create_state_machine(name="c360-daily", roleArn=role,
                                               definition=json.dumps(with_short_intervals(json.loads(lake))))["stateMachineArn"]
        definition = load_template(REPO)["Resources"]["ArrivalStateMachine"]["Properties"]["Definition"]
        arrival = render_state_machine(json.dumps(definition), {"DailyStateMachineArn": lake_arn})
        arrival_arn = states.create_state_machine(name="c360-arrival", roleArn=role,
                                                  definition=json.dumps(with_short_intervals(json.loads(arrival))))["stateMachineArn"]
        yield {"states": states, "glue": glue, "lake_arn": lake_arn, "arrival_arn": arrival_arn}
        state_manager.unset_transition("glue::job_run")


def wait_until_idle(aws, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while any(aws["states"].list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
              for arn in (aws["arrival_arn"], aws["lake_arn"])):
        assert time.monotonic() < deadline, "executions still running"
        time.sleep(0.3)


def lake_runs(aws) -> list[dict]:
    listed = aws["states"].list_executions(stateMachineArn=aws["lake_arn"])["executions"]
    return sorted((aws["states"].describe_execution(executionArn=e["executionArn"]) for e in listed),
                  key=lambda e: e["startDate"])


def arrive(aws, name: str) -> None:
    aws["states"].start_execution(stateMachineArn=aws["arrival_arn"], name=name, input="{}")


def test_one_arrival_starts_one_lake_run_named_after_it(aws):
    arrive(aws, "arrival-1")
    wait_until_idle(aws)
    assert [(r["name"], r["status"]) for r in lake_runs(aws)] == [("arrival-1", "SUCCEEDED")]


def test_arrivals_within_the_window_start_one_lake_run(aws):
    for n in range(3):
        arrive(aws, f"arrival-{n}")
    wait_until_idle(aws)
    assert [(r["name"], r["status"]) for r in lake_runs(aws)] == [("arrival-2", "SUCCEEDED")]
    assert len(aws["glue"].get_job_runs(JobName=JOBS[0])["JobRuns"]) == 1


def test_an_arrival_during_a_lake_run_starts_the_next_one_after_it_ends(aws):
    # Glue runs that take a few seconds, so the first lake run is still going when the second
    # arrival has waited out its window.
    state_manager.set_transition("glue::job_run", {"progression": "time", "seconds": 2})
    aws["states"].start_execution(stateMachineArn=aws["lake_arn"], name="daily-run", input="{}")
    arrive(aws, "arrival-1")
    wait_until_idle(aws)
    runs = lake_runs(aws)
    assert [(r["name"], r["status"]) for r in runs] == [("daily-run", "SUCCEEDED"), ("arrival-1", "SUCCEEDED")]
    assert runs[0]["stopDate"] <= runs[1]["startDate"]
