"""SP_REFRESH_MARTS and SP_RUN_DQ_CHECKS handlers, called directly with a local session."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from snowflake.snowpark import functions as F

from telco360 import contract
from telco360.warehouse.tables import qualified_name
from telco360.runner import handlers

from .conftest import VERSIONS, save


@pytest.fixture(scope="module")
def procedures():
    return handlers.procedure_module("analytics")


@pytest.fixture(scope="module")
def refreshed(dw, procedures):
    first = json.loads(procedures.sp_refresh_marts(dw, "2024-01-15"))
    second = json.loads(procedures.sp_refresh_marts(dw, "2024-01-31"))
    return dw, first, second


def test_refresh_writes_every_mart_table_with_the_contract_columns(refreshed):
    session, _, _ = refreshed
    for table in ("MART_PLAN_USAGE_DAILY", "MART_CUSTOMER_360", "MART_CHURN_BY_PLAN", "MART_CUSTOMER_FEATURES"):
        columns = [c.strip('"') for c in session.table(qualified_name(table)).columns]
        assert columns == [c[0] for c in contract.ANALYTICS_TABLES[table]], table


def test_refresh_creates_the_enriched_activity_view(refreshed):
    session, _, _ = refreshed
    assert session.table(qualified_name("V_ACTIVITY_ENRICHED")).count() == 6


def test_refresh_reports_rows_written_per_mart(refreshed):
    _, first, second = refreshed
    assert first["rows"]["MART_CUSTOMER_360"] == 4
    assert (first["rows"]["MART_CUSTOMER_FEATURES"], second["rows"]["MART_CUSTOMER_FEATURES"]) == (4, 2)


def test_refresh_keeps_the_feature_snapshots_of_earlier_as_of_dates(refreshed):
    session, _, _ = refreshed
    features = session.table(qualified_name("MART_CUSTOMER_FEATURES"))
    dates = sorted({r[0] for r in features.select("AS_OF_DATE").collect()})
    assert dates == [dt.date(2024, 1, 15), dt.date(2024, 1, 31)]
    assert features.filter(F.col("AS_OF_DATE") == F.lit(dt.date(2024, 1, 15))).count() == 4


def test_refresh_rejects_a_run_date_that_is_not_a_date(dw, procedures):
    with pytest.raises(ValueError, match="RUN_DATE '16/01/2024' is not a date"):
        procedures.sp_refresh_marts(dw, "16/01/2024")


def test_dq_procedure_returns_a_summary_when_no_critical_check_fails(dw, procedures):
    summary = json.loads(procedures.sp_run_dq_checks(dw, "2024-01-16"))
    assert summary["failed"] == ["warning:facts_without_customer_version"]


def test_dq_procedure_raises_naming_the_failed_check(snowpark, procedures):
    broken = [dict(row) for row in VERSIONS]
    broken[0]["IS_CURRENT"] = True
    save(snowpark, "DIM_CUSTOMER", broken)
    try:
        with pytest.raises(RuntimeError, match="scd2:one_current_row"):
            procedures.sp_run_dq_checks(snowpark, "2024-01-16")
    finally:
        save(snowpark, "DIM_CUSTOMER", VERSIONS)
