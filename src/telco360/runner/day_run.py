"""`c360 run`: one day of the pipeline over a lake folder, exactly as AWS + Snowflake run it.

0. Remove what a run killed mid-write left behind (`lake.DEAD_RUN_LEFTOVERS`, under the lock).
1. Warehouse catch-up: every staging snapshot Job B committed that the warehouse never loaded
   (a previous run stopped after Job B) is loaded first, oldest first, so a rerun picks up
   where the last one stopped.
2. Validate `raw/` (the Lambda's core, ingest date = the run date).
3. Follow aws/statemachine/customer360.asl.json: its Task states run Glue Job A and Job B
   (the scripts in `glue/`) on local PySpark; its failure branch raises a local alert.
4. SP_RUN_CUSTOMER360_PIPELINE(run date) on the local warehouse, saved only on success.

Every run leaves `<lake>/_runs/<run_id>.json` (stages, summaries, seconds, failure).
"""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from telco360 import lake as lake_layout
from telco360.runner import handlers
from telco360.runner.asl import LOCAL_JOB_SCRIPTS, LOCAL_SUBSTITUTIONS, follow, read_definition_text, render_state_machine
from telco360.runner.glue_local import LocalAws
from telco360.runner.leftovers import remove_dead_run_leftovers
from telco360.runner.lock import lake_lock
from telco360.runner.records import write_run_record

STAGE_TITLES = {
    "warehouse_catch_up": "warehouse: load the staging snapshots previous runs left unloaded",
    "validate": "validator: raw/ -> archive/ | rejected/",
    "lake_jobs": "state machine: Glue Job A (clean), then Job B (staging)",
    "warehouse": "warehouse: SP_RUN_CUSTOMER360_PIPELINE, then SP_REFRESH_MARTS",
}


class RunFailed(RuntimeError):
    """A stage of `c360 run` failed; the message names the step and what to do next."""

    def __init__(self, step: str, message: str, record: dict):
        super().__init__(message)
        self.step = step
        self.record = record


class Reporter:
    """Progress callbacks; this base class reports nothing (tests, --quiet, --json)."""

    def stage_started(self, stage: str, title: str) -> None:
        pass

    def stage_detail(self, stage: str, detail: str) -> None:
        pass

    def stage_finished(self, stage: str, result: dict) -> None:
        pass


@dataclass
class LocalServices:
    """What the run calls for each stage; tests swap in stubs."""

    validate: Callable[[Path, str], dict]
    jobs: dict[str, Callable[[list[str]], dict]]
    load_warehouse: Callable[[Path, str], dict]
    staging_runs_loaded: Callable[[Path], set[str]]


def real_services() -> LocalServices:
    from telco360.validator.local import validate_lake

    return LocalServices(
        validate=lambda lake, day: validate_lake(lake, day),
        jobs={name: handlers.glue_main(script) for name, script in LOCAL_JOB_SCRIPTS.items()},
        load_warehouse=load_local_warehouse,
        staging_runs_loaded=staging_runs_loaded,
    )


def new_run_id(run_date: str) -> str:
    """Unique per run, sortable by time; also the state machine's execution name."""
    return f"{run_date}_{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S%fZ}"


@dataclass
class _Run:
    reporter: Reporter
    record: dict

    def stage(self, name: str, work: Callable[[], dict]) -> dict:
        self.reporter.stage_started(name, STAGE_TITLES[name])
        started = time.monotonic()
        try:
            summary = work()
        except RunFailed:
            raise
        except Exception as error:
            self.fail(name, f"{type(error).__name__}: {error}", started)
        result = {"status": "SUCCEEDED", "seconds": round(time.monotonic() - started, 3), "summary": summary}
        self.record["stages"][name] = result
        self.reporter.stage_finished(name, result)
        return summary

    def fail(self, name: str, error: str, started: float) -> None:
        self.record["stages"][name] = {"status": "FAILED", "seconds": round(time.monotonic() - started, 3), "error": error}
        self.record.update(status="FAILED", failed_step=name, error=error)
        raise RunFailed(name, f"c360 run {self.record['run_id']} failed at {STAGE_TITLES[name]}: {error.rstrip('.')}. "
                              f"{NEXT_STEP[name]}", self.record)


NEXT_STEP = {
    "warehouse_catch_up": "The warehouse is unchanged; fix the cause and run `c360 run` again.",
    "validate": "Files not yet routed stay in raw/; fix the cause and run `c360 run` again.",
    "lake_jobs": "The warehouse is unchanged; fix the cause and run `c360 run` again: the jobs resume from their bookmarks.",
    "warehouse": "The warehouse is unchanged (nothing saved); fix the cause and run `c360 run` again: "
                 "it loads the pending staging snapshot first.",
}


def run_lake_day(lake_dir: Path | str, run_date: str, reporter: Reporter | None = None,
                 services: LocalServices | None = None) -> dict:
    """Run one day; returns the run record. Raises RunFailed (record written) on failure,
    LakeBusyError when another run holds the lake."""
    lake = Path(lake_dir).resolve()
    dt.date.fromisoformat(run_date)
    services = services or real_services()
    with lake_lock(lake, f"c360 run --date {run_date}"):
        run_id = new_run_id(run_date)
        run = _Run(reporter or Reporter(), {
            "run_id": run_id, "run_date": run_date, "lake": str(lake), "status": "RUNNING",
            "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"), "stages": {},
        })
        started = time.monotonic()
        try:
            run.record["removed_leftovers"] = remove_dead_run_leftovers(lake)
            try:
                pending = pending_staging_runs(lake, services)
            except Exception as error:
                run.fail("warehouse_catch_up", f"{type(error).__name__}: {error}", time.monotonic())
            if pending:
                run.stage("warehouse_catch_up", lambda: catch_up(lake, run_date, pending, services))
            run.stage("validate", lambda: checked_validation(services.validate(lake, run_date)))
            run.stage("lake_jobs", lambda: run_state_machine(lake, run_id, services, run.reporter))
            run.stage("warehouse", lambda: services.load_warehouse(lake, run_date))
            run.record["status"] = "SUCCEEDED"
        finally:
            run.record["finished_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")
            run.record["seconds"] = round(time.monotonic() - started, 3)
            write_run_record(lake, run.record)
        return run.record


def checked_validation(summary: dict) -> dict:
    if summary["errors"]:
        files = ", ".join(f"{e.get('key')}: {e.get('error') or e.get('detail') or e}" for e in summary["errors"][:5])
        raise RuntimeError(f"{len(summary['errors'])} raw file(s) could not be routed ({files})")
    return summary


def run_state_machine(lake: Path, run_id: str, services: LocalServices, reporter: Reporter) -> dict:
    """Follow the committed definition; the order of the jobs comes from that file."""
    definition = json.loads(render_state_machine(read_definition_text(), LOCAL_SUBSTITUTIONS))
    aws = LocalAws(str(lake), services.jobs, on_job=lambda name: reporter.stage_detail("lake_jobs", f"Glue job {name}"))
    execution = follow(definition, aws.resources(), run_id, {},
                       on_state=lambda name, _state: reporter.stage_detail("lake_jobs", f"state {name}"))
    summary = {
        "execution": execution.name,
        "status": execution.status,
        "states": execution.visited,
        "job_runs": [
            {"job": r.job_name, "job_run_id": r.run_id, "state": r.state, "seconds": r.seconds,
             "error": r.error, "summary": r.summary}
            for r in aws.job_runs
        ],
        "alerts": aws.alerts,
    }
    if execution.status != "SUCCEEDED":
        failed = next((r for r in aws.job_runs if r.state != "SUCCEEDED"), None)
        cause = f"Glue job {failed.job_name} {failed.state}: {failed.error}" if failed else (
            aws.alerts[-1]["message"]["error"] if aws.alerts else execution.cause)
        raise RuntimeError(f"execution {execution.name} ended {execution.error} at state "
                           f"{_last_task(execution.visited)} ({cause}); alert: {len(aws.alerts)} published")
    return summary


def _last_task(visited: list[str]) -> str:
    return next((name for name in reversed(visited) if name.startswith(("Start", "Get"))), visited[-1])


class StagingStateError(RuntimeError):
    """Job B's commit record names a staging run that no manifest describes."""


def pending_staging_runs(lake: Path, services: LocalServices) -> list[str]:
    """Staging runs Job B committed that the warehouse has not loaded, in commit order.

    Job B's bookmark lists its completed runs, each with a per-run manifest; the latest
    manifest (`staging/_manifest.json`) only points at one of them, so losing it hides none.
    """
    committed = _read_json(lake, lake_layout.STAGING_BOOKMARK_KEY, {}).get("completed_runs", [])
    latest = _read_json(lake, lake_layout.STAGING_LATEST_MANIFEST_KEY, {}).get("run_id")
    candidates = committed + ([latest] if latest and latest not in committed else [])
    loaded = services.staging_runs_loaded(lake) if candidates else set()
    pending = [run_id for run_id in candidates if run_id not in loaded]
    lost = [run_id for run_id in pending if run_id != latest
            and not (lake / lake_layout.staging_manifest_key(run_id)).is_file()]
    if lost:
        raise StagingStateError(
            f"staging run(s) {', '.join(lost)} are committed in {lake / lake_layout.STAGING_BOOKMARK_KEY} "
            f"but never loaded, and their manifests ({', '.join(lake_layout.staging_manifest_key(r) for r in lost)}) "
            f"are missing: restore them from a backup, or have Job B stage their clean runs again (remove "
            f"those run ids from the bookmark's completed_runs and the clean runs they staged from its "
            f"staged_clean_runs); until then no run can load the warehouse without losing their rows"
        )
    return pending


def catch_up(lake: Path, run_date: str, pending: list[str], services: LocalServices) -> dict:
    """Load each pending staging snapshot in order, under the RUN_DATE it was made for (a
    snapshot is never loaded under another day's; one written before manifests recorded it
    takes `run_date`): the latest manifest (what the load reads first) is pointed at each in
    turn, from the run's own manifest."""
    loads = []
    for run_id in pending:
        latest = lake / lake_layout.STAGING_LATEST_MANIFEST_KEY
        own = lake / lake_layout.staging_manifest_key(run_id)
        if _read_json(lake, lake_layout.STAGING_LATEST_MANIFEST_KEY, {}).get("run_id") != run_id:
            scratch = latest.with_name(f".{latest.name}.catch-up.tmp")
            scratch.write_bytes(own.read_bytes())
            scratch.replace(latest)
        made_for = _read_json(lake, lake_layout.STAGING_LATEST_MANIFEST_KEY, {}).get("run_date", run_date)
        loads.append({"staging_run_id": run_id, **services.load_warehouse(lake, made_for)})
    return {"staging_run_ids": pending, "loads": loads}


def _read_json(lake: Path, key: str, default: dict) -> dict:
    path = lake / key
    if not path.is_file():
        return default
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise StagingStateError(f"{path} is not JSON ({error}); Job B writes it: restore it from a "
                                f"backup, or rerun Job B (c360 glue staging --lake {lake})") from None


def staging_runs_loaded(lake: Path) -> set[str]:
    """Staging run ids of the successful pipeline runs in the saved DW.PIPELINE_RUN_LOG."""
    from telco360.warehouse.local.session import read_saved_table

    log = read_saved_table(lake, "PIPELINE_RUN_LOG")
    if log is None:
        return set()
    rows = log.select(["STEP", "STATUS", "STAGING_RUN_ID"]).to_pylist()
    return {row["STAGING_RUN_ID"] for row in rows if row["STEP"] == "PIPELINE" and row["STATUS"] == "SUCCEEDED"}


def load_local_warehouse(lake: Path, run_date: str) -> dict:
    """SP_RUN_CUSTOMER360_PIPELINE, then SP_REFRESH_MARTS (the TASK graph's order) on the local
    warehouse; saved only when both succeed."""
    from telco360.warehouse.local.session import open_local_warehouse, save_local_warehouse

    run_pipeline = handlers.procedure("run_pipeline.py", "sp_run_customer360_pipeline")
    refresh_marts = handlers.procedure("analytics.py", "sp_refresh_marts")
    session = open_local_warehouse(lake)
    try:
        summary = json.loads(run_pipeline(session, run_date))
        started = time.monotonic()
        summary["marts"] = {**json.loads(refresh_marts(session, run_date)), "seconds": round(time.monotonic() - started, 3)}
        save_local_warehouse(session, lake)
    finally:
        session.close()
    summary.pop("audit", None)
    return summary
