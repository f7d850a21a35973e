"""The run report of a local lake: lake facts, the marts and the DQ results, rendered as one
self-contained HTML page (`c360 report` and the end of `c360 demo`)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from telco360.lake import WAREHOUSE


def write_run_report(lake: Path, out: Path, as_of: dt.date | None = None) -> Path:
    """Collect, render and write the report of a local lake; returns the page's path (the
    demo calls this at its end)."""
    from telco360.analytics.report import collect_lake_facts, render_report, write_report

    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    report = {**collect_lake_facts(lake), "generated_at": now.isoformat(sep=" ", timespec="seconds"), "notes": []}
    if (Path(lake) / WAREHOUSE).is_dir():
        report.update(warehouse_sections(Path(lake), as_of or _latest_run_date(report) or now.date(), now))
    else:
        report["notes"].append("No local warehouse (_warehouse/) yet: marts, churn and DQ sections are empty.")
    return write_report(render_report(report), out)


def _latest_run_date(report: dict) -> dt.date | None:
    dates = [r["run_date"] for r in report.get("pipeline_runs", []) if r.get("run_date")]
    return dt.date.fromisoformat(max(dates)) if dates else None


def warehouse_sections(lake: Path, as_of: dt.date, now: dt.datetime) -> dict:
    """Marts for the charts and the DQ results: those the last successful run saved when they
    describe the warehouse as it is (see `saved_sections`), else computed on it now."""
    from telco360.analytics import marts
    from telco360.warehouse.quality import evaluate_checks, read_warehouse_tables
    from telco360.warehouse.seams import materialize
    from telco360.warehouse.local.session import open_local_warehouse

    session = open_local_warehouse(lake)
    try:
        saved = saved_sections(session, as_of)
        if saved is not None:
            return saved
        tables = read_warehouse_tables(session)
        daily = materialize(marts.daily_usage(tables.fact_activity))  # read by both marts, as in refresh.build_marts
        usage = marts.plan_usage_daily(daily, tables.dim_customer, tables.dim_plan, now).collect()
        churn = marts.churn_by_plan(daily, tables.dim_customer, tables.dim_plan, as_of, now).collect()
        results = evaluate_checks(tables)
    finally:
        session.close()
    return {
        "usage_daily": [r.as_dict() for r in usage],
        "churn_by_plan": [r.as_dict() for r in churn],
        "dq": {"run_id": f"report as of {as_of.isoformat()}", "results": [r.__dict__ for r in results]},
    }


def saved_sections(session, as_of: dt.date) -> dict | None:
    """The usage and churn marts and the DQ results as the last successful pipeline run left
    them, or None when they may differ from a fresh computation: no successful run, marts
    refreshed for another as-of date or before that run finished, or no DQ results recorded
    under its run id. The local warehouse is saved only after a successful run, so these
    tables then describe exactly the DW tables beside them."""
    from snowflake.snowpark import functions as F

    from telco360.warehouse.quality import DQ_RESULTS_TABLE, optional_table
    from telco360.warehouse.tables import qualified_name

    names = ("PIPELINE_RUN_LOG", "MART_CUSTOMER_360", DQ_RESULTS_TABLE, "MART_PLAN_USAGE_DAILY", "MART_CHURN_BY_PLAN")
    frames = [optional_table(session, qualified_name(name)) for name in names]
    if any(frame is None for frame in frames):
        return None
    run_log, customer_360, dq, usage, churn = frames
    runs = run_log.filter((F.col("STEP") == F.lit("PIPELINE")) & (F.col("STATUS") == F.lit("SUCCEEDED"))).collect()
    if not runs:
        return None
    last_run = max(runs, key=lambda r: r["FINISHED_AT"])
    refreshes = customer_360.select("AS_OF_DATE", "REFRESHED_AT").distinct().collect()
    if len(refreshes) != 1 or refreshes[0]["AS_OF_DATE"] != as_of or refreshes[0]["REFRESHED_AT"] < last_run["FINISHED_AT"]:
        return None
    results = dq.filter(F.col("RUN_ID") == F.lit(last_run["RUN_ID"])).collect()
    if not results:
        return None
    fields = ("CHECK_NAME", "SEVERITY", "STATUS", "FAILING_ROWS", "DETAIL")
    return {
        "usage_daily": [r.as_dict() for r in usage.collect()],
        "churn_by_plan": [r.as_dict() for r in churn.collect()],
        "dq": {"run_id": last_run["RUN_ID"], "results": [{f.lower(): r[f] for f in fields} for r in results]},
    }
