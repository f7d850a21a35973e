"""Warehouse table names and Snowpark schemas, derived from `telco360.contract` only."""
from __future__ import annotations

import re
import weakref

from snowflake.snowpark.types import (
    BooleanType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampTimeZone,
    TimestampType,
)

from telco360 import contract

STG_CUSTOMERS = "STG_CUSTOMERS"
STG_PLANS = "STG_PLANS"
STG_ACTIVITY = "STG_ACTIVITY"
DIM_PLAN = "DIM_PLAN"
DIM_CUSTOMER = "DIM_CUSTOMER"
FACT_ACTIVITY = "FACT_ACTIVITY"
CUSTOMER_STATE_HISTORY = "CUSTOMER_STATE_HISTORY"
PIPELINE_RUN_LOG = "PIPELINE_RUN_LOG"

_NUMBER = re.compile(r"NUMBER\((\d+),(\d+)\)")


def column_specs(table: str) -> tuple[tuple[str, str, str], ...]:
    for tables in (contract.STAGING_TABLES, contract.DW_TABLES, contract.INTERNAL_TABLES, contract.ANALYTICS_TABLES):
        if table in tables:
            return tables[table]
    raise KeyError(f"no table {table!r} in telco360.contract")


# Where the tables are: the contract's names until `locate_in_session` finds the database
# and DW schema a Snowflake procedure runs in (a deployment with --env database=TELCO_DB_DEV
# must read and write TELCO_DB_DEV, never the contract's TELCO_DB).
_location = {"database": contract.DATABASE, "dw_schema": contract.DW_SCHEMA}
# Sessions whose DW schema is not the schema their procedure runs in: the Native App's
# procedures live in its versioned schema and its tables in the contract's DW
# (snowpark/procedures/native_app.py sets it, `keep_dw_schema`).
_dw_schema_of_session: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def keep_dw_schema(session, schema: str) -> None:
    """`locate_in_session(session)` names DW tables in `schema`, whatever the current schema."""
    _dw_schema_of_session[session] = schema


def locate_in_session(session) -> dict[str, str]:
    """Name tables after the session's current database and schema: an owner's-rights
    procedure runs in the database and schema it was created in (snowflake.yml's env
    `database` and `dw_schema`); STAGING is the schema of that name in the same database.
    Local testing (no current database) keeps the contract's names."""
    from snowflake.snowpark.mock._connection import MockServerConnection

    if isinstance(getattr(session, "_conn", None), MockServerConnection):
        database, schema = contract.DATABASE, contract.DW_SCHEMA
    else:
        database = session.get_current_database()
        schema = _dw_schema_of_session.get(session) or session.get_current_schema()
    if not database or not schema:
        raise RuntimeError(
            "warehouse: the session has no current database and schema; call the procedures "
            "from the database and DW schema they were deployed to (USE SCHEMA <database>.<dw_schema>)"
        )
    return locate(database.strip('"'), schema.strip('"'))


def locate(database: str = contract.DATABASE, dw_schema: str = contract.DW_SCHEMA) -> dict[str, str]:
    """Name tables in `database` (DW tables in `dw_schema`); the contract's names by default."""
    _location.update(database=database, dw_schema=dw_schema)
    return dict(_location)


def database() -> str:
    return _location["database"]


def schema_of(table: str) -> str:
    return contract.STAGING_SCHEMA if table in contract.STAGING_TABLES else _location["dw_schema"]


def qualified_name(table: str) -> str:
    return f"{database()}.{schema_of(table)}.{table}"


# TIMESTAMP_NTZ, the contract's type for every timestamp (UTC).
NTZ = TimestampType(TimestampTimeZone.NTZ)


def snowpark_type(sql_type: str) -> DataType:
    if sql_type == "VARCHAR":
        return StringType()
    if sql_type == "DATE":
        return DateType()
    if sql_type == "TIMESTAMP_NTZ":
        return NTZ
    if sql_type == "BOOLEAN":
        return BooleanType()
    if sql_type == "FLOAT":
        return DoubleType()
    match = _NUMBER.fullmatch(sql_type)
    if match is None:
        raise ValueError(f"no Snowpark type for contract type {sql_type!r}")
    precision, scale = int(match[1]), int(match[2])
    return LongType() if scale == 0 else DecimalType(precision, scale)


def table_schema(table: str) -> StructType:
    return StructType([StructField(name, snowpark_type(t)) for name, t, _ in column_specs(table)])


def column_list(table: str) -> list[str]:
    return [name for name, _, _ in column_specs(table)]


ALL_TABLES = (
    STG_CUSTOMERS, STG_PLANS, STG_ACTIVITY,
    DIM_PLAN, DIM_CUSTOMER, FACT_ACTIVITY,
    CUSTOMER_STATE_HISTORY, PIPELINE_RUN_LOG,
    # the analyst layer: marts and DQ_CHECK_RESULTS (issue 7)
    *contract.ANALYTICS_TABLES,
)
