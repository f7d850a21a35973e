"""SP_RUN_CUSTOMER360_PIPELINE: the four load steps as one unit, with an audit row per run
and step in DW.PIPELINE_RUN_LOG.

In Snowflake the steps run inside one transaction (BEGIN ... COMMIT), so a failure rolls
the DW back to where it was; the failure's audit rows are written after the ROLLBACK so
they survive it. Locally the runner saves the warehouse only after success."""
from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Callable, Optional

from snowflake.snowpark import Session
from snowflake.snowpark import functions as F
from snowflake.snowpark.types import StructType

from telco360.warehouse.quality import post_load_check
from telco360.warehouse.columns import utc_now
from telco360.warehouse.seams import Backend, backend_for
from telco360.warehouse.steps import STEPS
from telco360.warehouse.tables import PIPELINE_RUN_LOG, STG_ACTIVITY, STG_CUSTOMERS, STG_PLANS, qualified_name, table_schema

PIPELINE_STEP = "PIPELINE"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
# The staging table each step reads, for ROWS_IN in the audit.
STEP_INPUT = {
    "SP_LOAD_DIM_PLAN": STG_PLANS,
    "SP_LOAD_DIM_CUSTOMER": STG_CUSTOMERS,
    "SP_LOAD_FACT_ACTIVITY": STG_ACTIVITY,
}

# Post-load checks, run after the four steps and before COMMIT. A check is
# `check(session, run_date, run_id) -> dict` with at least "check" (name) and "passed" (bool),
# and optionally "record" (session -> None), which writes its results: before COMMIT when the
# run passes, after the ROLLBACK when it fails (like the failure's audit rows). Any check that
# does not pass fails the run. The data-quality checks record their results in
# DW.DQ_CHECK_RESULTS; a critical failure fails the run.
POST_LOAD_CHECKS: list[Callable[[Session, str, str], dict]] = [post_load_check]


class PipelineError(RuntimeError):
    """A pipeline run failed and was rolled back; the message names the run and the step."""


def new_run_id(run_date: str) -> str:
    return f"{run_date}-{uuid.uuid4().hex[:12]}"


def run_post_load_checks(session: Session, run_date: str, run_id: str) -> list[dict]:
    return [check(session, run_date, run_id) for check in POST_LOAD_CHECKS]


def check_outcome(results: list[dict]) -> None:
    """Raise when a post-load check did not pass."""
    failed = [f"{r.get('check', '?')} ({r['failed']})" if r.get("failed") else r.get("check", "?")
              for r in results if not r.get("passed")]
    if failed:
        raise PipelineError(f"post-load checks failed: {'; '.join(failed)}")


def run_pipeline(
    session: Session,
    run_date: str,
    backend: Optional[Backend] = None,
    run_id: Optional[str] = None,
) -> dict:
    """Run SP_LOAD_STAGING, SP_LOAD_DIM_PLAN, SP_LOAD_DIM_CUSTOMER and
    SP_LOAD_FACT_ACTIVITY as one unit; return the run summary (audit rows included)."""
    backend = backend or backend_for(session)
    run_id = run_id or new_run_id(run_date)
    loaded_at = utc_now()
    audit: list[dict] = []
    summaries: dict[str, dict] = {}
    staged_rows: dict[str, int] = {}
    run_started = time.monotonic()
    run_started_at = utc_now()
    step_name = "BEGIN"
    recorders: list[Callable[[Session], None]] = []
    backend.staging.prepare(session, run_date)
    backend.transaction.begin(session)
    try:
        for step_name, step in STEPS:
            started, started_at = time.monotonic(), utc_now()
            summary = step(session, run_date, backend=backend, loaded_at=loaded_at)
            summaries[step_name] = summary
            staged_rows.update(summary.get("rows", {}))
            audit.append(_audit_row(
                run_id, run_date, step_name, SUCCEEDED, summaries, started_at, started,
                rows_in=summary.get("rows_in", staged_rows.get(STEP_INPUT.get(step_name, ""))),
            ))
        step_name = "POST_LOAD_CHECKS"
        checks = run_post_load_checks(session, run_date, run_id)
        recorders = [c.pop("record") for c in checks if "record" in c]
        check_outcome(checks)
        for record in recorders:
            record(session)
        audit.append(_audit_row(run_id, run_date, PIPELINE_STEP, SUCCEEDED, summaries, run_started_at, run_started))
        _write_audit(session, audit)
        step_name = "COMMIT"
        backend.transaction.commit(session)
    except Exception as exc:
        backend.transaction.rollback(session)
        for record in recorders:
            record(session)
        error = f"{type(exc).__name__}: {exc}"
        failed = [
            *audit[: len(summaries)],
            _audit_row(run_id, run_date, step_name, FAILED, summaries, utc_now(), time.monotonic(), error=error),
            _audit_row(run_id, run_date, PIPELINE_STEP, FAILED, summaries, run_started_at, run_started, error=error),
        ]
        _write_audit(session, failed)
        raise PipelineError(
            f"SP_RUN_CUSTOMER360_PIPELINE run {run_id} (RUN_DATE {run_date}) failed at "
            f"{step_name} and was rolled back: {error}. Fix the cause and run it again; "
            f"every step is safe to rerun."
        ) from exc
    return {
        "run_id": run_id,
        "run_date": run_date,
        "status": SUCCEEDED,
        "staging_run_id": summaries["SP_LOAD_STAGING"].get("staging_run_id"),
        "steps": summaries,
        "checks": checks,
        "audit": audit,
        "seconds": round(time.monotonic() - run_started, 3),
    }


def _audit_row(run_id, run_date, step, status, summaries, started_at, started, rows_in=None, error=None) -> dict:
    summary = summaries.get(step, {}) if step != PIPELINE_STEP else {}
    return {
        "RUN_ID": run_id,
        "RUN_DATE": run_date,
        "STEP": step,
        "STATUS": status,
        "STAGING_RUN_ID": summaries.get("SP_LOAD_STAGING", {}).get("staging_run_id"),
        "ROWS_IN": rows_in,
        "ROWS_INSERTED": summary.get("rows_inserted"),
        "ROWS_UPDATED": summary.get("rows_updated"),
        "ROWS_DELETED": summary.get("rows_deleted"),
        "ROWS_REKEYED": summary.get("rows_rekeyed"),
        "ERROR": error,
        "STARTED_AT": started_at,
        "FINISHED_AT": utc_now(),
        "SECONDS": round(time.monotonic() - started, 3),
    }


def _write_audit(session: Session, rows: list[dict]) -> None:
    """An INSERT of the rows (the run's id, date and staging run id as literals): nothing reads
    a count back, so no MERGE."""
    schema = table_schema(PIPELINE_RUN_LOG)
    shared = {name: F.lit(rows[0][name]).cast(schema[name].datatype) for name in ("RUN_ID", "RUN_DATE", "STAGING_RUN_ID")}
    per_row = [field for field in schema.fields if field.name not in shared]
    data = [[row[field.name] for field in per_row] for row in rows]
    frame = session.create_dataframe(data, schema=StructType(per_row)).select(
        [shared[field.name].alias(field.name) if field.name in shared else F.col(field.name) for field in schema.fields]
    )
    frame.write.save_as_table(qualified_name(PIPELINE_RUN_LOG), mode="append", column_order="name")


def to_json_ready(value):
    """Summaries hold datetimes; procedures return JSON text."""
    if isinstance(value, dict):
        return {k: to_json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_ready(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars from local testing
        return value.item()
    return value
