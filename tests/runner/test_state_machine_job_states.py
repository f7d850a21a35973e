"""The polling loop of the committed state machine against every Glue job run state botocore
knows (and one it does not): only a run still in progress is polled again; anything else
ends the loop, and the execution itself has a timeout, so its alarm can fire."""
from __future__ import annotations

import json
import re
from pathlib import Path

import botocore.session
import pytest
import yaml
from moto.glue.models import FakeJobRun

from telco360.deploy.aws import load_template
from telco360.runner.asl import AslError, follow, read_definition_text, render_state_machine
from telco360.runner.asl import LOCAL_SUBSTITUTIONS

from test_state_machine_moto import CLEAN_JOB, STAGING_JOB, alert_messages, aws, create_job, run_execution  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
START = "arn:aws:states:::glue:startJobRun"
GET = "arn:aws:states:::aws-sdk:glue:getJobRun"
PUBLISH = "arn:aws:states:::sns:publish"
# Glue's API reference: a run in these states has not ended yet.
IN_PROGRESS = {"STARTING", "RUNNING", "STOPPING", "WAITING"}
GLUE_JOB_RUN_STATES = botocore.session.get_session().get_service_model("glue").shape_for("JobRunState").enum
# Snowflake's root task reads staging/ at 06:00 UTC, four hours after the daily run starts at
# 02:00 (aws/template.yaml ScheduleExpression, snowflake.yml task_schedule).
HOURS_BEFORE_SNOWFLAKE_READS = 4


def committed_definition() -> dict:
    return json.loads(render_state_machine(read_definition_text(), LOCAL_SUBSTITUTIONS))


def run_with_clean_job_state(state: str):
    """Follow the definition with Job A's GetJobRun always answering `state`, Job B succeeding."""
    alerts = []
    resources = {
        START: lambda params: {"JobRunId": f"jr-{params['JobName']}"},
        GET: lambda params: {"JobRun": {"JobRunState": state if params["JobName"] == LOCAL_SUBSTITUTIONS["CleanJobName"]
                                        else "SUCCEEDED"}},
        PUBLISH: lambda params: alerts.append(params) or {"MessageId": "m"},
    }
    return follow(committed_definition(), resources, "run-states"), alerts


@pytest.mark.parametrize("state", sorted(set(GLUE_JOB_RUN_STATES) - IN_PROGRESS) + ["A_STATE_GLUE_ADDS_LATER"])
def test_a_run_that_is_not_in_progress_ends_the_loop(state):
    execution, alerts = run_with_clean_job_state(state)
    expected = ("SUCCEEDED", 0) if state == "SUCCEEDED" else ("FAILED", 1)
    assert (execution.status, len(alerts)) == expected


@pytest.mark.parametrize("state", sorted(IN_PROGRESS))
def test_a_run_in_progress_is_polled_again(state):
    assert state in GLUE_JOB_RUN_STATES
    with pytest.raises(AslError, match="transitions"):
        run_with_clean_job_state(state)


def test_execution_times_out_after_both_jobs_could_and_before_snowflake_reads():
    jobs = [r["Properties"] for r in load_template(REPO)["Resources"].values() if r["Type"] == "AWS::Glue::Job"]
    timeout = committed_definition().get("TimeoutSeconds")
    assert timeout is not None
    assert sum(job["Timeout"] * 60 for job in jobs) < timeout <= HOURS_BEFORE_SNOWFLAKE_READS * 3600


def test_expired_job_run_in_moto_fails_the_execution_and_alerts(aws, monkeypatch):  # noqa: F811
    create_job(aws["glue"], CLEAN_JOB)
    create_job(aws["glue"], STAGING_JOB)
    original_init = FakeJobRun.__init__

    def expiring_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self._transitions = [("STARTING", "RUNNING"), ("RUNNING", "EXPIRED")]

    monkeypatch.setattr(FakeJobRun, "__init__", expiring_init)

    described = run_execution(aws, "run-2024-01-20")

    assert described["status"] == "FAILED"
    [alert] = alert_messages(aws)
    message = json.loads(alert["Message"])
    assert (message["error"]["Error"], message["error"]["Cause"]["status"]["JobRunState"]) == (
        "Glue.JobRunFailed", "EXPIRED")


def test_the_timeout_check_reads_the_snowflake_hour_it_names():
    project = yaml.safe_load((REPO / "snowflake.yml").read_text(encoding="utf-8"))
    schedule = load_template(REPO)["Parameters"]["ScheduleExpression"]["Default"]
    snowflake_hour = int(re.fullmatch(r"USING CRON \d+ (\d+) .* UTC", project["env"]["task_schedule"]).group(1))
    daily_hour = int(re.fullmatch(r"cron\(\d+ (\d+) .*\)", schedule).group(1))
    assert snowflake_hour - daily_hour == HOURS_BEFORE_SNOWFLAKE_READS
