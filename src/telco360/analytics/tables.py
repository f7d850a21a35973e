"""Names and column conformance shared by the marts and the data-quality checks (Snowpark)."""
from __future__ import annotations

from snowflake.snowpark import Column, DataFrame
from snowflake.snowpark import functions as F
from snowflake.snowpark import types as T

from telco360 import contract
from telco360.warehouse.tables import snowpark_type


def dw_table(name: str) -> str:
    """In the located DW schema (`telco360.warehouse.tables.locate_in_session`)."""
    from telco360.warehouse.tables import database, schema_of

    return f"{database()}.{schema_of(name)}.{name}"


def staging_table(name: str) -> str:
    from telco360.warehouse.tables import database

    return f"{database()}.{contract.STAGING_SCHEMA}.{name}"


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
    action and even for schema lookups (joins, `columns`); in Snowflake every statement that
    reuses a lazy plan inlines it again. Both sides cache it (a Snowpark temporary table in
    Snowflake, which does not commit the open transaction). The choice is the writer seam's."""
    from telco360.warehouse.seams import backend_for

    return backend_for(frame.session).writer.materialize(frame)


def aggregate(frame: DataFrame, keys, aggregations: dict[str, tuple[str, str]]) -> DataFrame:
    """`frame.group_by(keys).agg(...)` through the writer seam's engine (see
    `telco360.warehouse.seams.Engine.aggregate` for the forms): a plain group_by in Snowflake;
    in local testing one pandas pass instead of the emulator's ~6 ms per group."""
    from telco360.warehouse.seams import backend_for

    return backend_for(frame.session).writer.aggregate(frame, list(keys), aggregations)


def distinct(frame: DataFrame) -> DataFrame:
    """`frame.distinct()` through the writer seam's engine: Snowpark's DISTINCT is a GROUP BY,
    which local testing evaluates one group at a time (4.2 s for the ids of 40k facts)."""
    from telco360.warehouse.seams import backend_for

    return backend_for(frame.session).writer.distinct(frame, frame.columns)
