"""`c360 deploy aws` for real against moto: package, upload, create the stack, and run the
state machine it deployed. moto's CloudFormation skips Glue jobs, alarms and the bucket
policy, so the test creates the two Glue jobs with boto3 (the template tests cover the rest).
moto also creates CloudFormation state machines in its non-executing Step Functions backend:
the run test registers the deployed definition (Wait states at 0 s) and role in the executing
backend."""
from __future__ import annotations

import json
import re
import time
import warnings

import boto3
import pytest
from moto import mock_aws
from moto.core.config import default_user_config
from unittest import mock

from telco360.deploy.aws import STATE_MACHINE_DEFINITION, AwsDeployment, deploy_aws

REGION = "eu-west-1"
DEPLOYMENT = AwsDeployment(
    stack_name="telco360", lake_bucket="telco-lake-test", artifacts_bucket="telco-artifacts-test",
    artifacts_prefix="telco360/artifacts", parameters={"SnowflakeStorageExternalId": "ext-id-0001"},
)


@pytest.fixture(scope="module")
def deployed(repo_root, tmp_path_factory):
    if not (repo_root / STATE_MACHINE_DEFINITION).exists():
        pytest.fail(f"{STATE_MACHINE_DEFINITION} is missing: the stack cannot be packaged without it")
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        session.client("s3").create_bucket(
            Bucket=DEPLOYMENT.artifacts_bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        with warnings.catch_warnings():
            # moto warns for each resource type its CloudFormation skips (see the docstring).
            warnings.filterwarnings("ignore", message="Tried to parse AWS::")
            status = deploy_aws(repo_root, DEPLOYMENT, tmp_path_factory.mktemp("build"), dry_run=False,
                                echo=lambda line: None, session=session, vendor=False)
            outputs = {o["OutputKey"]: o["OutputValue"] for o in session.client("cloudformation")
                       .describe_stacks(StackName=DEPLOYMENT.stack_name)["Stacks"][0]["Outputs"]}
        yield session, status, outputs


def test_stack_is_created(deployed):
    _, status, _ = deployed
    assert status == "CREATE_COMPLETE"


def test_artifacts_are_uploaded_under_content_addressed_keys(deployed):
    session, _, _ = deployed
    keys = [o["Key"] for o in session.client("s3").list_objects_v2(
        Bucket=DEPLOYMENT.artifacts_bucket, Prefix=DEPLOYMENT.artifacts_prefix)["Contents"]]
    # The packaged template itself goes there too once it is over TemplateBody's 51,200 bytes.
    assert sorted(k.rsplit("/", 1)[1] for k in keys if not k.endswith("/template.json")) == [
        "clean_job.py", "staging_job.py", "telco360.zip", "validator.zip"]


def test_lake_bucket_is_encrypted_with_the_stack_kms_key(deployed):
    session, _, _ = deployed
    rule = session.client("s3").get_bucket_encryption(Bucket=DEPLOYMENT.lake_bucket)[
        "ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    key_arns = [k["KeyArn"] for k in session.client("kms").list_keys()["Keys"]]
    assert (rule["SSEAlgorithm"], [rule["KMSMasterKeyID"]]) == ("aws:kms", key_arns)


def test_deployed_validator_policy_names_the_lake_zones(deployed):
    session, _, _ = deployed
    # moto's CloudFormation stores the inline policy as text: the ARNs are read from it.
    document = str(session.client("iam").get_role_policy(
        RoleName="telco360-validator", PolicyName="validator")["PolicyDocument"])
    s3_resources = set(re.findall(r"arn:aws:s3:::[^'\"]+", document))
    lake = f"arn:aws:s3:::{DEPLOYMENT.lake_bucket}"
    assert s3_resources == {f"{lake}/raw/*", f"{lake}/archive/*", f"{lake}/rejected/*", lake}


def test_validator_lambda_is_wired_to_the_alert_topic(deployed):
    session, _, outputs = deployed
    function = session.client("lambda").get_function_configuration(FunctionName="telco360-validator")
    assert function["Environment"]["Variables"]["ALERT_TOPIC_ARN"] == outputs["AlertTopicArn"]


def test_state_machine_definition_names_the_deployed_jobs_and_topic(deployed):
    session, _, outputs = deployed
    definition = session.client("stepfunctions").describe_state_machine(
        stateMachineArn=outputs["DailyStateMachineArn"])["definition"]
    assert "${" not in definition and "telco360-clean" in definition and "telco360-staging" in definition


def test_daily_schedule_targets_the_state_machine(deployed):
    session, _, outputs = deployed
    targets = session.client("events").list_targets_by_rule(Rule="telco360-daily")["Targets"]
    assert [t["Arn"] for t in targets] == [outputs["DailyStateMachineArn"]]


def without_waits(definition: str) -> str:
    """The definition with every Wait state at 0 s: moto really sleeps, the polling loop stays."""
    parsed = json.loads(definition)
    for state in parsed["States"].values():
        if state["Type"] == "Wait":
            state["Seconds"] = 0
    return json.dumps(parsed)


def test_deployed_state_machine_runs_both_glue_jobs_to_success(deployed):
    session, _, outputs = deployed
    glue = session.client("glue")
    for name in ("telco360-clean", "telco360-staging"):
        glue.create_job(Name=name, Role="arn:aws:iam::123456789012:role/glue", GlueVersion="5.0",
                        Command={"Name": "glueetl", "ScriptLocation": f"s3://{DEPLOYMENT.artifacts_bucket}/x.py"})
    states = session.client("stepfunctions")
    deployed_machine = states.describe_state_machine(stateMachineArn=outputs["DailyStateMachineArn"])
    with mock.patch.dict(default_user_config, {"stepfunctions": {"execute_state_machine": True}}):
        machine = states.create_state_machine(name="telco360-daily", definition=without_waits(deployed_machine["definition"]),
                                              roleArn=deployed_machine["roleArn"])
        execution = states.start_execution(stateMachineArn=machine["stateMachineArn"], input=json.dumps({}))
        deadline = time.monotonic() + 120
        while (status := states.describe_execution(executionArn=execution["executionArn"])["status"]) == "RUNNING":
            assert time.monotonic() < deadline, "state machine still RUNNING after 120 s"
            time.sleep(0.5)
    runs = {name: len(glue.get_job_runs(JobName=name)["JobRuns"]) for name in ("telco360-clean", "telco360-staging")}
    assert (status, runs) == ("SUCCEEDED", {"telco360-clean": 1, "telco360-staging": 1})


def test_deploying_the_same_code_again_is_safe(deployed, repo_root, tmp_path):
    session, _, _ = deployed
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Tried to parse AWS::")
        status = deploy_aws(repo_root, DEPLOYMENT, tmp_path, dry_run=False, echo=lambda line: None,
                            session=session, vendor=False)
    assert status in ("UPDATE_COMPLETE", "CREATE_COMPLETE")
