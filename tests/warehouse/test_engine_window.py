"""`Engine.window` (LAG/LEAD/ROW_NUMBER per key in Snowflake, one pandas sort locally) gives
the same columns on both engines, a NULL key being a partition of its own."""
from __future__ import annotations

import datetime as dt

from snowflake.snowpark.types import LongType, StringType, StructField, StructType, TimestampType

from telco360.warehouse.local.backend import LocalEngine
from telco360.warehouse.seams import SnowparkEngine

SCHEMA = StructType([StructField("CUSTOMER_ID", StringType()), StructField("AT", TimestampType()),
                     StructField("STATUS", StringType()), StructField("N", LongType())])
ROWS = [
    ("C1", dt.datetime(2024, 1, 3), "CHURNED", 3),
    ("C1", dt.datetime(2024, 1, 1), "ACTIVE", 1),
    ("C1", dt.datetime(2024, 1, 2), None, 2),
    ("C2", dt.datetime(2024, 1, 5), "ACTIVE", 4),
    (None, dt.datetime(2024, 1, 7), "ACTIVE", 5),
    (None, dt.datetime(2024, 1, 6), "SUSPENDED", 6),
]
COLUMNS = {"PREV_STATUS": ("previous", "STATUS"), "NEXT_AT": ("next", "AT"), "SEQ": ("row_number", "*")}


def windowed(engine, frame) -> list[tuple]:
    rows = engine.window(frame, ["CUSTOMER_ID"], ["AT"], COLUMNS).select("N", *COLUMNS).collect()
    return sorted(tuple(r) for r in rows)


def test_window_adds_previous_next_and_row_number_per_key(wh):
    frame = wh.create_dataframe(ROWS, SCHEMA)
    assert windowed(LocalEngine(), frame) == [
        (1, None, dt.datetime(2024, 1, 2), 1),
        (2, "ACTIVE", dt.datetime(2024, 1, 3), 2),
        (3, None, None, 3),
        (4, None, None, 1),
        (5, "SUSPENDED", None, 2),
        (6, None, dt.datetime(2024, 1, 7), 1),
    ]


def test_window_gives_the_same_columns_on_both_engines(wh):
    frame = wh.create_dataframe(ROWS, SCHEMA)
    assert windowed(SnowparkEngine(), frame) == windowed(LocalEngine(), frame)


def test_window_of_no_rows_has_the_added_columns(wh):
    frame = wh.create_dataframe([], SCHEMA)
    result = LocalEngine().window(frame, ["CUSTOMER_ID"], ["AT"], COLUMNS)
    assert (result.columns[-3:], result.count()) == (list(COLUMNS), 0)
