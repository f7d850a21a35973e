"""Local testing fixes, installed by `install()` when a local session is opened
(`telco360.warehouse.local.session`); Snowflake needs none of them. Importing this module changes
nothing; `PATCHES` lists every replacement and why.

- Snowflake functions that local testing does not implement, supplied with
  `snowflake.snowpark.mock.patch`, and DATE_TRUNC on an empty column; CASE over no rows typed
  by its branches (`_case_when`), as Snowflake types it.
- Emulator hot spots made faster with the same results: the NULL scan of the column
  type inference (`_inferred_column_type`) and `Series.combine` on aligned columns
  (`_combine_aligned`), which together took a 30k-event fact load from 76 s to ~8 s; the
  None scan before every arithmetic or comparison (`_fix_dtype_drift`) and the per-row None
  reset after it (`_reset_nan_to_none`); CASE, which copied its input table per branch
  (`_case_when`); and CREATE VIEW, which the emulator answered by computing the view's rows
  (`_execute_plan`), and whose query can be built when the view is first read
  (`register_deferred_view`).
- Each plan's result kept until a table it read changes (`plan_results`): the emulator
  otherwise recomputes a DataFrame's whole input for every step built on it.
- pandas copy-on-write (pandas 3's default): the emulator copies whole tables in
  `reset_index` and the plan cache copies every result it keeps and returns; lazy copies
  only copy a column when one side writes to it.
- The emulator's own pandas FutureWarnings and deprecation notice, silenced.
"""
from __future__ import annotations

import logging
import types
import warnings
from typing import Callable

import numpy as np
import pandas as pd
import snowflake.snowpark

# The snowpark release every patch below was written against and tested on: each replaces a
# private function of that release, so another release must be checked before use.
PATCHED_SNOWPARK_VERSION = "1.53.0"


def check_snowpark_version() -> None:
    if snowflake.snowpark.__version__ != PATCHED_SNOWPARK_VERSION:
        raise RuntimeError(
            f"telco360.warehouse.local.compat patches private functions of snowflake-snowpark-python "
            f"{PATCHED_SNOWPARK_VERSION}, but {snowflake.snowpark.__version__} is installed: install "
            f"{PATCHED_SNOWPARK_VERSION} (pyproject.toml pins it) or check each patch against the new release")


# Before the imports of snowpark's private modules below, which another release may lack.
check_snowpark_version()
from pandas._libs import lib
from pandas.core import ops
from pandas.core.dtypes.cast import maybe_cast_pointwise_result
from snowflake.snowpark import DataFrame, Session
from snowflake.snowpark import functions as F
from snowflake.snowpark import types as T
from snowflake.snowpark.mock import _connection, _functions, _plan, _snowflake_data_type, _util, patch
from snowflake.snowpark.mock._snowflake_data_type import ColumnEmulator, ColumnType, TableEmulator
from snowflake.snowpark.mock._snowflake_data_type import infer_sp_type_from_python_type

from telco360.warehouse.local import plan_results


def trim(expr: ColumnEmulator, *trim_characters) -> ColumnEmulator:
    """TRIM(expr): leading and trailing whitespace removed; NULL stays NULL."""
    result = expr.str.strip() if len(expr) else expr.copy()
    result.sf_type = expr.sf_type
    return result


def date_trunc(part: str, datetime_expr: ColumnEmulator) -> ColumnEmulator:
    """DATE_TRUNC as the emulator computes it; on an empty column, an empty column of the
    input's type (snowpark 1.53.0 fails there: no `.dt` on an empty object column)."""
    if not len(datetime_expr):
        result = datetime_expr.copy()
        result.sf_type = datetime_expr.sf_type
        return result
    return _functions.mock_date_trunc(part, datetime_expr)


def _inferred_column_type(self: ColumnEmulator) -> ColumnType:
    """`ColumnEmulator.sf_type` with the NULL scan vectorized. pandas reads `sf_type` (a
    `_metadata` attribute) on every copy, reindex and concat; for a column without an explicit
    type snowpark 1.53.0 then calls a Python `isna` per value, which was 85% of a fact load
    (21M calls for 30k events). `pd.isna` over the values array gives the same answer: a list
    or dict value is not NULL for either."""
    if self._sf_type is not None:
        return self._sf_type
    nullable = bool(pd.isna(self.values).any())
    if pd.api.types.is_object_dtype(self.dtype) and len(self) != 0:
        return ColumnType(infer_sp_type_from_python_type(type(self.iloc[0])), nullable)
    return ColumnType(infer_sp_type_from_python_type(self.dtype), nullable)


_pandas_items = pd.DataFrame.items


def _typed_items(self: TableEmulator):
    """`TableEmulator.items()` with each column typed as the table declares it, as the
    emulator's own `TableEmulator.__getitem__` does. A `SELECT *` concatenates the columns
    `items()` gives; pandas copies each on the way and reads the copy's `sf_type`, so an
    untyped column was scanned for NULLs once per column and query, only for the result to
    be discarded (2.6 s of the demo's day 6)."""
    for name, column in _pandas_items(self):
        declared = self.sf_types.get(name)
        if declared is not None:
            column._sf_type = declared
        yield name, column


_pandas_combine = pd.Series.combine


def _combine_aligned(self, other, func, fill_value=None):
    """`Series.combine` (pandas 2.x) for two columns on the same unique index: zips the values
    instead of looking every label up on both sides, then converts the result exactly as
    pandas does. The emulator's `==` calls it on every comparison (to match list values), at
    ~7 us a row; other pairs of indexes keep pandas' own path. For that list test, two
    columns of which one holds no list or tuple (one C scan by `lib.infer_dtype`) give False
    throughout without calling it per row."""
    if not (isinstance(other, pd.Series) and self.index.is_unique and self.index.equals(other.index)):
        return _pandas_combine(self, other, func, fill_value)
    name = ops.get_op_result_name(self, other)
    if getattr(func, "__code__", None) is _SEQUENCE_EQUALITY and not (_may_hold_sequences(self) and _may_hold_sequences(other)):
        # The emulator's `[1, 2] == (1, 2)` test is False for every pair unless both sides hold lists or tuples.
        return self._constructor(np.zeros(len(self), dtype=bool), index=self.index, name=name, copy=False)
    values = np.empty(len(self), dtype=object)
    with np.errstate(all="ignore"):
        values[:] = [func(left, right) for left, right in zip(self._values, other._values)]
    converted = maybe_cast_pointwise_result(
        lib.maybe_convert_objects(values, try_float=False),
        self.dtype,
        same_dtype=isinstance(self.dtype, (pd.StringDtype, pd.CategoricalDtype)),
    )
    return self._constructor(converted, index=self.index, name=name, copy=False)


# The lambda snowpark 1.53.0's `=` passes to `combine`: are x and y lists/tuples with equal items.
_SEQUENCE_EQUALITY = next(
    (
        code for code in _plan.calculate_expression.__code__.co_consts
        if isinstance(code, types.CodeType) and code.co_name == "<lambda>" and code.co_names == ("isinstance", "list", "tuple")
    ),
    None,
)
# What `lib.infer_dtype` answers for object arrays that hold no list or tuple.
_SCALAR_KINDS = {"empty", "string", "bytes", "integer", "floating", "mixed-integer-float", "decimal", "boolean",
                 "datetime", "datetime64", "date", "time", "timedelta", "timedelta64", "period", "complex"}


def _may_hold_sequences(column: pd.Series) -> bool:
    return column.dtype == object and lib.infer_dtype(column._values, skipna=True) not in _SCALAR_KINDS


# (dtype when nullable, when not) per type, as in snowpark 1.53.0's
# `fix_drift_between_column_sf_type_and_dtype`; other types stay object.
_DRIFT_DTYPES = {
    T.BooleanType: (bool, bool),
    T.ByteType: ("Int8", np.int8),
    T.ShortType: ("Int8", np.int8),
    T.IntegerType: ("Int64", np.int64),
    T.LongType: ("Int64", np.int64),
    T.DecFloatType: (np.float64, np.float64),
    T.DecimalType: (np.float64, np.float64),
    T.DoubleType: (np.float64, np.float64),
    T.FloatType: (np.float64, np.float64),
}


def _fix_dtype_drift(column: ColumnEmulator) -> ColumnEmulator:
    """`fix_drift_between_column_sf_type_and_dtype` without its per-value `Series.apply`.

    snowpark 1.53.0 runs it on both sides of every binary operator, first asking (one Python
    call per value) whether a numeric column holds a None, in which case the column stays as
    it is. Only an object array can hold None: other dtypes skip the scan, object arrays are
    scanned by `_holds_none`. Then the same `astype` as the emulator."""
    if (
        isinstance(column.sf_type.datatype, T._NumericType)
        and column.dtype == object
        and _holds_none(column._values)
    ):
        return column
    nullable, not_nullable = _DRIFT_DTYPES.get(type(column.sf_type.datatype), (object, object))
    return column.astype(nullable if column.sf_type.nullable else not_nullable, errors="ignore")


def _none_positions(values: np.ndarray) -> np.ndarray:
    """`value is None` for each value of an object array. `pd.isna` finds the missing values in
    C; only those are asked `is None` (NaN, NaT and pd.NA are missing but not None)."""
    mask = pd.isna(values)
    candidates = np.flatnonzero(mask)
    mask[candidates] = [values[position] is None for position in candidates]
    return mask


def _holds_none(values: np.ndarray) -> bool:
    """Does an object array hold a None: `pd.isna` in C, then the missing values in order up to
    the first None (a column of 1M facts is mostly None where its event type does not apply)."""
    missing = np.flatnonzero(pd.isna(values))
    return any(values[position] is None for position in missing)


def _may_hold_none(operand) -> bool:
    if isinstance(operand, pd.Series):
        return operand.dtype == object and _holds_none(operand._values)
    return True


def _reset_nan_to_none(col_a, col_b, result):
    """`reset_nan_to_none_if_necessary` without its per-row loop when it would change nothing.

    snowpark 1.53.0 runs it after every `+ - * /` on columns: one Python step per row setting
    the result to None where an operand is None (1.1 s of a demo day's marts, from `value *
    flag`). When neither operand holds a None, which one vectorized scan tells, it leaves the
    result as it is; otherwise the emulator's own loop runs."""
    if _may_hold_none(col_a) or _may_hold_none(col_b):
        return _emulated_reset_nan(col_a, col_b, result)
    return result


_emulated_reset_nan = _snowflake_data_type.reset_nan_to_none_if_necessary

# The emulator's own version stays reachable: tests/warehouse/test_compat.py compares the two.
_emulated_fix_drift = _util.fix_drift_between_column_sf_type_and_dtype


_Registry = _connection.MockServerConnection.TabularEntityRegistry
_emulated_read_table = _Registry.read_table


def _read_table(self, name):
    """The emulator's `read_table` with one copy of the table instead of two: snowpark 1.53.0
    calls `copy()` on the result of `reset_index`, which is already a new frame with its own
    data and type maps. Every query reads its tables through here (~480 reads a demo day)."""
    with self._lock:
        qualified = _util.get_fully_qualified_name(
            name, self.conn._get_current_parameter("schema"), self.conn._get_current_parameter("database")
        )
        table = self.table_registry.get(qualified)
    if table is None:
        return _emulated_read_table(self, name)  # the emulator's own error
    return table.reset_index(drop=True)


class _DeferredView:
    """A view registered by `register_deferred_view`, its query not built yet."""

    def __init__(self, build: Callable[[], DataFrame]) -> None:
        self.build = build


def register_deferred_view(session: Session, name: str, build: Callable[[], DataFrame]) -> None:
    """CREATE OR REPLACE VIEW `name` AS `build()`, with `build` called when the view is first
    read. Building a Snowpark DataFrame in local testing computes its inputs to learn their
    schemas (~3 s for V_ACTIVITY_ENRICHED over a demo week's 140k facts), while creating a
    view needs none of that: Snowflake compiles a view's query without running it."""
    session._conn.entity_registry.create_or_replace_view(_DeferredView(build), name, True)


_emulated_get_review = _Registry.get_review


def _get_review(self, name):
    view = _emulated_get_review(self, name)
    if isinstance(view, _DeferredView):
        with self._lock:  # the registry's RLock: the build reads tables through it
            view.build().create_or_replace_view(name)
            view = _emulated_get_review(self, name)
    return view


_emulated_plan = _plan.execute_mock_plan


def _execute_plan(plan, expr_to_alias=None):
    """The emulator's plan execution, except CREATE VIEW: snowpark 1.53.0 computes every row
    of the view's query (and the caller turns them into Row objects) only to register the
    query; here it is registered as is, as Snowflake does, and its rows are computed when the
    view is read."""
    source, analyzer = plan_results.node_and_analyzer(plan)
    if not isinstance(source, _plan.CreateViewCommand):
        return _emulated_plan(plan, expr_to_alias)
    registry = analyzer.session._conn.entity_registry
    registry.create_or_replace_view(source.child, source.name, source.replace)
    return TableEmulator()


_emulated_expression = _plan.calculate_expression


def _calculate_expression(exp, input_data, analyzer, expr_to_alias, *, keep_literal=False):
    """The emulator's expression evaluation, except two per-row Python paths of snowpark 1.53.0
    that give the same column vectorized: a literal column, built from a Python list of the
    value (4 ms per literal over 140k rows, ~500 literals a demo day; here one `fill`), and
    IS [NOT] NULL, a `Series.apply` of `x is None` per row (here one pass, or none for a
    dtype that cannot hold None)."""
    if isinstance(exp, _plan.Literal) and not keep_literal:
        return _literal_column(exp, input_data)
    if isinstance(exp, _plan.CaseWhen) and input_data.index.is_unique:
        return _case_when(exp, input_data, analyzer, expr_to_alias)
    if isinstance(exp, (_plan.IsNull, _plan.IsNotNull)):
        child = _plan.calculate_expression(exp.child, input_data, analyzer, expr_to_alias)
        is_none = _none_mask(child)
        return ColumnEmulator(
            is_none if isinstance(exp, _plan.IsNull) else ~is_none,
            index=child.index, sf_type=ColumnType(T.BooleanType(), True), copy=False,
        )
    return _emulated_expression(exp, input_data, analyzer, expr_to_alias, keep_literal=keep_literal)


def _case_when(exp, input_data, analyzer, expr_to_alias) -> ColumnEmulator:
    """The emulator's CASE, branch by branch with the same types, coercions and errors, with the
    rows not yet matched kept as a mask instead of a copy of the input table: snowpark 1.53.0
    filters the whole input twice per branch and once more for ELSE (every column of 140k
    facts for each `_flag` of the marts). ELSE is still evaluated on the unmatched rows only."""
    index = input_data.index
    output_data = ColumnEmulator([None] * len(input_data), index=index)
    if not len(index):
        # No row gives the type (the emulator leaves VARIANT, which then fails in arithmetic):
        # as in SQL, the branch values' types together give it.
        output_data.sf_type = _case_type_without_rows(exp, input_data, analyzer, expr_to_alias)
        return output_data
    remaining = np.ones(len(input_data), dtype=bool)
    for case in exp.branches:
        condition = _plan.calculate_expression(case[0], input_data, analyzer, expr_to_alias).fillna(value=False)
        value = _plan.calculate_expression(case[1], input_data, analyzer, expr_to_alias)
        if not condition.index.equals(index):
            return _emulated_expression(exp, input_data, analyzer, expr_to_alias)
        if output_data.sf_type is None:
            output_data.sf_type = value.sf_type
        elif bool(condition.any()) and output_data.sf_type.datatype != value.sf_type.datatype:
            coerce_result = _case_result_type(output_data, value)
            output_data = _plan.cast_column_to(output_data, coerce_result)
            value = _plan.cast_column_to(value, coerce_result)
        matched = remaining & condition.to_numpy(dtype=bool)
        true_index = index[matched]
        output_data[true_index] = value[true_index]
        remaining &= ~matched
        if not remaining.any():
            break
    if remaining.any() and exp.else_value:
        rest_index = index[remaining]
        if isinstance(exp.else_value, _plan.Literal):
            rest = TableEmulator(index=pd.RangeIndex(len(rest_index)))  # a literal needs only the row count
        else:
            rest = input_data[remaining].reset_index(drop=True)
        value = _plan.calculate_expression(exp.else_value, rest, analyzer, expr_to_alias)
        value.index = rest_index
        if output_data.sf_type is None:
            output_data.sf_type = value.sf_type
        elif output_data.sf_type.datatype != value.sf_type.datatype:
            value = _plan.cast_column_to(value, _case_result_type(output_data, value))
        output_data[rest_index] = value[rest_index]
    return output_data


def _case_type_without_rows(exp, input_data, analyzer, expr_to_alias) -> ColumnType:
    values = [value for _, value in exp.branches] + ([exp.else_value] if exp.else_value else [])
    result = None
    for value in values:
        typed = _plan.calculate_expression(value, input_data, analyzer, expr_to_alias).sf_type
        result = typed if result is None else (_plan.get_coerce_result_type(result, typed) or result)
    return result


def _case_result_type(output_data: ColumnEmulator, value: ColumnEmulator) -> ColumnType:
    coerce_result = _plan.get_coerce_result_type(output_data.sf_type, value.sf_type)
    if coerce_result is None:
        raise _plan.SnowparkLocalTestingException(
            f"CaseWhen expressions have conflicting data types: {output_data.sf_type.datatype} != {value.sf_type.datatype}"
        )
    return coerce_result


def _literal_column(exp, input_data) -> ColumnEmulator:
    if isinstance(exp.datatype, T.StringType):
        # As the emulator does: a string literal's type has the literal's length.
        exp.datatype = T.StringType(len(exp.value))
    values = np.empty(len(input_data), dtype=object)
    values.fill(exp.value)
    return ColumnEmulator(
        values, index=input_data.index, sf_type=ColumnType(exp.datatype, nullable=exp.value is None), copy=False
    )


def _none_mask(column: ColumnEmulator) -> np.ndarray:
    """`x is None` per value, as the emulator tests NULL: only an object array holds None."""
    if column.dtype != object:
        return np.zeros(len(column), dtype=bool)
    return _none_positions(column._values)


_Patch = tuple[object, str, Callable[[], object], str]
PATCHES: tuple[_Patch, ...] = (
    (ColumnEmulator, "sf_type", lambda: property(_inferred_column_type, ColumnEmulator.sf_type.fset),
     "vectorized NULL scan of the column type inference"),
    (TableEmulator, "items", lambda: _typed_items, "columns typed as declared, no NULL scan per copy"),
    (ColumnEmulator, "combine", lambda: _combine_aligned, "Series.combine on aligned columns without a Python loop"),
    (_snowflake_data_type, "reset_nan_to_none_if_necessary", lambda: _reset_nan_to_none,
     "no per-row None reset when no operand holds None"),
    (_util, "fix_drift_between_column_sf_type_and_dtype", lambda: _fix_dtype_drift,
     "one vectorized None scan before arithmetic and comparisons"),
    (_plan, "fix_drift_between_column_sf_type_and_dtype", lambda: _fix_dtype_drift, "the same, as _plan imported it"),
    (_Registry, "read_table", lambda: _read_table, "one copy of a table per read instead of two"),
    (_Registry, "get_review", lambda: _get_review, "views registered by register_deferred_view built on first read"),
    (_plan, "calculate_expression", lambda: _calculate_expression, "literal columns, IS NULL and CASE vectorized"),
)
_installed = False


def install() -> None:
    """Apply every patch of `PATCHES`, the missing functions (`trim`, `date_trunc`), the plan cache
    (`plan_results`), pandas copy-on-write and the notice filters; once per process. Raises
    when the installed snowpark is not the release the patches were written for."""
    global _installed
    if _installed:
        return
    check_snowpark_version()
    for owner, attribute, replacement, _why in PATCHES:
        setattr(owner, attribute, replacement())
    patch(F.trim)(trim)
    patch(F.date_trunc)(date_trunc)
    _plan.execute_mock_plan = _connection.execute_mock_plan = plan_results.install(_execute_plan)
    # Process-wide, so it holds for every local session; tests run the emulator under it too.
    pd.set_option("mode.copy_on_write", True)
    # The emulator's own notices, which say nothing about this project's code: pandas
    # FutureWarnings raised inside snowflake.snowpark.mock (pandas 3 behaviour; pyproject keeps
    # pandas < 3), and Snowpark's one-time notice that its own `cache_result` passes the
    # deprecated `create_temp_table`.
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"snowflake\.snowpark\.mock\.")
    logging.getLogger("snowflake.snowpark").addFilter(
        lambda record: not record.getMessage().startswith("create_temp_table is deprecated"))
    _installed = True
