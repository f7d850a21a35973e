"""Names and column conformance shared by the marts and the data-quality checks (Snowpark)."""
from __future__ import annotations

import re

from snowflake.snowpark import Column, DataFrame
from snowflake.snowpark import functions as F
from snowflake.snowpark import types as T

from telco360 import contract


def dw_table(name: str) -> str:
    return f"{contract.DATABASE}.{contract.DW_SCHEMA}.{name}"


def staging_table(name: str) -> str:
    return f"{contract.DATABASE}.{contract.STAGING_SCHEMA}.{name}"


def snowpark_type(snowflake_type: str) -> T.DataType:
    """Map a contract column type (e.g. `NUMBER(18,3)`) to the Snowpark type."""
    number = re.fullmatch(r"NUMBER\((\d+),(\d+)\)", snowflake_type)
    if number:
        precision, scale = int(number[1]), int(number[2])
        return T.LongType() if scale == 0 else T.DecimalType(precision, scale)
    return {
        "VARCHAR": T.StringType(),
        "DATE": T.DateType(),
        "TIMESTAMP_NTZ": T.TimestampType(T.TimestampTimeZone.NTZ),
        "BOOLEAN": T.BooleanType(),
    }[snowflake_type]


def _cast(column: Column, data_type: T.DataType) -> Column:
    if isinstance(data_type, T.DecimalType):
        # Left to the table: Snowflake coerces on insert into the DDL's NUMBER(p,s) column
        # (marts are written in "truncate" mode, which keeps the DDL), while local testing
        # cannot cast a NULL number to DECIMAL (it sees NaN and raises).
        return column
    return column.cast(data_type)


def conform(frame: DataFrame, columns: tuple[tuple[str, str, str], ...]) -> DataFrame:
    """Select exactly the contract's columns, in its order, cast to its types."""
    return frame.select([_cast(F.col(name), snowpark_type(kind)).alias(name) for name, kind, _ in columns])


def materialize(frame: DataFrame) -> DataFrame:
    """Compute `frame` once where that pays: local testing re-runs a lazy plan for every
    action and even for schema lookups (joins, `columns`), so the local side caches it; in
    Snowflake the plan stays lazy (a cached result would be a temporary table, i.e. DDL, which
    would commit the pipeline's open transaction). The choice is the warehouse writer seam's."""
    from telco360.warehouse.seams import backend_for

    return backend_for(frame.session).writer.materialize(frame)
