"""Amazon States Language: render the committed definition and follow it locally.

The local follower walks the states of the same .asl.json file that Step Functions runs:
Task states dispatch to local callables registered by resource ARN (Glue start/get, SNS
publish), Pass/Wait/Choice/Succeed/Fail behave as in Step Functions, and Retry/Catch are
honoured. It supports the subset the definition uses (JSONPath `$.a.b` and `$$.Execution.*`,
Choice with StringEquals/Or) and refuses anything else by name, so a change to the
definition that the follower cannot honour fails loudly instead of running differently.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from telco360.runner.handlers import STATE_MACHINE_DEFINITION

DEFINITION_PATH = STATE_MACHINE_DEFINITION
# The values CloudFormation substitutes in AWS (aws/template.yaml), here for the local lake.
LOCAL_SUBSTITUTIONS = {
    "CleanJobName": "telco360-clean",
    "StagingJobName": "telco360-staging",
    "AlertTopicArn": "arn:aws:sns:local:000000000000:telco360-alerts",
}
LOCAL_JOB_SCRIPTS = {"telco360-clean": "clean_job.py", "telco360-staging": "staging_job.py"}
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
# A safety net against a Choice loop that never ends (a job that never reports an end state).
MAX_TRANSITIONS = 1000


class AslError(RuntimeError):
    """The definition uses something the local follower does not support, or is malformed."""


class TaskError(Exception):
    """A Task state's resource failed; `error` is the Step Functions error name."""

    def __init__(self, error: str, cause: str):
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


@dataclass
class Execution:
    """What an execution ended with: status, output (or error and cause), states visited."""

    name: str
    status: str  # SUCCEEDED or FAILED
    output: Any = None
    error: str | None = None
    cause: str | None = None
    visited: list[str] = field(default_factory=list)


def read_definition_text(path: Path = DEFINITION_PATH) -> str:
    return path.read_text(encoding="utf-8")


def render_state_machine(definition_text: str, substitutions: dict[str, str]) -> str:
    """Fill `${Name}` placeholders as CloudFormation's DefinitionSubstitutions does; every
    placeholder must be given (a missing one would reach AWS as a literal `${...}`)."""
    missing = sorted(set(PLACEHOLDER.findall(definition_text)) - set(substitutions))
    if missing:
        raise AslError(f"state machine definition: no value for placeholder(s) {', '.join(missing)}")
    rendered = PLACEHOLDER.sub(lambda m: substitutions[m[1]], definition_text)
    json.loads(rendered)
    return rendered


def with_short_intervals(definition: dict, seconds: int = 1) -> dict:
    """A copy whose Wait states and Retry intervals last `seconds` (for emulators that really
    sleep); the states, their order, retries and catches are unchanged."""
    shortened = copy.deepcopy(definition)
    for state in shortened["States"].values():
        if state["Type"] == "Wait":
            state["Seconds"] = seconds
        for retrier in state.get("Retry", []):
            retrier["IntervalSeconds"] = seconds
            retrier.pop("MaxDelaySeconds", None)
    return shortened


def read_path(path: str, data: Any, context: dict) -> Any:
    """JSONPath of the simple form `$`, `$.a.b`, `$$.a.b` (the context object)."""
    if path.startswith("$$"):
        value, rest = context, path[2:]
    elif path.startswith("$"):
        value, rest = data, path[1:]
    else:
        raise AslError(f"path {path!r}: only JSONPath starting with $ is supported")
    for part in [p for p in rest.split(".") if p]:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", part):
            raise AslError(f"path {path!r}: only plain member names are supported, not {part!r}")
        if not isinstance(value, dict) or part not in value:
            raise TaskError("States.Runtime", f"the JSONPath {path!r} could not be found in the input")
        value = value[part]
    return value


def resolve_parameters(template: Any, data: Any, context: dict) -> Any:
    """Parameters/ResultSelector: keys ending in `.$` take the value at their path."""
    if isinstance(template, dict):
        resolved = {}
        for key, value in template.items():
            if key.endswith(".$"):
                resolved[key[:-2]] = read_path(value, data, context)
            else:
                resolved[key] = resolve_parameters(value, data, context)
        return resolved
    if isinstance(template, list):
        return [resolve_parameters(item, data, context) for item in template]
    return template


def write_result(data: Any, result_path: str | None, result: Any) -> Any:
    """ResultPath: `$` replaces the input, `$.a.b` sets a member (creating parents), null
    keeps the input unchanged."""
    if result_path is None:
        return data
    if result_path == "$":
        return result
    if not result_path.startswith("$."):
        raise AslError(f"ResultPath {result_path!r}: only `$` and `$.a.b` are supported")
    updated = copy.deepcopy(data) if isinstance(data, dict) else {}
    target = updated
    parts = result_path[2:].split(".")
    for part in parts[:-1]:
        child = target.get(part)
        target[part] = child = dict(child) if isinstance(child, dict) else {}
        target = child
    target[parts[-1]] = result
    return updated


def evaluate_rule(rule: dict, data: Any, context: dict) -> bool:
    if "Or" in rule:
        return any(evaluate_rule(r, data, context) for r in rule["Or"])
    if "StringEquals" in rule:
        try:
            value = read_path(rule["Variable"], data, context)
        except TaskError:
            return False
        return value == rule["StringEquals"]
    operators = sorted(set(rule) - {"Variable", "Next"})
    raise AslError(f"Choice operator(s) {', '.join(operators)} not supported by the local follower")


def error_matches(names: list[str], error: str) -> bool:
    if error in names:
        return True
    # As in Step Functions, States.ALL matches every error but States.Runtime (a bad path).
    if "States.ALL" in names:
        return error != "States.Runtime"
    # States.TaskFailed matches any failure of a Task's resource, as in Step Functions.
    return "States.TaskFailed" in names and not error.startswith("States.")


Resource = Callable[[Any], Any]
StateListener = Callable[[str, dict], None]
SUPPORTED_TYPES = {"Task", "Pass", "Wait", "Choice", "Succeed", "Fail"}


def follow(
    definition: dict,
    resources: dict[str, Resource],
    execution_name: str,
    execution_input: Any = None,
    on_state: StateListener | None = None,
) -> Execution:
    """Run the state machine locally. Task states call `resources[<Resource ARN>](parameters)`;
    a resource raises TaskError to fail the task. Waits and retry intervals do not sleep:
    locally every task has ended by the time it returns."""
    unsupported = sorted({s["Type"] for s in definition["States"].values()} - SUPPORTED_TYPES)
    if unsupported:
        raise AslError(f"state type(s) {', '.join(unsupported)} not supported by the local follower")
    context = {"Execution": {"Name": execution_name, "Id": f"local:execution:{execution_name}"}}
    data = {} if execution_input is None else execution_input
    execution = Execution(name=execution_name, status="RUNNING")
    name = definition["StartAt"]
    while True:
        if len(execution.visited) >= MAX_TRANSITIONS:
            raise AslError(f"execution {execution_name}: more than {MAX_TRANSITIONS} transitions; stopped at {name}")
        state = definition["States"][name]
        execution.visited.append(name)
        if on_state:
            on_state(name, state)
        kind = state["Type"]
        if kind == "Succeed":
            execution.status, execution.output = "SUCCEEDED", data
            return execution
        if kind == "Fail":
            execution.status, execution.error, execution.cause = "FAILED", state.get("Error"), state.get("Cause")
            execution.output = data
            return execution
        if kind == "Pass":
            result = resolve_parameters(state["Parameters"], data, context) if "Parameters" in state else state.get("Result", data)
            data = write_result(data, state.get("ResultPath", "$"), result)
        elif kind == "Wait":
            pass
        elif kind == "Choice":
            name = next((r["Next"] for r in state["Choices"] if evaluate_rule(r, data, context)), state.get("Default"))
            if name is None:
                execution.status, execution.error = "FAILED", "States.NoChoiceMatched"
                return execution
            continue
        elif kind == "Task":
            outcome = _run_task(state, resources, data, context)
            if isinstance(outcome, TaskError):
                catcher = next((c for c in state.get("Catch", []) if error_matches(c["ErrorEquals"], outcome.error)), None)
                if catcher is None:
                    execution.status, execution.error, execution.cause = "FAILED", outcome.error, outcome.cause
                    execution.output = data
                    return execution
                data = write_result(data, catcher.get("ResultPath", "$"), {"Error": outcome.error, "Cause": outcome.cause})
                name = catcher["Next"]
                continue
            data = outcome
        if state.get("End"):
            execution.status, execution.output = "SUCCEEDED", data
            return execution
        name = state["Next"]


def _run_task(state: dict, resources: dict[str, Resource], data: Any, context: dict) -> Any:
    """The task's new state data, or the TaskError left after its Retry rules are used up."""
    arn = state["Resource"]
    if arn not in resources:
        raise AslError(f"Task resource {arn} has no local implementation")
    attempts: dict[int, int] = {}
    while True:
        try:
            parameters = resolve_parameters(state.get("Parameters", data), data, context)
            result = resources[arn](parameters)
            if "ResultSelector" in state:
                result = resolve_parameters(state["ResultSelector"], result, context)
            return write_result(data, state.get("ResultPath", "$"), result)
        except TaskError as error:
            index = next(
                (i for i, r in enumerate(state.get("Retry", [])) if error_matches(r["ErrorEquals"], error.error)), None
            )
            if index is None or attempts.get(index, 0) >= state["Retry"][index].get("MaxAttempts", 3):
                return error
            attempts[index] = attempts.get(index, 0) + 1
