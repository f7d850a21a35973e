"""Local-testing warehouse fixtures: an empty warehouse per test (cheap: ~0.1 s), and
helpers that stage literal rows and read the DW back as plain tuples."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from telco360.warehouse import steps
from telco360.warehouse.local.session import open_local_warehouse
from telco360.warehouse.local.arrow import arrow_schema, read_arrow_table, write_arrow_table
from telco360.warehouse.tables import STG_ACTIVITY, STG_CUSTOMERS, STG_PLANS

HIGH = dt.datetime(9999, 12, 31)


def ts(text: str) -> dt.datetime:
    """'2024-01-15 09:00' -> naive UTC datetime."""
    return dt.datetime.fromisoformat(text)


def customer(cid: str, updated_at: str, *, source_file: str = "customers_20240115.ndjson",
             line: int = 1, **attributes) -> dict:
    """One STG_CUSTOMERS row; unspecified attributes take plain defaults."""
    extract = source_file.split("_")[1][:8]
    row = {
        "CUSTOMER_ID": cid, "FIRST_NAME": "Ada", "LAST_NAME": "Okafor", "EMAIL": "ada@example.com",
        "PHONE": "+2348012345678", "ADDRESS_LINE1": "12 Marina Rd", "CITY": "Lagos", "STATE": "LA",
        "POSTAL_CODE": "101001", "COUNTRY": "NG", "DATE_OF_BIRTH": dt.date(1990, 4, 12),
        "PLAN_ID": "PLN-A", "STATUS": "ACTIVE", "SIGNUP_DATE": dt.date(2024, 1, 1),
        "UPDATED_AT": ts(updated_at), "PLAN_IN_CATALOG": True, "SOURCE_FILE": source_file,
        "SOURCE_LINE": line, "EXTRACT_DATE": dt.date(int(extract[:4]), int(extract[4:6]), int(extract[6:])),
        "INGEST_DATE": dt.date(int(extract[:4]), int(extract[4:6]), int(extract[6:])),
    }
    row.update(attributes)
    return row


def plan(plan_id: str, name: str = "Plan", *, updated_at: str = "2024-01-01 00:00", in_latest: bool = True,
         **attributes) -> dict:
    row = {
        "PLAN_ID": plan_id, "PLAN_NAME": name, "PLAN_TYPE": "POSTPAID", "MONTHLY_FEE": Decimal("20.00"), "CURRENCY": "USD",
        "DATA_ALLOWANCE_GB": None, "VOICE_MINUTES": None, "SMS_ALLOWANCE": None, "CONTRACT_MONTHS": 12,
        "SOURCE_UPDATED_AT": ts(updated_at), "IN_LATEST_CATALOG": in_latest,
        "CATALOG_EXTRACT_DATE": dt.date(2024, 1, 15), "SOURCE_FILE": "plans_20240115.csv",
    }
    row.update(attributes)
    return row


def event(event_id: str, cid: str, event_ts: str, **attributes) -> dict:
    row = {
        "EVENT_ID": event_id, "CUSTOMER_ID": cid, "EVENT_TYPE": "DATA", "EVENT_TS": ts(event_ts),
        "EVENT_DATE": ts(event_ts).date(), "DURATION_SEC": None, "DATA_MB": Decimal("1.5"), "CELL_ID": "CELL-1",
        "ROAMING": False, "SOURCE_FILE": "activity_logs_20240115.ndjson", "SOURCE_LINE": 1,
        "INGEST_DATE": dt.date(2024, 1, 15),
    }
    row.update(attributes)
    return row


def stage(session, customers=(), plans=(), activity=()) -> None:
    """Replace the three staging tables with these rows (what SP_LOAD_STAGING leaves)."""
    for table, rows in ((STG_CUSTOMERS, customers), (STG_PLANS, plans), (STG_ACTIVITY, activity)):
        schema = arrow_schema(table)
        write_arrow_table(session, table, pa.Table.from_pylist(list(rows), schema=schema))


def load(session, customers=(), plans=(), activity=(), run_date: str = "2024-01-15") -> None:
    """Stage the rows, then run the three DW loads in pipeline order."""
    stage(session, customers, plans, activity)
    steps.load_dim_plan(session, run_date)
    steps.load_dim_customer(session, run_date)
    steps.load_fact_activity(session, run_date)


def rows(session, table: str) -> list[dict]:
    return read_arrow_table(session, table).to_pylist()


def versions(session, cid: str, *columns: str) -> list[tuple]:
    """DIM_CUSTOMER rows of `cid` ordered by EFFECTIVE_FROM as (EFFECTIVE_FROM, EFFECTIVE_TO,
    IS_CURRENT, *columns)."""
    found = [r for r in rows(session, "DIM_CUSTOMER") if r["CUSTOMER_ID"] == cid]
    found.sort(key=lambda r: r["EFFECTIVE_FROM"])
    return [(r["EFFECTIVE_FROM"], r["EFFECTIVE_TO"], r["IS_CURRENT"], *[r[c] for c in columns]) for r in found]


def fact(session, event_id: str) -> dict:
    matches = [r for r in rows(session, "FACT_ACTIVITY") if r["EVENT_ID"] == event_id]
    assert len(matches) == 1, f"{event_id}: {len(matches)} fact rows"
    return matches[0]


def sk_of(session, cid: str, effective_from: dt.datetime) -> int:
    return next(r["CUSTOMER_SK"] for r in rows(session, "DIM_CUSTOMER")
                if r["CUSTOMER_ID"] == cid and r["EFFECTIVE_FROM"] == effective_from)


@pytest.fixture
def wh(tmp_path):
    session = open_local_warehouse(tmp_path)
    yield session
    session.close()


def write_staging(lake, run_id: str, customers=(), plans=(), activity=()) -> None:
    """Job B's output for one run: Parquet per table plus staging/_manifest.json."""
    import json

    import pyarrow.parquet as pq

    folders = {STG_CUSTOMERS: "customers", STG_PLANS: "plans", STG_ACTIVITY: "activity_logs"}
    manifest = {"run_id": run_id, "created_at": "2024-01-15T06:00:00Z", "tables": {}}
    for table, data in ((STG_CUSTOMERS, customers), (STG_PLANS, plans), (STG_ACTIVITY, activity)):
        folder = f"{folders[table]}/run_id={run_id}/"
        (lake / "staging" / folder).mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(list(data), schema=arrow_schema(table)),
                       lake / "staging" / folder / "part-00000.parquet")
        manifest["tables"][table] = {"path": folder, "files": ["part-00000.parquet"], "rows": len(data)}
    (lake / "staging" / "_manifest.json").write_text(json.dumps(manifest))


@pytest.fixture(scope="session")
def fakesnow_server(require_tool):
    """One fakesnow server and Snowpark session per test session (the DDL takes seconds).
    fakesnow comes with the dev extra; without it these tests skip, except in CI."""
    import importlib.util

    installed = all(importlib.util.find_spec(m) for m in ("fakesnow", "uvicorn", "starlette"))
    require_tool(installed, "fakesnow[server] is not installed (pip install -e '.[dev]')")
    from fakesnow_shims import fakesnow_session

    with fakesnow_session() as session:
        yield session


@pytest.fixture
def fakesnow_wh(fakesnow_server):
    """The Snowflake side of the warehouse, executing on fakesnow: every table of the DDL
    emptied, the same warehouse a test gets from `wh` locally (staging is loaded with
    `fakesnow_shims.fakesnow_backend(lake / "staging")`)."""
    from fakesnow_shims import empty_tables

    from telco360.warehouse.tables import locate

    locate()
    empty_tables(fakesnow_server)
    return fakesnow_server
