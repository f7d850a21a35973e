"""Warehouse table names and Snowpark schemas, derived from `telco360.contract` only."""
from __future__ import annotations

import re

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

# Job B's dataset folders in staging/ and the tables they load.
STAGING_DATASET_TABLES = {
    contract.CUSTOMERS: STG_CUSTOMERS,
    contract.PLANS: STG_PLANS,
    contract.ACTIVITY_LOGS: STG_ACTIVITY,
}

_NUMBER = re.compile(r"NUMBER\((\d+),(\d+)\)")


def column_specs(table: str) -> tuple[tuple[str, str, str], ...]:
    for tables in (contract.STAGING_TABLES, contract.DW_TABLES, contract.INTERNAL_TABLES, contract.ANALYTICS_TABLES):
        if table in tables:
            return tables[table]
    raise KeyError(f"no table {table!r} in telco360.contract")


def schema_of(table: str) -> str:
    return contract.STAGING_SCHEMA if table in contract.STAGING_TABLES else contract.DW_SCHEMA


def qualified_name(table: str) -> str:
    return f"{contract.DATABASE}.{schema_of(table)}.{table}"


def snowpark_type(sql_type: str) -> DataType:
    if sql_type == "VARCHAR":
        return StringType()
    if sql_type == "DATE":
        return DateType()
    if sql_type == "TIMESTAMP_NTZ":
        return TimestampType(TimestampTimeZone.NTZ)
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
