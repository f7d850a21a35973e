"""Hand-made DW tables for the analyst layer, in one Snowpark local-testing session.

The story (all times UTC, January 2024; plans P1 fee 31.00, P2 fee 62.00):
- C0000001 signs up 01-01 on P1 and moves to P2 at 01-15 12:00 (mid-day, mid-month).
- C0000002 is on P1 from 01-01 and churns at 01-20.
- C0000003 signs up 01-10 on P2, is suspended 01-12 .. 01-14, then active again.
- C0000004 starts on P1 01-01, moves to P2 on 01-05 and churns on P2 on 01-25.
Facts: E1 (C1 on P1, 01-15 10:00, 100 MB), E2 (C1 on P2, 01-15 13:00, 50 MB),
E3 (C1 voice 120 s, 01-16), E4 (C2 SMS, 01-15), E5 (unknown customer C0000009, 01-16, 10 MB),
E6 (C2, 01-01 12:00, 5 MB).
"""
from __future__ import annotations

import datetime as dt

import pytest

from telco360 import contract
from telco360.warehouse.tables import qualified_name, snowpark_type

HIGH = dt.datetime(9999, 12, 31)
LOADED = dt.datetime(2024, 2, 1)


def ts(day: int, hour: int = 0, month: int = 1) -> dt.datetime:
    return dt.datetime(2024, month, day, hour)


def plan(plan_id, name, fee, **overrides):
    row = {
        "PLAN_ID": plan_id, "PLAN_NAME": name, "PLAN_TYPE": "POSTPAID", "MONTHLY_FEE": fee,
        "CURRENCY": "USD", "DATA_ALLOWANCE_GB": None, "VOICE_MINUTES": None, "SMS_ALLOWANCE": None,
        "CONTRACT_MONTHS": 12, "IS_ACTIVE": True, "IS_INFERRED": False,
        "SOURCE_UPDATED_AT": ts(1), "LOADED_AT": LOADED,
    }
    row.update(overrides)
    return row


def version(sk, customer_id, plan_id, status, start, end, signup=dt.date(2024, 1, 1), **overrides):
    row = {
        "CUSTOMER_SK": sk, "CUSTOMER_ID": customer_id, "FIRST_NAME": "Ada", "LAST_NAME": "Okafor",
        "EMAIL": f"{customer_id.lower()}@example.com", "PHONE": None, "ADDRESS_LINE1": None,
        "CITY": "Lagos", "STATE": "LA", "POSTAL_CODE": None, "COUNTRY": "NG", "DATE_OF_BIRTH": None,
        "PLAN_ID": plan_id, "STATUS": status, "SIGNUP_DATE": signup, "EFFECTIVE_FROM": start,
        "EFFECTIVE_TO": end, "IS_CURRENT": end == HIGH, "LOADED_AT": LOADED,
    }
    row.update(overrides)
    return row


def event(event_id, customer_id, sk, plan_id, kind, at, data_mb=None, duration_sec=None, **overrides):
    row = {
        "EVENT_ID": event_id, "CUSTOMER_SK": sk, "CUSTOMER_ID": customer_id, "PLAN_ID": plan_id,
        "EVENT_TYPE": kind, "EVENT_TS": at, "EVENT_DATE": at.date(), "DURATION_SEC": duration_sec,
        "DATA_MB": data_mb, "CELL_ID": None, "ROAMING": False, "LOADED_AT": LOADED,
    }
    row.update(overrides)
    return row


PLANS = [plan("P1", "Basic", 31.00), plan("P2", "Plus", 62.00)]

VERSIONS = [
    version(1, "C0000001", "P1", "ACTIVE", ts(1), ts(15, 12)),
    version(2, "C0000001", "P2", "ACTIVE", ts(15, 12), HIGH),
    version(3, "C0000002", "P1", "ACTIVE", ts(1), ts(20)),
    version(4, "C0000002", "P1", "CHURNED", ts(20), HIGH),
    version(5, "C0000003", "P2", "ACTIVE", ts(10), ts(12), signup=dt.date(2024, 1, 10)),
    version(6, "C0000003", "P2", "SUSPENDED", ts(12), ts(14), signup=dt.date(2024, 1, 10)),
    version(7, "C0000003", "P2", "ACTIVE", ts(14), HIGH, signup=dt.date(2024, 1, 10)),
    version(8, "C0000004", "P1", "ACTIVE", ts(1), ts(5)),
    version(9, "C0000004", "P2", "ACTIVE", ts(5), ts(25)),
    version(10, "C0000004", "P2", "CHURNED", ts(25), HIGH),
]

FACTS = [
    event("E1", "C0000001", 1, "P1", "DATA", ts(15, 10), data_mb=100),
    event("E2", "C0000001", 2, "P2", "DATA", ts(15, 13), data_mb=50),
    event("E3", "C0000001", 2, "P2", "VOICE", ts(16, 9), duration_sec=120),
    event("E4", "C0000002", 3, "P1", "SMS", ts(15, 8)),
    event("E5", "C0000009", -1, None, "DATA", ts(16, 11), data_mb=10),
    event("E6", "C0000002", 3, "P1", "DATA", ts(1, 12), data_mb=5),
]


def table_schema(columns):
    from snowflake.snowpark import types as T

    return T.StructType([T.StructField(name, snowpark_type(kind)) for name, kind, _ in columns])


def as_frame(session, table: str, rows: list[dict]):
    columns = (contract.DW_TABLES.get(table) or contract.STAGING_TABLES.get(table)
               or contract.ANALYTICS_TABLES[table])
    schema = table_schema(columns)
    return session.create_dataframe([tuple(r[c] for c in schema.names) for r in rows], schema)


def save(session, table: str, rows: list[dict]) -> None:
    name = qualified_name(table) if table in contract.STAGING_TABLES else qualified_name(table)
    as_frame(session, table, rows).write.save_as_table(name, mode="overwrite")


@pytest.fixture(scope="session")
def snowpark():
    from telco360.warehouse.local.session import local_session

    session = local_session()
    yield session
    session.close()


@pytest.fixture(scope="session")
def dw(snowpark):
    """The story above as DW tables. Tests never write these tables: a test that needs other
    rows builds DataFrames with `as_frame` or writes under other names."""
    save(snowpark, "DIM_PLAN", PLANS)
    save(snowpark, "DIM_CUSTOMER", VERSIONS)
    save(snowpark, "FACT_ACTIVITY", FACTS)
    return snowpark
