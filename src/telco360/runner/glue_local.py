"""Local stand-ins for the AWS resources the state machine's Task states call.

`glue:startJobRun` runs the very Glue script (`glue/*.py`, `main(argv)`) synchronously on
local PySpark and records how it ended; `aws-sdk:glue:getJobRun` reports that record, as
Glue would once the run is over; `sns:publish` keeps the alert for the run record and logs
it. A job that raises is a FAILED job run (as in Glue), not a failed task.
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from telco360.logs import get_logger, log_event
from telco360.runner.asl import TaskError

START_JOB_RUN = "arn:aws:states:::glue:startJobRun"
GET_JOB_RUN = "arn:aws:states:::aws-sdk:glue:getJobRun"
SNS_PUBLISH = "arn:aws:states:::sns:publish"
LOGGER = get_logger("telco360.runner")

JobMain = Callable[[list[str]], dict]


@dataclass
class JobRun:
    job_name: str
    run_id: str
    arguments: dict[str, str]
    state: str = "RUNNING"
    summary: dict | None = None
    error: str | None = None
    seconds: float = 0.0


@dataclass
class LocalAws:
    """Glue and SNS for one local execution, over the lake folder `lake_uri`."""

    lake_uri: str
    jobs: dict[str, JobMain]
    job_runs: list[JobRun] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)
    on_job: Callable[[str], None] | None = None
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def resources(self) -> dict[str, Callable[[dict], Any]]:
        return {START_JOB_RUN: self.start_job_run, GET_JOB_RUN: self.get_job_run, SNS_PUBLISH: self.publish}

    def start_job_run(self, parameters: dict) -> dict:
        name = parameters["JobName"]
        if name not in self.jobs:
            raise TaskError("Glue.EntityNotFoundException", f"Job {name} not found (local jobs: {', '.join(self.jobs)})")
        arguments = dict(parameters.get("Arguments", {}))
        run = JobRun(name, f"jr_local_{next(self._ids)}", arguments)
        self.job_runs.append(run)
        if self.on_job:
            self.on_job(name)
        started = time.monotonic()
        try:
            run.summary = self.jobs[name](["--lake_uri", self.lake_uri, *_argv(arguments)])
            run.state = "SUCCEEDED"
        except Exception as error:  # a crashing job is a FAILED run, reported by getJobRun
            run.state, run.error = "FAILED", f"{type(error).__name__}: {error}"
            log_event(LOGGER, "glue job run failed", logging.ERROR, job=name, run_id=run.run_id, error=run.error)
        run.seconds = round(time.monotonic() - started, 3)
        return {"JobRunId": run.run_id}

    def get_job_run(self, parameters: dict) -> dict:
        run = next((r for r in self.job_runs if r.run_id == parameters["RunId"]), None)
        if run is None or run.job_name != parameters["JobName"]:
            raise TaskError("Glue.EntityNotFoundException", f"job run {parameters['RunId']} of {parameters['JobName']} not found")
        job_run = {"JobName": run.job_name, "Id": run.run_id, "JobRunState": run.state}
        if run.error:
            job_run["ErrorMessage"] = run.error
        return {"JobRun": job_run}

    def publish(self, parameters: dict) -> dict:
        alert = {"topic": parameters.get("TopicArn"), "subject": parameters.get("Subject"), "message": parameters.get("Message")}
        self.alerts.append(alert)
        log_event(LOGGER, "alert published", logging.WARNING, topic=alert["topic"], alert=alert["message"])
        return {"MessageId": f"local-alert-{len(self.alerts)}"}


def start_local_spark_in_background(input_bytes: int) -> threading.Thread:
    """Start the local SparkSession on a daemon thread and run one tiny job on it, so that
    the JVM's start and its first loading of Spark's classes (seconds on 2 cores) overlap the
    caller's own work. The Glue jobs of this process get this session from `getOrCreate`,
    waiting for it if it is still starting; `input_bytes` is what the first job will read,
    which decides the JVM's JIT flags as if that job had started it (`session.jit_options`);
    the app name is Job A's, the one the session had when Job A started it."""
    import pyspark.sql  # noqa: F401  (imported here, not on the thread, which only waits on the JVM)

    from telco360.spark.session import local_spark_session

    def start() -> None:
        try:
            local_spark_session("telco360-clean", input_bytes=input_bytes).range(1).count()
        except Exception as error:  # the first job starts the session itself and reports why it cannot
            log_event(LOGGER, "local Spark did not start ahead of the jobs", logging.DEBUG, error=repr(error))

    thread = threading.Thread(target=start, name="local-spark-start", daemon=True)
    thread.start()
    return thread


def _argv(arguments: dict[str, str]) -> list[str]:
    return [item for key, value in arguments.items() for item in (key, str(value))]
