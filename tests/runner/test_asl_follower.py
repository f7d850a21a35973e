"""The local follower walks the committed definition with stub Glue jobs and a stub alert sink."""
from __future__ import annotations

import json

import pytest

from telco360.runner.asl import (
    LOCAL_SUBSTITUTIONS,
    AslError,
    TaskError,
    follow,
    read_definition_text,
    render_state_machine,
    resolve_parameters,
    with_short_intervals,
    write_result,
)
from telco360.runner.glue_local import LocalAws

CLEAN = LOCAL_SUBSTITUTIONS["CleanJobName"]
STAGING = LOCAL_SUBSTITUTIONS["StagingJobName"]


def committed_definition() -> dict:
    return json.loads(render_state_machine(read_definition_text(), LOCAL_SUBSTITUTIONS))


def recording_job(name: str, calls: list, fail: bool = False):
    def main(argv: list[str]) -> dict:
        calls.append((name, argv))
        if fail:
            raise RuntimeError(f"{name} broke")
        return {"job": name}
    return main


def test_render_fills_every_placeholder():
    rendered = render_state_machine('{"A": "${CleanJobName}", "B": "${AlertTopicArn}"}',
                                    {"CleanJobName": "j", "AlertTopicArn": "t"})

    assert json.loads(rendered) == {"A": "j", "B": "t"}


def test_render_refuses_a_missing_placeholder():
    with pytest.raises(AslError, match="StagingJobName"):
        render_state_machine('{"A": "${StagingJobName}"}', {"CleanJobName": "j"})


def test_short_intervals_change_waits_and_retries_only():
    definition = committed_definition()

    shortened = with_short_intervals(definition, seconds=1)

    assert {s["Seconds"] for s in shortened["States"].values() if s["Type"] == "Wait"} == {1}
    assert {r["IntervalSeconds"] for s in shortened["States"].values() for r in s.get("Retry", [])} == {1}
    assert list(shortened["States"]) == list(definition["States"])


def test_parameters_resolve_paths_and_context():
    resolved = resolve_parameters({"Job": "x", "Args": {"--run_id.$": "$$.Execution.Name"}, "Id.$": "$.job.id"},
                                  {"job": {"id": "jr_1"}}, {"Execution": {"Name": "run-1"}})

    assert resolved == {"Job": "x", "Args": {"--run_id": "run-1"}, "Id": "jr_1"}


def test_result_path_sets_a_nested_member_and_keeps_the_rest():
    assert write_result({"a": 1, "job": {"id": "x"}}, "$.job.status", {"s": "OK"}) == {
        "a": 1, "job": {"id": "x", "status": {"s": "OK"}}}


def test_jobs_run_in_the_order_of_the_definition_with_the_execution_name_as_run_id():
    calls = []
    aws = LocalAws("/lake", {STAGING: recording_job(STAGING, calls), CLEAN: recording_job(CLEAN, calls)})

    execution = follow(committed_definition(), aws.resources(), "2024-01-15_r1")

    assert execution.status == "SUCCEEDED"
    assert calls == [
        (CLEAN, ["--lake_uri", "/lake", "--run_id", "2024-01-15_r1"]),
        (STAGING, ["--lake_uri", "/lake", "--run_id", "2024-01-15_r1"]),
    ]


def test_failed_clean_job_alerts_fails_and_never_starts_staging():
    calls = []
    aws = LocalAws("/lake", {CLEAN: recording_job(CLEAN, calls, fail=True), STAGING: recording_job(STAGING, calls)})

    execution = follow(committed_definition(), aws.resources(), "run-1")

    assert (execution.status, execution.error) == ("FAILED", "Customer360.LakeRunFailed")
    assert [name for name, _ in calls] == [CLEAN]
    [alert] = aws.alerts
    assert alert["message"]["error"]["Error"] == "Glue.JobRunFailed"
    assert alert["message"]["error"]["Cause"]["JobName"] == CLEAN


def test_failing_start_is_retried_as_the_definition_says_then_caught():
    attempts = []

    def refusing_start(parameters):
        attempts.append(parameters["JobName"])
        raise TaskError("Glue.ConcurrentRunsExceededException", "already running")

    aws = LocalAws("/lake", {})
    resources = {**aws.resources(), "arn:aws:states:::glue:startJobRun": refusing_start}
    definition = committed_definition()
    max_attempts = definition["States"]["StartCleanJob"]["Retry"][0]["MaxAttempts"]

    execution = follow(definition, resources, "run-1")

    assert len(attempts) == 1 + max_attempts
    assert execution.status == "FAILED"
    assert aws.alerts[0]["message"]["error"]["Error"] == "Glue.ConcurrentRunsExceededException"


def test_retry_then_success_continues_the_execution():
    outcomes = iter([TaskError("Glue.ConcurrentRunsExceededException", "busy"), None])
    aws = LocalAws("/lake", {CLEAN: lambda argv: {}, STAGING: lambda argv: {}})

    def flaky_start(parameters):
        error = next(outcomes, None)
        if error:
            raise error
        return aws.start_job_run(parameters)

    execution = follow(committed_definition(), {**aws.resources(), "arn:aws:states:::glue:startJobRun": flaky_start}, "run-1")

    assert execution.status == "SUCCEEDED"
    assert [run.job_name for run in aws.job_runs] == [CLEAN, STAGING]


def test_unsupported_choice_operator_is_refused_by_name():
    definition = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "S"}], "Default": "S"},
        "S": {"Type": "Succeed"}}}

    with pytest.raises(AslError, match="NumericEquals"):
        follow(definition, {}, "run-1", {"n": 1})


def test_unsupported_state_type_is_refused_by_name():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [], "End": True}}}

    with pytest.raises(AslError, match="Parallel"):
        follow(definition, {}, "run-1")
