"""SP_REFRESH_MARTS on the Snowflake path (fakesnow + real Snowpark, fakesnow_shims.py) writes
the same marts and view as on the local path, from the same DW tables: the analyst story of
tests/analytics/conftest.py (plan changes mid-day, a suspension, churns, an unknown customer's
events); and a second refresh of the same day changes nothing."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from analytics.conftest import FACTS, PLANS, VERSIONS, save
from telco360 import contract
from telco360.analytics.refresh import refresh_marts
from telco360.warehouse.local.arrow import read_arrow_table
from telco360.warehouse.local.session import local_session
from telco360.warehouse.tables import qualified_name

DW_ROWS = {"DIM_PLAN": PLANS, "DIM_CUSTOMER": VERSIONS, "FACT_ACTIVITY": FACTS}
ANALYST_LAYER = (*(t for t in contract.ANALYTICS_TABLES if t.startswith("MART_")), "V_ACTIVITY_ENRICHED")
RUN_DATE = "2024-01-31"
REFRESHED_AT = dt.datetime(2024, 2, 1, 6)


def comparable(rows) -> list[tuple]:
    """Rows with numbers compared as decimals to 4 places (the narrowest mart scale: the two
    engines divide with different precision before the column's rounding), sorted."""
    def value(v):
        if isinstance(v, (float, Decimal)):
            return Decimal(str(v)).quantize(Decimal("0.0001"))
        return v
    return sorted((tuple((k, value(v)) for k, v in sorted(r.items())) for r in rows), key=repr)


def analyst_layer(session) -> dict[str, list[tuple]]:
    return {name: comparable(r.as_dict() for r in session.table(qualified_name(name)).collect()) for name in ANALYST_LAYER}


@pytest.fixture(scope="module")
def local_marts():
    """(the analyst layer after a refresh, the DW tables as Arrow with the contract's types)."""
    session = local_session()
    try:
        for table, rows in DW_ROWS.items():
            save(session, table, rows)
        dw = {table: read_arrow_table(session, table) for table in DW_ROWS}
        refresh_marts(session, RUN_DATE, REFRESHED_AT)
        return analyst_layer(session), dw
    finally:
        session.close()


@pytest.fixture(scope="module")
def fakesnow_marts(fakesnow_server, local_marts):
    """(after the first refresh, after a second one), the same DW tables put into fakesnow's DuckDB."""
    import fakesnow.server
    from fakesnow_shims import empty_tables

    from telco360.warehouse.tables import locate

    locate()
    empty_tables(fakesnow_server)
    with fakesnow.server.shared_fs.duck_conn.cursor() as duck:
        for table, data in local_marts[1].items():
            duck.register("dw_rows", data)
            duck.execute(f"INSERT INTO {qualified_name(table)} BY NAME SELECT * FROM dw_rows")
            duck.unregister("dw_rows")
    refresh_marts(fakesnow_server, RUN_DATE, REFRESHED_AT)
    first = analyst_layer(fakesnow_server)
    refresh_marts(fakesnow_server, RUN_DATE, REFRESHED_AT)
    return first, analyst_layer(fakesnow_server)


@pytest.mark.parametrize("name", ANALYST_LAYER)
def test_fakesnow_refresh_writes_the_same_marts_as_local_testing(local_marts, fakesnow_marts, name):
    local = local_marts[0][name]
    assert local, f"{name} is empty: the story should fill every mart"
    assert fakesnow_marts[0][name] == local


def test_a_second_refresh_of_the_day_changes_no_mart_on_fakesnow(fakesnow_marts):
    first, second = fakesnow_marts
    assert second == first
