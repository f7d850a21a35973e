"""Snowflake functions that Snowpark local testing does not implement, supplied with
`snowflake.snowpark.mock.patch`. Imported only when a local session is opened
(`telco360.warehouse.local`); Snowflake has these functions natively."""
from __future__ import annotations

from snowflake.snowpark import functions as F
from snowflake.snowpark.mock import patch
from snowflake.snowpark.mock._snowflake_data_type import ColumnEmulator


@patch(F.trim)
def trim(expr: ColumnEmulator, *trim_characters) -> ColumnEmulator:
    """TRIM(expr): leading and trailing whitespace removed; NULL stays NULL."""
    result = expr.str.strip() if len(expr) else expr.copy()
    result.sf_type = expr.sf_type
    return result
