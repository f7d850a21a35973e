"""aws/template.yaml: what a first deploy to a real account hits and moto cannot see
(issue #20): quotas, retained data, Glue's folder markers, trust conditions."""
from __future__ import annotations

import fnmatch
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_helpers import as_list, role_statements
import yaml

from telco360 import contract
from telco360.deploy.aws import TEMPLATE

LAKE = "arn:${AWS::Partition}:s3:::${LakeBucketName}"


def allowed(template: dict, role: str, action: str, arn: str) -> bool:
    """Whether an Allow statement of the role names the action on an ARN pattern matching `arn`
    (patterns as the template spells them: `${...}` left in place, `*` a wildcard)."""
    for statement in role_statements(template, role):
        if statement["Effect"] != "Allow" or action not in as_list(statement["Action"]):
            continue
        for resource in as_list(statement["Resource"]):
            pattern = resource.get("Fn::Sub") if isinstance(resource, dict) else resource
            if isinstance(pattern, str) and fnmatch.fnmatchcase(arn, pattern.replace("[", "[[]")):
                return True
    return False


# ---------------------------------------------------------------- 1. concurrency quota

def test_validator_reserves_no_concurrency_unless_a_parameter_asks(template):
    function = template["Resources"]["ValidatorFunction"]["Properties"]
    reserved = function["ReservedConcurrentExecutions"]
    condition, when_set, when_unset = reserved["Fn::If"]
    parameter = template["Parameters"][when_set["Ref"]]
    assert (parameter["Default"], when_unset) == ("", {"Ref": "AWS::NoValue"})
    assert template["Conditions"][condition] == {"Fn::Not": [{"Fn::Equals": [{"Ref": when_set["Ref"]}, ""]}]}


# ---------------------------------------------------------------- 3. Glue's S3 keys

def keys_a_spark_job_touches(zone: str) -> dict[str, list[str]]:
    """Keys EMRFS reads and writes for a Spark write under `<zone>/`: the objects, the
    `<dir>_$folder$` markers of every folder including the zone itself, and a HEAD of each
    parent key up to the zone (mkdirs walks them)."""
    folder = f"{zone}/customers/ingest_date=2024-01-15"
    return {
        "s3:PutObject": [f"{folder}/part-00000.snappy.parquet", f"{folder}_$folder$",
                         f"{zone}/customers_$folder$", f"{zone}_$folder$"],
        "s3:DeleteObject": [f"{folder}/part-00000.snappy.parquet", f"{zone}_$folder$",
                            f"{zone}/customers_$folder$"],
        "s3:GetObject": [f"{folder}/part-00000.snappy.parquet", folder, f"{zone}/customers", zone,
                         f"{zone}_$folder$"],
    }


def keys_a_spark_job_reads(zone: str) -> list[str]:
    return [f"{zone}/customers/ingest_date=2024-01-15/customers_20240115.ndjson",
            f"{zone}/customers", zone, f"{zone}_$folder$"]


@pytest.mark.parametrize("role, reads, writes", [
    ("CleanJobRole", contract.ARCHIVE, contract.CLEAN),
    ("StagingJobRole", contract.CLEAN, contract.STAGING),
])
def test_glue_role_allows_every_key_emrfs_touches_including_folder_markers(template, role, reads, writes):
    needed = [(action, key) for action, keys in keys_a_spark_job_touches(writes).items() for key in keys]
    needed += [("s3:GetObject", key) for key in keys_a_spark_job_reads(reads)]
    denied = [(action, key) for action, key in needed if not allowed(template, role, action, f"{LAKE}/{key}")]
    assert denied == []


@pytest.mark.parametrize("role, zones", [
    ("CleanJobRole", {contract.ARCHIVE, contract.CLEAN}),
    ("StagingJobRole", {contract.CLEAN, contract.STAGING}),
])
def test_glue_role_reaches_no_key_outside_its_zones_and_their_markers(template, role, zones):
    outside = [zone for zone in (contract.RAW, contract.ARCHIVE, contract.REJECTED, contract.CLEAN, contract.STAGING)
               if zone not in zones]
    reachable = [(action, key) for zone in outside for action, keys in keys_a_spark_job_touches(zone).items()
                 for key in keys if allowed(template, role, action, f"{LAKE}/{key}")]
    assert reachable == []


# ---------------------------------------------------------------- 7. retained data

RETAINED_TYPES = ("AWS::KMS::Key", "AWS::S3::Bucket", "AWS::Logs::LogGroup")


def test_key_bucket_and_log_groups_outlive_the_stack(template):
    policies = {name: (r.get("DeletionPolicy"), r.get("UpdateReplacePolicy"))
                for name, r in template["Resources"].items() if r["Type"] in RETAINED_TYPES}
    assert {"LakeKey", "LakeBucket", "ValidatorLogGroup", "StateMachineLogGroup"} <= set(policies)
    assert set(policies.values()) == {("Retain", "Retain")}


def test_cfn_lint_with_info_checks_reports_nothing(repo_root):
    completed = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), "--include-checks", "I",
                                "--", str(repo_root / TEMPLATE)], capture_output=True, text=True, timeout=300)
    assert (completed.returncode, completed.stdout) == (0, "")


def test_ci_runs_cfn_lint_with_info_checks(repo_root):
    workflow = yaml.safe_load((repo_root / ".github/workflows/deploy.yml").read_text(encoding="utf-8"))
    runs = [step.get("run", "") for step in workflow["jobs"]["lint-and-test"]["steps"]]
    assert [r for r in runs if "cfn-lint" in r and "--include-checks I" in r]


# ---------------------------------------------------------------- 8. nothing expires unsettled

def test_raw_zone_never_expires_current_objects(template):
    [raw] = [r for r in template["Resources"]["LakeBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
             if r["Prefix"] == "raw/"]
    assert "ExpirationInDays" not in raw and "ExpirationDate" not in raw


# ---------------------------------------------------------------- 9. smaller

def test_every_service_trust_names_this_account_as_source(template):
    unconditioned = [
        name for name, resource in template["Resources"].items() if resource["Type"] == "AWS::IAM::Role"
        for statement in resource["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        if "Service" in statement["Principal"]
        and statement.get("Condition", {}).get("StringEquals", {}).get("aws:SourceAccount") != {"Ref": "AWS::AccountId"}
    ]
    assert unconditioned == []


def test_validator_may_copy_tagged_objects(template):
    assert allowed(template, "ValidatorRole", "s3:GetObjectTagging", f"{LAKE}/raw/customers/a.ndjson")
    for zone in (contract.ARCHIVE, contract.REJECTED):
        assert allowed(template, "ValidatorRole", "s3:PutObjectTagging", f"{LAKE}/{zone}/customers/a.ndjson")



def test_validator_deletes_raw_versions_not_keys(template):
    raw = f"{LAKE}/raw/customers/a.ndjson"
    assert (allowed(template, "ValidatorRole", "s3:DeleteObjectVersion", raw),
            allowed(template, "ValidatorRole", "s3:DeleteObject", raw)) == (True, False)


# ---------------------------------------------------------------- 4. large gzip files

# One full vCPU at 1,769 MB (Lambda developer guide); the validator checks on one core.
FULL_VCPU_MB = 1769


def test_validator_has_a_full_vcpu_and_lambdas_longest_timeout(template):
    function = template["Resources"]["ValidatorFunction"]["Properties"]
    assert (function["MemorySize"] >= FULL_VCPU_MB, function["Timeout"]) == (True, 900)


def test_a_validation_near_the_timeout_raises_an_alarm_before_one_times_out(template):
    timeout_ms = template["Resources"]["ValidatorFunction"]["Properties"]["Timeout"] * 1000
    alarms = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"
              and r["Properties"]["Namespace"] == "AWS/Lambda" and r["Properties"]["MetricName"] == "Duration"]
    assert [(a["Statistic"], a["ComparisonOperator"], a["Dimensions"], a["AlarmActions"]) for a in alarms] == [
        ("Maximum", "GreaterThanOrEqualToThreshold", [{"Name": "FunctionName", "Value": {"Ref": "ValidatorFunction"}}],
         [{"Ref": "AlertTopic"}])]
    assert timeout_ms / 2 <= alarms[0]["Threshold"] < timeout_ms


def test_an_hourly_schedule_has_the_validator_check_raw_for_files_left_behind(template):
    resources = template["Resources"]
    [rule] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Events::Rule"
              and [t["Arn"] for t in r["Properties"]["Targets"]] == [{"Fn::GetAtt": ["ValidatorFunction", "Arn"]}]]
    [permission] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"
                    and r["Properties"]["Principal"] == "events.amazonaws.com"]
    function = resources["ValidatorFunction"]["Properties"]
    assert (rule["ScheduleExpression"], function["Environment"]["Variables"]["LAKE_BUCKET"]) == (
        "rate(1 hour)", {"Ref": "LakeBucketName"})
    assert permission["SourceArn"]["Fn::GetAtt"][1] == "Arn"
    assert resources[permission["SourceArn"]["Fn::GetAtt"][0]]["Properties"] == rule


def test_glue_jobs_log_to_groups_the_stack_creates_with_retention(template):
    groups = {r["Properties"]["LogGroupName"]["Fn::Sub"]: r["Properties"] for r in template["Resources"].values()
              if r["Type"] == "AWS::Logs::LogGroup"}
    prefixes = [r["Properties"]["DefaultArguments"].get("--custom-logGroup-prefix")
                for r in template["Resources"].values() if r["Type"] == "AWS::Glue::Job"]
    assert len(prefixes) == 2 and None not in prefixes
    # Glue 5.0 writes `<prefix>/error` (system and Spark logs) and `<prefix>/output` (stdout, stderr).
    written = {f"{prefix['Fn::Sub']}/{stream}" for prefix in prefixes for stream in ("error", "output")}
    assert written <= set(groups)
    assert {name: groups[name]["RetentionInDays"] for name in written} == dict.fromkeys(written, {"Ref": "LogRetentionDays"})
