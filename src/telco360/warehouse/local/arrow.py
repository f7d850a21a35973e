"""Arrow <-> Snowpark local-testing tables, for the local side of the seams only.

Local testing keeps each table as a pandas frame of Python objects in the session's entity
registry, and it can neither read Parquet nor ingest a large pandas frame quickly
(`create_dataframe` of 1M rows takes ~130 s). So the local staging seam and local
persistence put Arrow columns into that registry directly: one call, seconds per million
rows. This is the only module that touches local testing internals (pinned snowpark 1.53.0);
never imported by code that runs in Snowflake.
"""
from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
import weakref
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from snowflake.snowpark import Session, Table
from snowflake.snowpark._internal.analyzer.snowflake_plan_node import SaveMode, SnowflakeTable
from snowflake.snowpark._internal.temp_table_auto_cleaner import TempTableAutoCleaner
from snowflake.snowpark.mock._snowflake_data_type import ColumnType, TableEmulator

from telco360 import contract
from telco360.warehouse.local.plan_results import forget_all
from telco360.warehouse.tables import column_specs, qualified_name, snowpark_type

_NUMBER = re.compile(r"NUMBER\((\d+),(\d+)\)")


def arrow_type(sql_type: str) -> pa.DataType:
    simple = {
        "VARCHAR": pa.string(),
        "DATE": pa.date32(),
        # microseconds: a nanosecond timestamp cannot hold 9999-12-31
        "TIMESTAMP_NTZ": pa.timestamp("us"),
        "BOOLEAN": pa.bool_(),
        "FLOAT": pa.float64(),
    }
    if sql_type in simple:
        return simple[sql_type]
    match = _NUMBER.fullmatch(sql_type)
    if match is None:
        raise ValueError(f"no Arrow type for contract type {sql_type!r}")
    precision, scale = int(match[1]), int(match[2])
    return pa.int64() if scale == 0 else pa.decimal128(precision, scale)


def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([pa.field(name, arrow_type(t)) for name, t, _ in column_specs(table)])


def conform_arrow(data: pa.Table, table: str, source: str) -> pa.Table:
    """The contract's columns of `table`, by name (extra columns ignored, like COPY INTO's
    MATCH_BY_COLUMN_NAME), cast to the contract's types."""
    by_upper = {name.upper(): name for name in data.column_names}
    schema = arrow_schema(table)
    missing = [f.name for f in schema if f.name not in by_upper]
    if missing:
        raise ValueError(
            f"{source}: columns {', '.join(missing)} of {table} are missing; "
            f"the file does not follow telco360.contract.STAGING_TABLES"
        )
    columns = []
    for field in schema:
        column = data.column(by_upper[field.name])
        if pa.types.is_timestamp(column.type) and column.type.tz is not None:
            column = column.cast(pa.timestamp(column.type.unit))
        try:
            columns.append(column.cast(field.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise ValueError(f"{source}: column {field.name} does not fit {field.type}: {exc}") from exc
    return pa.Table.from_arrays(columns, schema=schema)


def read_parquet_files(paths: list[Path], table: str) -> pa.Table:
    parts = [conform_arrow(pq.read_table(path), table, str(path)) for path in paths]
    return pa.concat_tables(parts) if parts else arrow_schema(table).empty_table()


def write_arrow_table(session: Session, table: str, data: pa.Table) -> int:
    """Replace local table `table` with `data` (already conformed)."""
    sf_types = {}
    columns = {}
    for name, sql_type, _ in column_specs(table):
        key = f'"{name}"'
        sf_types[key] = ColumnType(snowpark_type(sql_type), True)
        columns[key] = _python_values(data.column(name))
    _register_table(session, qualified_name(table), columns, sf_types)
    return data.num_rows


def _python_values(column: pa.ChunkedArray) -> np.ndarray:
    """The column as Python values (None for NULL), which local testing holds, one object per
    distinct value: cells share it (values are immutable), so a column of repeated values
    (ids, dates, types, file names, amounts) costs a pointer a cell, not an object (at 1M
    events ~640 MB a table instead of ~250). Arrow finds the distinct values; dates and
    microsecond timestamps become `date`/`datetime` objects through numpy, ~25x faster than
    Arrow's `to_pylist` with the same values, year 9999 included."""
    encoded = column.combine_chunks().dictionary_encode()
    distinct = encoded.dictionary
    type_ = distinct.type
    lookup = np.empty(len(distinct) + 1, dtype=object)  # the last slot stands for NULL
    if pa.types.is_date32(type_) or (pa.types.is_timestamp(type_) and type_.unit == "us" and type_.tz is None):
        lookup[:-1] = distinct.to_numpy(zero_copy_only=False).astype(object)
    else:
        lookup[:-1] = distinct.to_pylist()
    positions = encoded.indices.fill_null(len(distinct)).to_numpy()
    return lookup[positions]


def _register_table(session: Session, name: str, columns: dict[str, list | np.ndarray], sf_types: dict[str, ColumnType]) -> None:
    """Put columns of Python values (quoted names) into the session as table `name`, replacing it."""
    frame = TableEmulator(
        columns,
        sf_types=sf_types,
        sf_types_by_col_index=dict(enumerate(sf_types.values())),
        dtype=object,
    )
    frame._null_rows_idxs_map = {key: [] for key in sf_types}
    session._conn.entity_registry.write_table(name, frame, SaveMode.OVERWRITE)


def read_arrow_table(session: Session, table: str) -> pa.Table:
    """Local table `table` as Arrow with the contract's types (year 9999 kept)."""
    frame = session._conn.entity_registry.read_table(qualified_name(table))
    arrays = []
    schema = arrow_schema(table)
    for field in schema:
        values = frame[f'"{field.name}"']
        try:
            arrays.append(pa.array(values, type=field.type, from_pandas=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            arrays.append(pa.array([_python_value(v, field.type) for v in values], type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _python_value(value, type_: pa.DataType):
    """One value from a local-testing column (pandas/numpy scalars, NaN for NULL) as the
    plain Python value Arrow expects for `type_`."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    elif hasattr(value, "item"):
        value = value.item()
    if pa.types.is_date(type_) and isinstance(value, dt.datetime):
        return value.date()
    if pa.types.is_integer(type_):
        return int(value)
    if pa.types.is_decimal(type_):
        # Local aggregates carry more scale than the column (a sum of NUMBER(18,3) as a float);
        # Snowflake rounds to the column's scale on insert, half away from zero.
        return decimal.Decimal(str(value)).quantize(decimal.Decimal(1).scaleb(-type_.scale), rounding=decimal.ROUND_HALF_UP)
    if pa.types.is_floating(type_):
        return float(value)
    return value


def aggregate_locally(df, keys: list[str], aggregations: dict[str, tuple[str, str]]):
    """`df.group_by(keys).agg(...)` computed by pandas in one vectorized pass: local testing
    evaluates a group_by one group at a time in Python (~6 ms a group). `aggregations` maps
    an output column to (max|min|sum|count|count_distinct, input column), `("count", "*")`
    counting rows; NULLs are ignored like in SQL (a group with no value gets NULL, or 0 for
    counts) and a NULL key is a group of its own."""
    from snowflake.snowpark.types import DecimalType, LongType

    inputs = list(dict.fromkeys([*keys, *(column for _, column in aggregations.values() if column != "*")]))
    plain, types = _computed(df.select(inputs))
    result = plain[keys].drop_duplicates()
    out_types = {key: types[key] for key in keys}
    for output, (function, column) in aggregations.items():
        present = plain if column == "*" else plain.loc[plain[column].notna(), [*keys, column]]
        grouped = present.groupby(keys, dropna=False, sort=False)
        if function in ("count", "count_distinct"):
            counted = grouped.size() if function == "count" else grouped[column].nunique()
            values = counted.rename(output).reset_index()
            out_types[output] = ColumnType(LongType(), True)
        elif function == "sum":
            values = grouped[column].sum().rename(output).reset_index()
            source = types[column].datatype
            out_types[output] = ColumnType(DecimalType(38, source.scale) if isinstance(source, DecimalType) else source, True)
        else:
            ordered = present.sort_values(column, kind="stable") if len(present) else present
            values = ordered.drop_duplicates(keys, keep="last" if function == "max" else "first")
            values = values.rename(columns={column: output})
            out_types[output] = ColumnType(types[column].datatype, True)
        result = result.astype(object).merge(values.astype(object), on=keys, how="left")
        if function in ("count", "count_distinct"):
            result[output] = result[output].where(result[output].notna(), 0)
    return _result_table(df.session, "AGGREGATE", result, out_types)


def latest_locally(df, keys: list[str], order: list[str]):
    """Per `keys`, the row greatest by `order` (column by column, a null below any value), in
    one pandas sort: local testing evaluates a window one partition at a time. A NULL key is a
    group of its own, as in PARTITION BY."""
    plain, types = _computed(df)
    if len(plain):
        plain = plain.sort_values(order, na_position="first", kind="stable").drop_duplicates(keys, keep="last")
    return _result_table(df.session, "LATEST", plain, types)


def join_locally(left, right, keys: list[str], how: str):
    """`left.join(right, on=keys, how=how)` ("inner" or "left") as one pandas merge: local
    testing re-runs a join's inputs for every later operation on it (even to learn its
    schema). SQL semantics: a NULL key matches nothing (pandas would pair NULLs), a left
    row without a match keeps NULLs on the right. Columns: the keys, then left's, then
    right's other columns; the two sides must share no other column name."""
    if how not in ("inner", "left"):
        raise ValueError(f"join_locally: how={how!r}; 'inner' or 'left'")
    left_rows, left_types = _computed(left)
    right_rows, right_types = _computed(right)
    shared = (set(left_rows.columns) & set(right_rows.columns)) - set(keys)
    if shared:
        raise ValueError(f"join_locally: both sides have column(s) {', '.join(sorted(shared))}; rename one side")
    right_rows = right_rows[right_rows[keys].notna().all(axis=1)]
    joined = left_rows.merge(right_rows, on=keys, how=how, sort=False)
    types = {
        **{k: left_types[k] for k in keys},
        **{c: t for c, t in left_types.items() if c not in keys},
        **{c: ColumnType(t.datatype, t.nullable or how == "left") for c, t in right_types.items() if c not in keys},
    }
    return _result_table(left.session, "JOIN", joined, types)


def _computed(df) -> tuple[pd.DataFrame, dict[str, ColumnType]]:
    """`df`'s rows computed once by local testing, as a pandas frame of Python objects
    (unquoted column names), and each column's local-testing type."""
    cached = df.cache_result()
    frame = df.session._conn.entity_registry.read_table(cached.table_name)
    types = {name.strip('"'): frame[name].sf_type for name in frame.columns}
    plain = pd.DataFrame({name.strip('"'): frame[name].to_numpy(dtype=object) for name in frame.columns}, dtype=object, copy=False)
    return plain, types


def _result_table(session: Session, kind: str, result: pd.DataFrame, types: dict[str, ColumnType]):
    """A pandas result as a new temporary local table, read back as a Snowpark DataFrame
    (dropped once nothing reads it: `TemporaryTables`)."""
    if not len(result):
        result = pd.DataFrame({name: [] for name in types}, dtype=object)
    name = f"{contract.DATABASE}.{contract.DW_SCHEMA}.C360_{kind}_{uuid.uuid4().hex[:12].upper()}"
    columns = {f'"{column}"': _with_none_for_missing(result[column]) for column in types}
    del result
    _register_table(session, name, columns, {f'"{column}"': t for column, t in types.items()})
    return Table(name, session, is_temp_table_for_cleanup=True, _emit_ast=False)


class TemporaryTables(TempTableAutoCleaner):
    """A local session's temporary tables (`cache_result`, the engine's pandas results) leave
    its in-memory registry once no DataFrame or cached plan can read them, as Snowpark's own
    cleaner drops them in Snowflake (it cannot here: it sends DROP TABLE over a connection).
    Otherwise every intermediate of a run stays in memory until the session ends (at 100k
    customers / 1M events, gigabytes). Snowpark registers each temporary table's
    `SnowflakeTable` node here; derived plans share that node. A table is dropped at the next
    new temporary table, never inside the finalizer, which can run in the middle of the
    emulator's or the plan cache's bookkeeping. Closing the session releases every table."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.registry = session._conn.entity_registry
        self.readers: Counter = Counter()
        self.unread: list[str] = []

    def add(self, table: SnowflakeTable) -> None:
        self.drop_unread()
        self.readers[table.name] += 1
        # A weak reference: the finalizer must not keep the session's registry (and through its
        # plan cache, the node itself) alive.
        weakref.finalize(table, _released, weakref.ref(self), table.name)

    def released(self, name: str) -> None:
        self.readers[name] -= 1
        if self.readers[name] <= 0:
            del self.readers[name]
            self.unread.append(name)

    def drop_unread(self) -> None:
        while self.unread:
            name = self.unread.pop()
            if name not in self.readers:
                self.registry.drop_table(name)

    def stop(self) -> None:
        self.unread.clear()
        self.registry.table_registry.clear()
        self.registry.view_registry.clear()
        forget_all(self.registry)


def _released(cleaner: "weakref.ref[TemporaryTables]", name: str) -> None:
    alive = cleaner()
    if alive is not None:
        alive.released(name)


def release_temporary_tables(session: Session) -> None:
    """Give a local session `TemporaryTables` (set when it is opened)."""
    session._temp_table_auto_cleaner = TemporaryTables(session)


def _with_none_for_missing(column: pd.Series) -> np.ndarray:
    """The column's values as an object array, NaN/NaT/NA (pandas' missing markers after a
    merge or groupby) as None, the emulator's NULL."""
    values = column.to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = None
    return values
