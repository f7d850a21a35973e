"""aws/template.yaml's Trigger parameter: `daily` keeps the schedule; `on-arrival` wires archive/
"Object Created" events through EventBridge to the arrival state machine, which may list and
start lake runs and nothing else. Its behaviour runs in moto: tests/runner/test_arrival_trigger_moto.py."""
from __future__ import annotations

import pytest

from telco360.deploy.aws import load_template


@pytest.fixture(scope="module")
def template(repo_root) -> dict:
    return load_template(repo_root)


def test_trigger_is_daily_unless_on_arrival_is_asked(template):
    trigger = template["Parameters"]["Trigger"]
    assert (trigger["Default"], trigger["AllowedValues"]) == ("daily", ["daily", "on-arrival"])


def test_daily_schedule_exists_only_for_the_daily_trigger(template):
    resources = template["Resources"]
    assert template["Conditions"]["RunsDaily"] == {"Fn::Equals": [{"Ref": "Trigger"}, "daily"]}
    assert (resources["DailySchedule"]["Condition"], resources["ScheduleRole"]["Condition"]) == ("RunsDaily", "RunsDaily")


def test_on_arrival_every_archived_file_of_the_lake_starts_the_arrival_machine(template):
    resources = template["Resources"]
    rule = resources["ArrivalRule"]
    bucket_events = resources["LakeBucket"]["Properties"]["NotificationConfiguration"]["EventBridgeConfiguration"]
    assert template["Conditions"]["RunsOnArrival"] == {"Fn::Equals": [{"Ref": "Trigger"}, "on-arrival"]}
    assert (rule["Condition"], bucket_events["Fn::If"][:2]) == ("RunsOnArrival", ["RunsOnArrival", {"EventBridgeEnabled": True}])
    assert rule["Properties"]["EventPattern"] == {
        "source": ["aws.s3"], "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [{"Ref": "LakeBucketName"}]}, "object": {"key": [{"prefix": "archive/"}]}}}
    assert [t["Arn"] for t in rule["Properties"]["Targets"]] == [{"Ref": "ArrivalStateMachine"}]


def test_arrival_machine_may_only_list_and_start_lake_runs(template):
    statements = [s for p in template["Resources"]["ArrivalStateMachineRole"]["Properties"]["Policies"]
                  for s in p["PolicyDocument"]["Statement"] if not s["Sid"] == "DeliverExecutionLogs"]
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        ("states:ListExecutions", [
            {"Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${ProjectName}-arrival"},
            {"Ref": "DailyStateMachine"}]),
        ("states:StartExecution", {"Ref": "DailyStateMachine"}),
    ]
    machine = template["Resources"]["ArrivalStateMachine"]["Properties"]
    assert machine["StateMachineName"] == {"Fn::Sub": "${ProjectName}-arrival"}
    assert machine["DefinitionSubstitutions"] == {"DailyStateMachineArn": {"Ref": "DailyStateMachine"}}


def test_on_arrival_stack_in_moto_has_the_arrival_rule_instead_of_the_schedule(repo_root, tmp_path):
    import warnings

    import boto3
    from moto import mock_aws

    from telco360.deploy.aws import AwsDeployment, deploy_aws

    deployment = AwsDeployment(
        stack_name="telco360", lake_bucket="telco-lake-test", artifacts_bucket="telco-artifacts-test",
        artifacts_prefix="telco360/artifacts",
        parameters={"SnowflakeStorageExternalId": "ext-id-0001", "Trigger": "on-arrival"})
    with mock_aws():
        session = boto3.Session(region_name="eu-west-1")
        session.client("s3").create_bucket(Bucket=deployment.artifacts_bucket,
                                           CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Tried to parse AWS::")
            status = deploy_aws(repo_root, deployment, tmp_path, dry_run=False, echo=lambda line: None,
                                session=session, vendor=False)
        events = session.client("events")
        rules = sorted(r["Name"] for r in events.list_rules()["Rules"])
        targets = [t["Arn"].rsplit(":", 1)[1] for t in events.list_targets_by_rule(Rule="telco360-arrival")["Targets"]]
    assert (status, rules, targets) == ("CREATE_COMPLETE", ["telco360-arrival", "telco360-raw-backlog"], ["telco360-arrival"])
