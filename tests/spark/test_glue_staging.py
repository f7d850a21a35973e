"""Job B's transforms on literal clean rows."""
from __future__ import annotations

import datetime as dt

from pyspark.sql import types as T

from telco360 import contract
from telco360.spark import staging
from telco360.spark.schemas import clean_schema

DAY1, DAY2 = dt.date(2024, 1, 15), dt.date(2024, 1, 16)


def customer(line, updated_at, status="ACTIVE", plan_id="P1", extract_date=DAY1, file="customers_20240115.ndjson"):
    return {
        "customer_id": "C0000001", "first_name": "Ada", "last_name": "Okafor", "email": "ada@example.com",
        "phone": None, "address_line1": None, "city": None, "state": None, "postal_code": None, "country": None,
        "date_of_birth": None, "plan_id": plan_id, "status": status, "signup_date": DAY1,
        "updated_at": updated_at, "source_file": file, "source_line": line, "extract_date": extract_date,
        "ingest_date": extract_date, "clean_run_id": "R1",
    }


def plan(plan_id, updated_at, extract_date, line=2, fee="10.00"):
    return {
        "plan_id": plan_id, "plan_name": f"Plan {plan_id}", "plan_type": "PREPAID", "monthly_fee": fee,
        "currency": "USD", "data_allowance_gb": None, "voice_minutes": None, "sms_allowance": None,
        "contract_months": 0, "updated_at": updated_at,
        "source_file": f"plans_{extract_date:%Y%m%d}.csv", "source_line": line,
        "extract_date": extract_date, "ingest_date": extract_date, "clean_run_id": "R1",
    }


def event(event_id, line, event_ts=dt.datetime(2024, 1, 15, 23, 59, 59), extract_date=DAY1, cell_id="X"):
    return {
        "event_id": event_id, "customer_id": "C0000001", "event_type": "SMS", "event_ts": event_ts,
        "duration_sec": None, "data_mb": None, "cell_id": cell_id, "roaming": False,
        "source_file": f"activity_logs_{extract_date:%Y%m%d}.ndjson", "source_line": line,
        "extract_date": extract_date, "ingest_date": extract_date, "clean_run_id": "R1",
    }


def frame(spark, dataset, rows):
    from decimal import Decimal

    schema = clean_schema(dataset)
    decimals = {f.name for f in schema.fields if isinstance(f.dataType, T.DecimalType)}
    fixed = [{k: Decimal(v) if k in decimals and v is not None else v for k, v in row.items()} for row in rows]
    return spark.createDataFrame([tuple(row[f.name] for f in schema.fields) for row in fixed], schema)


T9 = dt.datetime(2024, 1, 15, 9)
T10 = dt.datetime(2024, 1, 15, 10)


def test_exact_redelivery_collapses_to_the_last_delivery(spark):
    rows = [customer(1, T9), customer(2, T9, status="SUSPENDED"), customer(3, T9)]
    collapsed = staging.collapse_customer_redeliveries(frame(spark, contract.CUSTOMERS, rows)).collect()
    assert sorted((r["status"], r["source_line"]) for r in collapsed) == [("ACTIVE", 3), ("SUSPENDED", 2)]


def test_every_state_change_of_a_customer_is_kept(spark):
    rows = [customer(1, T9), customer(2, T10, status="SUSPENDED"), customer(3, T10, status="SUSPENDED")]
    collapsed = staging.collapse_customer_redeliveries(frame(spark, contract.CUSTOMERS, rows)).collect()
    assert sorted((r["updated_at"], r["status"]) for r in collapsed) == [(T9, "ACTIVE"), (T10, "SUSPENDED")]


def test_customer_plan_no_catalog_delivered_is_flagged(spark):
    customers = frame(spark, contract.CUSTOMERS, [customer(1, T9, plan_id="P1"), customer(2, T10, plan_id="P404")])
    plans = frame(spark, contract.PLANS, [plan("P1", T9, DAY1)])
    rows = staging.build_stg_customers(customers, plans).collect()
    assert sorted((r["PLAN_ID"], r["PLAN_IN_CATALOG"]) for r in rows) == [("P1", True), ("P404", False)]


def test_plan_keeps_its_latest_updated_at_state_even_from_an_older_file(spark):
    plans = frame(spark, contract.PLANS, [plan("P1", T10, DAY1, fee="12.00"), plan("P1", T9, DAY2, fee="11.00")])
    row = staging.build_stg_plans(plans).collect()[0]
    assert (str(row["MONTHLY_FEE"]), row["SOURCE_UPDATED_AT"]) == ("12.00", T10)


def test_plan_state_tie_goes_to_the_later_delivery(spark):
    plans = frame(spark, contract.PLANS, [plan("P1", T9, DAY1, fee="12.00"), plan("P1", T9, DAY2, fee="11.00")])
    assert str(staging.build_stg_plans(plans).collect()[0]["MONTHLY_FEE"]) == "11.00"


def test_plan_missing_from_newest_catalog_is_not_in_latest_catalog(spark):
    plans = frame(spark, contract.PLANS, [plan("P1", T9, DAY1), plan("P2", T9, DAY1), plan("P2", T9, DAY2)])
    rows = staging.build_stg_plans(plans).collect()
    assert sorted((r["PLAN_ID"], r["IN_LATEST_CATALOG"], r["CATALOG_EXTRACT_DATE"]) for r in rows) == [
        ("P1", False, DAY2), ("P2", True, DAY2),
    ]


def test_duplicate_event_keeps_its_earliest_delivery(spark):
    events = frame(spark, contract.ACTIVITY_LOGS, [event("E1", 5, cell_id="LATE"), event("E1", 2, cell_id="FIRST")])
    rows = staging.build_stg_activity(events).collect()
    assert [(r["EVENT_ID"], r["CELL_ID"], r["SOURCE_LINE"]) for r in rows] == [("E1", "FIRST", 2)]


def test_event_date_is_the_utc_date_of_the_event(spark):
    events = frame(spark, contract.ACTIVITY_LOGS, [event("E1", 1, event_ts=dt.datetime(2024, 1, 16, 0, 30))])
    assert staging.build_stg_activity(events).collect()[0]["EVENT_DATE"] == DAY2


def test_staging_tables_have_exactly_the_contract_columns_and_types(spark):
    customers = frame(spark, contract.CUSTOMERS, [customer(1, T9)])
    plans = frame(spark, contract.PLANS, [plan("P1", T9, DAY1)])
    events = frame(spark, contract.ACTIVITY_LOGS, [event("E1", 1)])
    built = {
        "STG_CUSTOMERS": staging.build_stg_customers(customers, plans),
        "STG_PLANS": staging.build_stg_plans(plans),
        "STG_ACTIVITY": staging.build_stg_activity(events),
    }
    assert {t: tuple(f.name for f in df.schema.fields) for t, df in built.items()} == {
        t: contract.column_names(t) for t in built
    } and isinstance(built["STG_ACTIVITY"].schema["EVENT_TS"].dataType, T.TimestampNTZType)
