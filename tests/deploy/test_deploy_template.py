"""aws/template.yaml: linters clean, and least privilege checked on the parsed template."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_helpers import as_list, role_statements

from telco360.deploy.aws import STATE_MACHINE_DEFINITION, TEMPLATE, load_template, package_template

# Actions that accept no resource-level permission (AWS service authorization reference):
# for these, "*" is the only Resource AWS accepts.
ACTIONS_WITHOUT_RESOURCE_LEVEL = {
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
}


def identity_allow_statements(template: dict):
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            for statement in role_statements(template, name):
                if statement["Effect"] == "Allow":
                    yield name, statement


def resources_of(statement: dict) -> list[str]:
    """Resource ARNs with the template's ${...} left in place (Fn::Sub text, Ref/GetAtt names)."""
    out = []
    for resource in as_list(statement["Resource"]):
        if isinstance(resource, str):
            out.append(resource)
        elif "Fn::Sub" in resource:
            out.append(resource["Fn::Sub"])
        else:
            out.append(json.dumps(resource, sort_keys=True))
    return out


def s3_grants(template: dict, role: str) -> set[tuple[str, str]]:
    """(action, object or bucket ARN pattern) pairs a role is allowed for S3."""
    return {
        (action, resource)
        for statement in role_statements(template, role) if statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]) if action.startswith("s3:")
        for resource in resources_of(statement)
    }


LAKE = "arn:${AWS::Partition}:s3:::${LakeBucketName}"


def test_cfn_lint_reports_nothing(repo_root):
    completed = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), str(repo_root / TEMPLATE)],
                               capture_output=True, text=True, timeout=300)
    assert (completed.returncode, completed.stdout) == (0, "")


def test_cfn_lint_reports_nothing_on_the_packaged_template(repo_root, tmp_path):
    packaged = package_template(load_template(repo_root),
                                (repo_root / STATE_MACHINE_DEFINITION).read_text(encoding="utf-8"))
    (tmp_path / "packaged.json").write_text(json.dumps(packaged), encoding="utf-8")
    completed = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), str(tmp_path / "packaged.json")],
                               capture_output=True, text=True, timeout=300)
    assert (completed.returncode, completed.stdout) == (0, "")


@pytest.fixture(scope="module")
def checkov_report(repo_root, require_tool) -> dict:
    checkov = repo_root / ".venv-tools" / "bin" / "checkov"
    require_tool(checkov.exists(), "checkov lives in its own venv (it pins packages snowflake-cli "
                 "also pins): make tools")
    completed = subprocess.run(
        [str(checkov), "-f", str(repo_root / TEMPLATE), "--framework", "cloudformation",
         "--skip-download", "--quiet", "-o", "json"],
        capture_output=True, text=True, timeout=600,
    )
    return json.loads(completed.stdout)


def test_checkov_reports_no_failed_check(checkov_report):
    failed = [(c["check_id"], c["resource"]) for c in checkov_report["results"]["failed_checks"]]
    assert failed == [] and checkov_report["summary"]["passed"] > 0


def test_every_checkov_skip_is_justified_inline(template):
    skips = [
        skip for resource in template["Resources"].values()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips and all(len(skip.get("comment", "")) > 40 for skip in skips)


def test_no_allow_statement_grants_a_wildcard_action(template):
    wildcards = [
        (role, action) for role, statement in identity_allow_statements(template)
        for action in as_list(statement["Action"]) if action == "*" or action.endswith(":*")
    ]
    assert wildcards == []


def test_resource_star_only_for_actions_that_cannot_name_a_resource(template):
    offending = [
        (role, statement["Sid"]) for role, statement in identity_allow_statements(template)
        if "*" in as_list(statement["Resource"])
        and not set(as_list(statement["Action"])) <= ACTIONS_WITHOUT_RESOURCE_LEVEL
    ]
    assert offending == []


def test_validator_reads_raw_and_writes_only_archive_and_rejected(template):
    assert s3_grants(template, "ValidatorRole") == {
        ("s3:GetObject", f"{LAKE}/raw/*"), ("s3:GetObjectTagging", f"{LAKE}/raw/*"),
        ("s3:DeleteObjectVersion", f"{LAKE}/raw/*"),
        ("s3:GetObject", f"{LAKE}/archive/*"), ("s3:PutObject", f"{LAKE}/archive/*"),
        ("s3:PutObjectTagging", f"{LAKE}/archive/*"),
        ("s3:GetObject", f"{LAKE}/rejected/*"), ("s3:PutObject", f"{LAKE}/rejected/*"),
        ("s3:PutObjectTagging", f"{LAKE}/rejected/*"),
        ("s3:ListBucket", LAKE),
    }


def test_validator_publishes_only_to_the_alert_topic(template):
    sns = [s for s in role_statements(template, "ValidatorRole") if "sns:Publish" in as_list(s["Action"])]
    assert [s["Resource"] for s in sns] == [{"Ref": "AlertTopic"}]


def test_clean_job_reads_archive_and_writes_clean_only(template):
    writes = {r for a, r in s3_grants(template, "CleanJobRole") if a in ("s3:PutObject", "s3:DeleteObject")}
    reads = {r for a, r in s3_grants(template, "CleanJobRole") if a == "s3:GetObject" and r.startswith(LAKE)}
    assert (writes, reads) == (
        {f"{LAKE}/clean/*", f"{LAKE}/clean_$folder$"},
        {f"{LAKE}/archive/*", f"{LAKE}/clean/*", f"{LAKE}/archive", f"{LAKE}/archive_$folder$", f"{LAKE}/clean",
         f"{LAKE}/clean_$folder$"})


def test_staging_job_reads_clean_and_writes_staging_only(template):
    writes = {r for a, r in s3_grants(template, "StagingJobRole") if a in ("s3:PutObject", "s3:DeleteObject")}
    reads = {r for a, r in s3_grants(template, "StagingJobRole") if a == "s3:GetObject" and r.startswith(LAKE)}
    assert (writes, reads) == (
        {f"{LAKE}/staging/*", f"{LAKE}/staging_$folder$"},
        {f"{LAKE}/clean/*", f"{LAKE}/staging/*", f"{LAKE}/clean", f"{LAKE}/clean_$folder$", f"{LAKE}/staging",
         f"{LAKE}/staging_$folder$"})


def test_glue_listing_is_limited_to_each_jobs_zones(template):
    prefixes = {
        role: statement["Condition"]["StringLike"]["s3:prefix"]
        for role in ("CleanJobRole", "StagingJobRole")
        for statement in role_statements(template, role) if statement["Action"] == "s3:ListBucket"
    }
    assert prefixes == {"CleanJobRole": ["archive/*", "clean/*", "archive", "clean"],
                        "StagingJobRole": ["clean/*", "staging/*", "clean", "staging"]}


def test_snowflake_role_is_read_only_on_staging(template):
    assert s3_grants(template, "SnowflakeStagingReadRole") == {
        ("s3:GetObject", f"{LAKE}/staging/*"), ("s3:GetObjectVersion", f"{LAKE}/staging/*"),
        ("s3:ListBucket", LAKE), ("s3:GetBucketLocation", LAKE),
    }


def test_snowflake_role_is_trusted_only_with_the_external_id(template):
    trust = template["Resources"]["SnowflakeStagingReadRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Condition"] for s in trust] == [{"StringEquals": {"sts:ExternalId": {"Ref": "SnowflakeStorageExternalId"}}}]


def test_each_service_has_its_own_role(template):
    principals = {
        name: resource["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        for name, resource in template["Resources"].items() if resource["Type"] == "AWS::IAM::Role"
    }
    services = [p["Service"] for p in principals.values() if "Service" in p]
    assert sorted(services) == ["events.amazonaws.com", "events.amazonaws.com", "glue.amazonaws.com",
                                "glue.amazonaws.com", "lambda.amazonaws.com", "states.amazonaws.com",
                                "states.amazonaws.com"]


def test_bucket_policy_denies_every_request_without_tls(template):
    statements = template["Resources"]["LakeBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    tls = [s for s in statements if s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}]
    assert [(s["Effect"], s["Principal"], s["Action"]) for s in tls] == [("Deny", "*", "s3:*")]


def test_bucket_blocks_every_kind_of_public_access(template):
    block = template["Resources"]["LakeBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert block == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                     "IgnorePublicAcls": True, "RestrictPublicBuckets": True}


def test_bucket_is_versioned_and_encrypted_with_the_stack_kms_key(template):
    bucket = template["Resources"]["LakeBucket"]["Properties"]
    default = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert (bucket["VersioningConfiguration"], default) == (
        {"Status": "Enabled"}, {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["LakeKey", "Arn"]}})


def test_every_zone_has_a_lifecycle_rule(template):
    rules = template["Resources"]["LakeBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert sorted(r["Prefix"] for r in rules) == ["archive/", "clean/", "raw/", "rejected/", "staging/"]


def test_objects_created_under_raw_invoke_the_validator(template):
    notification = template["Resources"]["LakeBucket"]["Properties"]["NotificationConfiguration"]
    assert {"LambdaConfigurations": notification["LambdaConfigurations"]} == {"LambdaConfigurations": [{
        "Event": "s3:ObjectCreated:*",
        "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "raw/"}]}},
        "Function": {"Fn::GetAtt": ["ValidatorFunction", "Arn"]},
    }]}


def test_glue_jobs_run_glue_5_scripts_from_the_artifacts_bucket(template):
    jobs = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Glue::Job"]
    assert [(j["GlueVersion"], j["Command"]["ScriptLocation"]["Fn::Sub"].split("/")[2]) for j in jobs] == [
        ("5.0", "${ArtifactsBucket}"), ("5.0", "${ArtifactsBucket}")]


def test_state_machine_substitutes_exactly_the_three_placeholders(template):
    machine = template["Resources"]["DailyStateMachine"]["Properties"]
    assert sorted(machine["DefinitionSubstitutions"]) == ["AlertTopicArn", "CleanJobName", "StagingJobName"]
