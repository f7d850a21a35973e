"""Materialize the analyst layer in TELCO_DB.DW: V_ACTIVITY_ENRICHED as a view, the marts as
tables. Snapshot marts (MART_PLAN_USAGE_DAILY, MART_CUSTOMER_360, MART_CHURN_BY_PLAN) are
rewritten whole; MART_CUSTOMER_FEATURES keeps one snapshot per AS_OF_DATE, so each refresh
replaces only its own RUN_DATE's rows and a past as-of date keeps what was known then."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from snowflake.snowpark import DataFrame, Session
from snowflake.snowpark import functions as F

from telco360.analytics import marts
from telco360.warehouse.quality import WarehouseTables, read_warehouse_tables
from telco360.warehouse.columns import utc_now
from telco360.warehouse.seams import materialize
from telco360.warehouse.tables import qualified_name
from telco360.warehouse.seams import backend_for

FEATURES_TABLE = "MART_CUSTOMER_FEATURES"


def build_marts(tables: WarehouseTables, as_of: dt.date, refreshed_at: dt.datetime) -> dict[str, DataFrame]:
    """Every mart as a lazy DataFrame over the DW tables and the two intermediates they share,
    each computed once (in Snowflake a temporary table; else every mart's INSERT would
    compute it again)."""
    usage = materialize(marts.daily_usage(tables.fact_activity))
    dim_customer, dim_plan = tables.dim_customer, tables.dim_plan
    transitions = materialize(marts.version_transitions(dim_customer))
    return {
        "MART_PLAN_USAGE_DAILY": marts.plan_usage_daily(usage, dim_customer, dim_plan, refreshed_at),
        "MART_CUSTOMER_360": marts.customer_360(usage, dim_customer, dim_plan, as_of, refreshed_at, transitions),
        "MART_CHURN_BY_PLAN": marts.churn_by_plan(usage, dim_customer, dim_plan, as_of, refreshed_at, transitions),
        FEATURES_TABLE: marts.customer_features(usage, dim_customer, [as_of], refreshed_at, transitions),
    }


def refresh_marts(session: Session, run_date: str, refreshed_at: Optional[dt.datetime] = None) -> dict:
    """Write the view and the marts for RUN_DATE (YYYY-MM-DD); returns rows written per mart."""
    as_of = parse_run_date(run_date)
    refreshed_at = refreshed_at or utc_now()
    tables = read_warehouse_tables(session)
    # Lazy frames over the tables: a view built later still reads them as they are then.
    backend_for(session).writer.create_view(
        session,
        qualified_name("V_ACTIVITY_ENRICHED"),
        lambda: marts.activity_enriched(tables.fact_activity, tables.dim_customer, tables.dim_plan),
    )
    frames = build_marts(tables, as_of, refreshed_at)
    for name, frame in frames.items():
        if name == FEATURES_TABLE:
            _replace_snapshot(session, frame, as_of)
        else:
            # "truncate" keeps the DDL's column types, comments and grants in Snowflake.
            frame.write.save_as_table(qualified_name(name), mode="truncate", column_order="name")
    rows = written_rows(session, list(frames), as_of)
    return {"run_date": run_date, "as_of_date": as_of.isoformat(), "rows": rows, "refreshed_at": refreshed_at.isoformat()}


def written_rows(session: Session, names: list[str], as_of: dt.date) -> dict[str, int]:
    """Rows of each mart as written (the features: this as-of date's snapshot), in one query:
    counting the mart frames would compute every mart a second time, and a count per table
    is a round trip each."""
    counts = None
    for name in names:
        table = session.table(qualified_name(name))
        if name == FEATURES_TABLE:
            table = table.filter(F.col("AS_OF_DATE") == F.lit(as_of))
        count = table.agg(F.count(F.lit(1)).alias(name))
        counts = count if counts is None else counts.cross_join(count)
    row = counts.collect()[0].as_dict()
    return {name: int(row[name]) for name in names}


def _replace_snapshot(session: Session, frame: DataFrame, as_of: dt.date) -> None:
    name = qualified_name(FEATURES_TABLE)
    try:
        session.table(name).delete(F.col("AS_OF_DATE") == F.lit(as_of))
    except Exception as exc:  # first refresh in a local warehouse: the table is created below
        if "does not exist" not in str(exc):
            raise
    frame.write.save_as_table(name, mode="append", column_order="name")


def parse_run_date(run_date: str) -> dt.date:
    try:
        return dt.date.fromisoformat(run_date)
    except ValueError:
        raise ValueError(
            f"SP_REFRESH_MARTS: RUN_DATE {run_date!r} is not a date YYYY-MM-DD; call it with the pipeline's RUN_DATE"
        ) from None
