"""`c360 export` from a hand-made saved warehouse, and the demo's business answers on literal rows."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from telco360.cli import main as c360
from telco360.runner.lock import lake_lock
from telco360.runner.questions import churn_by_plan, plan_at_each_activity, usage_by_plan_per_day
from telco360.warehouse.local.arrow import arrow_schema

HIGH = dt.datetime(9999, 12, 31)


def saved_table(lake, schema, table, rows):
    path = lake / "_warehouse" / schema / f"{table}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=arrow_schema(table)), path)


def customer_row(sk, customer_id, plan_id, status, start, end):
    return {"CUSTOMER_SK": sk, "CUSTOMER_ID": customer_id, "FIRST_NAME": "Ada", "LAST_NAME": "Okafor",
            "PLAN_ID": plan_id, "STATUS": status, "SIGNUP_DATE": dt.date(2024, 1, 1),
            "EFFECTIVE_FROM": start, "EFFECTIVE_TO": end, "IS_CURRENT": end == HIGH,
            "LOADED_AT": dt.datetime(2024, 1, 15, 6)}


@pytest.fixture()
def lake(tmp_path):
    lake = tmp_path / "lake"
    saved_table(lake, "DW", "DIM_CUSTOMER", [customer_row(1, "C0000001", "PLN-A", "ACTIVE", dt.datetime(2024, 1, 1), HIGH)])
    saved_table(lake, "DW", "PIPELINE_RUN_LOG", [{
        "RUN_ID": "r1", "RUN_DATE": "2024-01-15", "STEP": "PIPELINE", "STATUS": "SUCCEEDED", "STAGING_RUN_ID": "s1",
        "STARTED_AT": dt.datetime(2024, 1, 15, 6), "FINISHED_AT": dt.datetime(2024, 1, 15, 6, 1), "SECONDS": 60.0}])
    plans_dir = lake / "staging" / "plans" / "run_id=s1"
    plans_dir.mkdir(parents=True)
    pq.write_table(pa.table({
        "plan_id": ["PLN-A"], "plan_name": ["Plan A"], "plan_type": ["PREPAID"],
        "monthly_fee": pa.array([Decimal("9.99")], pa.decimal128(12, 2)), "currency": ["EUR"],
        "data_allowance_gb": pa.array([None], pa.decimal128(12, 3)), "voice_minutes": pa.array([None], pa.int64()),
        "sms_allowance": pa.array([None], pa.int64()), "contract_months": [0],
        "source_updated_at": pa.array([dt.datetime(2024, 1, 15, 8)], pa.timestamp("us", tz="UTC")),
        "in_latest_catalog": [True], "catalog_extract_date": [dt.date(2024, 1, 15)], "source_file": ["plans_20240115.csv"],
    }), plans_dir / "part-0.parquet")
    tables = {"STG_PLANS": {"path": "plans/run_id=s1/", "files": ["part-0.parquet"], "rows": 1},
              "STG_CUSTOMERS": {"path": "customers/run_id=s1/", "files": [], "rows": 0},
              "STG_ACTIVITY": {"path": "activity_logs/run_id=s1/", "files": [], "rows": 0}}
    (lake / "staging" / "_manifests").mkdir()
    (lake / "staging" / "_manifests" / "s1.json").write_text(json.dumps({"run_id": "s1", "tables": tables}))
    return lake


def test_export_writes_every_table_under_its_schema(lake, tmp_path):
    out = tmp_path / "out"

    assert c360(["export", "--lake", str(lake), "--out", str(out)]) == 0

    written = sorted(str(p.relative_to(out)) for p in out.rglob("*.parquet"))
    assert written == sorted([
        "DW/CUSTOMER_STATE_HISTORY.parquet", "DW/DIM_CUSTOMER.parquet", "DW/DIM_PLAN.parquet",
        "DW/FACT_ACTIVITY.parquet", "DW/PIPELINE_RUN_LOG.parquet",
        "DW/DQ_CHECK_RESULTS.parquet", "DW/MART_CHURN_BY_PLAN.parquet", "DW/MART_CUSTOMER_360.parquet",
        "DW/MART_CUSTOMER_FEATURES.parquet", "DW/MART_PLAN_USAGE_DAILY.parquet",
        "STAGING/STG_ACTIVITY.parquet", "STAGING/STG_CUSTOMERS.parquet", "STAGING/STG_PLANS.parquet"])


def test_export_keeps_the_high_date_as_utc_timestamp_without_zone(lake, tmp_path):
    c360(["export", "--lake", str(lake), "--out", str(tmp_path / "out")])

    exported = pq.read_table(tmp_path / "out" / "DW" / "DIM_CUSTOMER.parquet")
    assert exported.schema.field("EFFECTIVE_TO").type == pa.timestamp("us")
    assert exported.column("EFFECTIVE_TO").to_pylist() == [HIGH]


def test_export_staging_tables_come_from_the_snapshot_last_loaded(lake, tmp_path):
    c360(["export", "--lake", str(lake), "--out", str(tmp_path / "out")])

    plans = pq.read_table(tmp_path / "out" / "STAGING" / "STG_PLANS.parquet")
    assert plans.column_names == arrow_schema("STG_PLANS").names
    assert plans.column("SOURCE_UPDATED_AT").to_pylist() == [dt.datetime(2024, 1, 15, 8)]


def test_export_without_a_warehouse_says_to_run_first(tmp_path, capsys):
    (tmp_path / "lake").mkdir()

    assert c360(["export", "--lake", str(tmp_path / "lake"), "--out", str(tmp_path / "out")]) == 2
    assert "run `c360 run --lake" in capsys.readouterr().err


def test_export_exits_3_while_a_run_holds_the_lake(tmp_path, capsys):
    (tmp_path / "lake").mkdir()
    with lake_lock(tmp_path / "lake", "c360 run --date 2024-01-15"):
        code = c360(["export", "--lake", str(tmp_path / "lake"), "--out", str(tmp_path / "out")])
    assert code == 3
    assert "c360 export: " in capsys.readouterr().err


def test_export_of_a_missing_lake_is_a_usage_error(tmp_path, capsys):
    assert c360(["export", "--lake", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    assert "lake folder" in capsys.readouterr().err


CUSTOMERS = pd.DataFrame([
    customer_row(-1, "UNKNOWN", None, None, dt.datetime(1900, 1, 1), HIGH),
    customer_row(1, "C0000001", "PLN-A", "ACTIVE", dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 10)),
    customer_row(2, "C0000001", "PLN-B", "ACTIVE", dt.datetime(2024, 1, 10), dt.datetime(2024, 1, 12)),
    customer_row(3, "C0000001", "PLN-B", "CHURNED", dt.datetime(2024, 1, 12), HIGH),
    customer_row(4, "C0000002", "PLN-A", "ACTIVE", dt.datetime(2024, 1, 1), HIGH),
])
FACTS = pd.DataFrame([
    {"EVENT_ID": "e1", "CUSTOMER_SK": 1, "CUSTOMER_ID": "C0000001", "PLAN_ID": "PLN-A", "EVENT_TYPE": "DATA",
     "EVENT_TS": dt.datetime(2024, 1, 9, 23), "EVENT_DATE": dt.date(2024, 1, 9), "DURATION_SEC": None, "DATA_MB": 1024.0},
    {"EVENT_ID": "e2", "CUSTOMER_SK": 2, "CUSTOMER_ID": "C0000001", "PLAN_ID": "PLN-B", "EVENT_TYPE": "VOICE",
     "EVENT_TS": dt.datetime(2024, 1, 10, 1), "EVENT_DATE": dt.date(2024, 1, 10), "DURATION_SEC": 120, "DATA_MB": None},
    {"EVENT_ID": "e3", "CUSTOMER_SK": -1, "CUSTOMER_ID": "C0000009", "PLAN_ID": None, "EVENT_TYPE": "SMS",
     "EVENT_TS": dt.datetime(2024, 1, 10, 2), "EVENT_DATE": dt.date(2024, 1, 10), "DURATION_SEC": None, "DATA_MB": None},
])


def test_plan_at_each_activity_is_the_plan_of_the_version_in_force():
    answer = plan_at_each_activity(CUSTOMERS, FACTS)

    assert answer["customer_id"] == "C0000001"
    assert [(a["event_ts"], a["plan_id"]) for a in answer["activities"]] == [
        ("2024-01-09 23:00:00", "PLN-A"), ("2024-01-10 01:00:00", "PLN-B")]


def test_usage_by_plan_per_day_counts_unknown_customers_apart():
    usage = usage_by_plan_per_day(FACTS)

    assert [(u["day"], u["plan_id"], u["events"]) for u in usage] == [
        ("2024-01-09", "PLN-A", 1), ("2024-01-10", "(customer not known yet)", 1), ("2024-01-10", "PLN-B", 1)]
    assert usage[0]["data_gb"] == 1.0


def test_churn_is_attributed_to_the_plan_in_force_at_churn():
    churn = {row["plan_id"]: (row["customers"], row["churned"]) for row in churn_by_plan(CUSTOMERS)}

    assert churn == {"PLN-A": (2, 0), "PLN-B": (1, 1)}
