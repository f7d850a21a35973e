"""Every warehouse step and every data-quality check works on empty tables: DIM_CUSTOMER,
DIM_PLAN, FACT_ACTIVITY and each staging table empty alone, and all of them together.

A first day may bring only the plan catalog, or customers that were all quarantined: an empty
table is ordinary input, never a crash (issue 24). The tests take a `warehouse` fixture,
parametrized by backend: `local` is Snowpark local testing, `fakesnow` the Snowflake path (the
statements Snowflake would receive, executed by fakesnow; tests/warehouse/conftest.py).
"""
from __future__ import annotations

import dataclasses

import pyarrow as pa
import pytest

from conftest import customer, event, plan
from telco360.warehouse import quality
from telco360.warehouse import pipeline, steps
from telco360.warehouse.local.session import open_local_warehouse
from telco360.warehouse.seams import backend_for
from telco360.warehouse.local.arrow import arrow_schema, read_arrow_table, write_arrow_table
from telco360.warehouse.tables import (
    DIM_CUSTOMER, DIM_PLAN, FACT_ACTIVITY, STG_ACTIVITY, STG_CUSTOMERS, STG_PLANS, qualified_name, table_schema,
)

C1, C2 = "C0000001", "C0000002"
DW_TABLES = (DIM_CUSTOMER, DIM_PLAN, FACT_ACTIVITY)
STAGING_TABLES = (STG_CUSTOMERS, STG_PLANS, STG_ACTIVITY)
EMPTY_ALONE_OR_ALL = [(table,) for table in DW_TABLES + STAGING_TABLES] + [DW_TABLES + STAGING_TABLES]
SCENARIO_IDS = [t[0] if len(t) == 1 else "all" for t in EMPTY_ALONE_OR_ALL]

DAY_ONE = {
    STG_CUSTOMERS: [customer(C1, "2024-01-10 10:00"),
                    customer(C1, "2024-01-12 10:00", line=2, STATUS="SUSPENDED")],
    STG_PLANS: [plan("PLN-A")],
    STG_ACTIVITY: [event("E1", C1, "2024-01-11 00:00"), event("E2", C2, "2024-01-11 00:00", SOURCE_LINE=2)],
}
DAY_TWO = {
    STG_CUSTOMERS: [customer(C2, "2024-01-14 10:00", PLAN_ID="PLN-B",
                             source_file="customers_20240116.ndjson")],
    STG_PLANS: [plan("PLN-A"), plan("PLN-B", "Plan B")],
    STG_ACTIVITY: [event("E3", C1, "2024-01-15 00:00"), event("E4", C2, "2024-01-15 00:00", SOURCE_LINE=2)],
}


class LocalWarehouse:
    """Snowpark local testing: tables are written and read as Arrow."""

    def __init__(self, folder):
        self.session = open_local_warehouse(folder)

    def put(self, table: str, rows: list[dict]) -> None:
        write_arrow_table(self.session, table, pa.Table.from_pylist(rows, schema=arrow_schema(table)))

    def rows(self, table: str) -> list[dict]:
        return read_arrow_table(self.session, table).to_pylist()

    def close(self) -> None:
        self.session.close()


class FakesnowWarehouse:
    """The Snowflake path on fakesnow: the session the `fakesnow_wh` fixture emptied; rows are
    written with DML, as the pipeline writes them."""

    def __init__(self, session):
        self.session = session

    def put(self, table: str, rows: list[dict]) -> None:
        self.session.table(qualified_name(table)).delete()
        if rows:
            self.session.create_dataframe(rows, table_schema(table)).write.save_as_table(
                qualified_name(table), mode="append", column_order="name")

    def rows(self, table: str) -> list[dict]:
        return [row.as_dict() for row in self.session.table(qualified_name(table)).collect()]

    def close(self) -> None:
        return None  # one session serves the test session; the next test empties its tables


@pytest.fixture(params=["local", "fakesnow"])
def warehouse(request, tmp_path):
    opened = (LocalWarehouse(tmp_path) if request.param == "local"
              else FakesnowWarehouse(request.getfixturevalue("fakesnow_wh")))
    yield opened
    opened.close()


def load_day(warehouse, staged: dict[str, list[dict]], run_date: str) -> list[dict]:
    """Stage the rows, run the three DW steps in pipeline order, and return their summaries."""
    for table in STAGING_TABLES:
        warehouse.put(table, staged.get(table, []))
    return [step(warehouse.session, run_date) for _, step in steps.STEPS[1:]]


def empty(warehouse, tables) -> None:
    for table in tables:
        warehouse.put(table, [])


def ids(warehouse, table: str, column: str) -> set:
    return {row[column] for row in warehouse.rows(table)}


@pytest.mark.parametrize("emptied", EMPTY_ALONE_OR_ALL, ids=SCENARIO_IDS)
def test_every_check_gives_a_result_when_tables_are_empty(warehouse, emptied):
    load_day(warehouse, DAY_ONE, "2024-01-15")
    empty(warehouse, emptied)
    results = quality.evaluate_checks(quality.read_warehouse_tables(warehouse.session))
    assert [r.status for r in results if r.status not in (quality.PASS, quality.FAIL)] == []
    assert len(results) == len(quality.CHECKS)


@pytest.mark.parametrize("emptied", [t for t in EMPTY_ALONE_OR_ALL if set(t) <= set(STAGING_TABLES)] + [DW_TABLES + STAGING_TABLES],
                         ids=[*STAGING_TABLES, "all"])
def test_every_critical_check_passes_after_loading_empty_staging(warehouse, emptied):
    load_day(warehouse, {t: rows for t, rows in DAY_ONE.items() if t not in emptied}, "2024-01-15")
    results = quality.evaluate_checks(quality.read_warehouse_tables(warehouse.session))
    assert quality.describe_failures(results) == ""


@pytest.mark.parametrize("emptied", EMPTY_ALONE_OR_ALL, ids=SCENARIO_IDS)
def test_every_step_loads_what_is_staged_when_tables_are_empty(warehouse, emptied):
    load_day(warehouse, DAY_ONE, "2024-01-15")
    empty(warehouse, [t for t in emptied if t in DW_TABLES])
    staged = {t: rows for t, rows in DAY_TWO.items() if t not in emptied}
    load_day(warehouse, staged, "2024-01-16")
    assert {r["PLAN_ID"] for r in staged.get(STG_PLANS, [])} <= ids(warehouse, DIM_PLAN, "PLAN_ID")
    assert {r["CUSTOMER_ID"] for r in staged.get(STG_CUSTOMERS, [])} <= ids(warehouse, DIM_CUSTOMER, "CUSTOMER_ID")
    assert {r["EVENT_ID"] for r in staged.get(STG_ACTIVITY, [])} <= ids(warehouse, FACT_ACTIVITY, "EVENT_ID")


class AlreadyStaged:
    """SP_LOAD_STAGING's reader for tables the test has staged itself: nothing to copy."""

    def prepare(self, session, run_date: str) -> None:
        pass

    def read_manifest(self, session, run_date: str) -> dict:
        return {"run_id": "R-TEST", "tables": {table: {} for table in STAGING_TABLES}}

    def load_table(self, session, table: str, entry: dict) -> int:
        return session.table(qualified_name(table)).count()


def test_pipeline_with_only_a_plan_catalog_commits_the_catalog(warehouse):
    for table, staged in ((STG_CUSTOMERS, []), (STG_PLANS, DAY_ONE[STG_PLANS]), (STG_ACTIVITY, [])):
        warehouse.put(table, staged)
    backend = dataclasses.replace(backend_for(warehouse.session), staging=AlreadyStaged())
    summary = pipeline.run_pipeline(warehouse.session, "2024-01-15", backend=backend)
    assert (summary["status"], ids(warehouse, DIM_PLAN, "PLAN_ID")) == (pipeline.SUCCEEDED, {"PLN-A"})
