"""The Snowflake path (fakesnow + real Snowpark, tests/warehouse/fakesnow_shims.py) builds the
same warehouse as the local path: a small multi-day lake with late records, ties, unknown
customers, redelivered events and plan changes, loaded day by day through both, gives
identical DW tables and data-quality results, and a rerun changes nothing on either."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import customer, event, plan, write_staging
from fakesnow_shims import fakesnow_backend
from telco360.warehouse import pipeline
from telco360.warehouse.local.session import open_local_warehouse, save_local_warehouse
from telco360.warehouse.local.arrow import read_arrow_table
from telco360.warehouse.tables import CUSTOMER_STATE_HISTORY, DIM_CUSTOMER, DIM_PLAN, FACT_ACTIVITY, qualified_name

DW_TABLES = (DIM_PLAN, DIM_CUSTOMER, FACT_ACTIVITY, CUSTOMER_STATE_HISTORY)
# Set by the load itself (the clock), different on every run and path.
VOLATILE = {"LOADED_AT", "CHECKED_AT", "RUN_ID"}


def lake_days() -> list[tuple[str, dict]]:
    """Three deliveries: (run date, staging rows)."""
    day1 = {
        "plans": [plan("PLN-A", "Basic"), plan("PLN-B", "Plus")],
        "customers": [
            customer("C0000001", "2024-01-14 10:00", line=1),
            customer("C0000002", "2024-01-14 09:00", line=2, PLAN_ID="PLN-B"),
            customer("C0000003", "2024-01-14 08:00", line=3, EMAIL=" Ann@Example.com "),
        ],
        "activity": [
            event("E1", "C0000001", "2024-01-14 11:00"),
            event("E2", "C0000002", "2024-01-14 12:00", SOURCE_LINE=2),
            event("E3", "C0000009", "2024-01-14 13:00", SOURCE_LINE=3),  # unknown customer
        ],
    }
    day2_file = "customers_20240116.ndjson"
    day2 = {
        "plans": [plan("PLN-A", "Basic"), plan("PLN-B", "Plus", updated_at="2024-01-15 00:00", MONTHLY_FEE=Decimal("25.00"))],
        "customers": [
            customer("C0000001", "2024-01-15 08:00", source_file=day2_file, line=1, PLAN_ID="PLN-B"),  # plan change
            customer("C0000002", "2024-01-13 09:00", source_file=day2_file, line=2, CITY="Abuja"),  # late record
            customer("C0000003", "2024-01-15 07:00", source_file=day2_file, line=3, STATUS="SUSPENDED"),  # tie ...
            customer("C0000003", "2024-01-15 07:00", source_file=day2_file, line=4, STATUS="CHURNED"),  # ... last wins
            customer("C0000004", "2024-01-15 06:00", source_file=day2_file, line=5, PLAN_ID="PLN-X"),  # inferred plan
        ],
        "activity": [
            event("E1", "C0000001", "2024-01-14 11:00"),  # redelivered
            event("E4", "C0000001", "2024-01-15 09:00", SOURCE_FILE="activity_logs_20240116.ndjson"),
            event("E5", "C0000003", "2024-01-15 07:30", SOURCE_FILE="activity_logs_20240116.ndjson"),
            event("E6", "C0000009", "2024-01-15 10:00", SOURCE_FILE="activity_logs_20240116.ndjson"),
        ],
    }
    day3_file = "customers_20240117.ndjson"
    day3 = {
        "plans": [plan("PLN-A", "Basic"), plan("PLN-B", "Plus", updated_at="2024-01-15 00:00", MONTHLY_FEE=Decimal("25.00")),
                  plan("PLN-X", "Extra", updated_at="2024-01-16 00:00")],
        "customers": [
            customer("C0000009", "2024-01-14 00:00", source_file=day3_file, line=1, SIGNUP_DATE=dt.date(2024, 1, 14)),  # arrives late
            customer("C0000001", "2024-01-15 08:00", source_file=day2_file, line=1, PLAN_ID="PLN-B"),  # redelivered
        ],
        "activity": [event("E7", "C0000002", "2024-01-16 09:00", SOURCE_FILE="activity_logs_20240117.ndjson")],
    }
    return [("2024-01-15", day1), ("2024-01-16", day2), ("2024-01-17", day3)]


def comparable(rows) -> list[tuple]:
    """Rows without the clock's columns, values normalised across the two engines, sorted."""
    def value(v):
        if isinstance(v, float):
            return Decimal(str(v)).normalize()
        if isinstance(v, Decimal):
            return v.normalize()
        return v
    normalised = [tuple((k, value(v)) for k, v in sorted(r.items()) if k not in VOLATILE) for r in rows]
    return sorted(normalised, key=repr)


def local_tables(lake) -> dict[str, list[tuple]]:
    session = open_local_warehouse(lake)
    try:
        return {t: comparable(read_arrow_table(session, t).to_pylist()) for t in (*DW_TABLES, "DQ_CHECK_RESULTS")}
    finally:
        session.close()


def fakesnow_tables(session) -> dict[str, list[tuple]]:
    return {t: comparable(r.as_dict() for r in session.table(qualified_name(t)).collect())
            for t in (*DW_TABLES, "DQ_CHECK_RESULTS")}


def run_local(lake, run_date: str) -> None:
    session = open_local_warehouse(lake)
    pipeline.run_pipeline(session, run_date, run_id=f"RUN-{run_date}")
    save_local_warehouse(session, lake)
    session.close()


@pytest.fixture(scope="module")
def both_paths(tmp_path_factory, fakesnow_server):
    """The three days loaded through both paths: (local tables, fakesnow tables) after each day,
    then after a rerun of the last day."""
    from fakesnow_shims import empty_tables

    empty_tables(fakesnow_server)
    lake = tmp_path_factory.mktemp("lake")
    snapshots = []
    days = lake_days()
    for run_date, rows in days + [days[-1]]:
        write_staging(lake, f"R-{run_date}", **rows)
        run_local(lake, run_date)
        pipeline.run_pipeline(fakesnow_server, run_date, backend=fakesnow_backend(lake / "staging"), run_id=f"RUN-{run_date}")
        snapshots.append((local_tables(lake), fakesnow_tables(fakesnow_server)))
    return snapshots


@pytest.mark.parametrize("table", DW_TABLES)
@pytest.mark.parametrize("day", [0, 1, 2])
def test_fakesnow_builds_the_same_dw_table_as_local_testing(both_paths, day, table):
    local, snowflake = both_paths[day]
    assert snowflake[table] == local[table]


@pytest.mark.parametrize("day", [0, 1, 2])
def test_fakesnow_records_the_same_dq_results_as_local_testing(both_paths, day):
    local, snowflake = both_paths[day]
    assert snowflake["DQ_CHECK_RESULTS"] == local["DQ_CHECK_RESULTS"]


@pytest.mark.parametrize("path", [0, 1], ids=["local", "fakesnow"])
def test_rerun_of_a_day_changes_no_dw_table(both_paths, path):
    before, after = both_paths[2][path], both_paths[3][path]
    assert {t: after[t] for t in DW_TABLES} == {t: before[t] for t in DW_TABLES}
