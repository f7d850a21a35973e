"""The local-testing patches in telco360.warehouse.local.compat give the emulator's own answers."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from snowflake.snowpark import functions as F
from snowflake.snowpark import types as T
from snowflake.snowpark.mock._snowflake_data_type import ColumnEmulator, ColumnType, TableEmulator

from telco360.warehouse.local import compat
from telco360.warehouse.local.session import local_session

COLUMNS = [
    ("object longs with a None", [1, None, 3], object, T.LongType(), True),
    ("object longs without None", [1, 2, 3], object, T.LongType(), False),
    ("object decimals", [Decimal("1.5"), Decimal("2.25")], object, T.DecimalType(18, 3), True),
    ("object decimals with a None", [Decimal("1.5"), None], object, T.DecimalType(18, 3), True),
    ("floats with NaN", [1.0, np.nan], np.float64, T.DoubleType(), True),
    ("int64", [1, 2], np.int64, T.LongType(), False),
    ("masked Int64 with NA", [1, None], "Int64", T.LongType(), True),
    ("booleans", [True, False], object, T.BooleanType(), False),
    ("strings with a None", ["a", None], object, T.StringType(), True),
    ("dates", [dt.date(2024, 1, 1), None], object, T.DateType(), True),
    ("timestamps", [dt.datetime(2024, 1, 1, 9), None], object, T.TimestampType(), True),
    ("empty longs", [], object, T.LongType(), True),
]


@pytest.mark.parametrize("values, dtype, datatype, nullable", [c[1:] for c in COLUMNS], ids=[c[0] for c in COLUMNS])
def test_dtype_drift_fix_matches_the_emulator(values, dtype, datatype, nullable):
    def column():
        return ColumnEmulator(values, dtype=dtype, sf_type=ColumnType(datatype, nullable))

    ours, emulators = compat._fix_dtype_drift(column()), compat._emulated_fix_drift(column())
    pd.testing.assert_series_equal(ours, emulators)
    assert ours.sf_type == emulators.sf_type


@pytest.fixture()
def session():
    session = local_session()
    yield session
    session.close()


def test_a_local_view_is_registered_without_computing_its_rows(session, monkeypatch):
    session.create_dataframe([(1, "a"), (2, "b")], ["ID", "NAME"]).write.save_as_table("T_SOURCE")
    view_query = session.table("T_SOURCE").filter(F.col("ID") > F.lit(1))
    executed = []
    emulated = compat._emulated_plan
    monkeypatch.setattr(compat, "_emulated_plan", lambda plan, aliases=None: executed.append(plan) or emulated(plan, aliases))

    view_query.create_or_replace_view("V_LATER_IDS")

    assert executed == []
    monkeypatch.undo()
    session.create_dataframe([(3, "c")], ["ID", "NAME"]).write.save_as_table("T_SOURCE", mode="append")
    # Read when queried, as in Snowflake: the row appended after CREATE VIEW is there.
    assert sorted(r["ID"] for r in session.table("V_LATER_IDS").collect()) == [2, 3]


def test_replacing_a_local_view_changes_its_query(session):
    session.create_dataframe([(1,), (2,)], ["ID"]).write.save_as_table("T_IDS")
    session.table("T_IDS").filter(F.col("ID") == F.lit(1)).create_or_replace_view("V_IDS")
    session.table("T_IDS").filter(F.col("ID") == F.lit(2)).create_or_replace_view("V_IDS")
    assert [r["ID"] for r in session.table("V_IDS").collect()] == [2]


LITERALS = [
    ("string", F.lit("abc")),
    ("long", F.lit(7)),
    ("null", F.lit(None)),
    ("date", F.lit(dt.date(2024, 1, 2))),
    ("timestamp", F.lit(dt.datetime(9999, 12, 31))),
    ("decimal", F.lit(Decimal("1.25"))),
]


@pytest.mark.parametrize("literal", [c[1] for c in LITERALS], ids=[c[0] for c in LITERALS])
def test_a_literal_column_matches_the_emulator(session, literal):
    rows = session.create_dataframe([(1,), (2,), (3,)], ["ID"]).filter(F.col("ID") > F.lit(1))
    frame = compat._plan.execute_mock_plan(rows._plan)
    analyzer = session._analyzer

    ours = compat._calculate_expression(literal._expression, frame, analyzer, {})
    emulators = compat._emulated_expression(literal._expression, frame, analyzer, {})

    pd.testing.assert_series_equal(ours, emulators)
    assert ours.sf_type == emulators.sf_type


def test_table_columns_from_items_carry_the_declared_type_as_getitem_does():
    # Nullable and sized: what a scan of the values would not give.
    declared = ColumnType(T.StringType(10), True)
    table = TableEmulator({"A": ["x", "y"], "B": [1, None]}, sf_types={"A": declared}, dtype=object)

    items = dict(table.items())

    assert items["A"].sf_type == declared == table["A"].sf_type
    # Not declared: inferred from the values, as before.
    assert items["B"].sf_type.nullable is True


def test_select_star_keeps_the_column_types(session):
    session.create_dataframe([(1, "a"), (2, None)], ["ID", "NAME"]).write.save_as_table("T_STAR")
    star = session.table("T_STAR").select("*", (F.col("ID") + F.lit(1)).alias("NEXT"))
    assert [(f.name, type(f.datatype)) for f in star.schema.fields] == [
        ("ID", T.LongType), ("NAME", T.StringType), ("NEXT", T.LongType)
    ]
    assert [tuple(r) for r in star.collect()] == [(1, "a", 2), (2, None, 3)]


def test_a_table_read_is_the_emulator_s_read_and_its_own_copy(session):
    session.create_dataframe([(1, "a"), (2, None)], ["ID", "NAME"]).write.save_as_table("T_READ")
    registry = session._conn.entity_registry

    ours, emulators = registry.read_table("T_READ"), compat._emulated_read_table(registry, "T_READ")

    pd.testing.assert_frame_equal(ours, emulators)
    assert ours.sf_types == emulators.sf_types
    ours.iloc[0, 0] = 99
    ours.sf_types.clear()
    again = registry.read_table("T_READ")
    assert again.iloc[0, 0] == 1 and again.sf_types == emulators.sf_types
    with pytest.raises(Exception, match="does not exist"):
        registry.read_table("T_MISSING")


def _sequence_equality():
    return compat.types.FunctionType(compat._SEQUENCE_EQUALITY, {"isinstance": isinstance, "list": list, "tuple": tuple})


PAIRS = [
    ("strings", ["a", None, "c"], ["a", "b", None]),
    ("longs", [1, 2, 3], [1, 5, 3]),
    ("lists on both sides", [[1, 2], None, [3]], [(1, 2), [1], [3]]),
    ("a list on one side", [[1, 2], "x", None], ["a", "x", None]),
    ("timestamps", [dt.datetime(2024, 1, 1), None, dt.datetime(2024, 1, 2)], [dt.datetime(2024, 1, 1)] * 3),
]


@pytest.mark.parametrize("left, right", [p[1:] for p in PAIRS], ids=[p[0] for p in PAIRS])
def test_the_equality_combine_matches_pandas(left, right):
    assert compat._SEQUENCE_EQUALITY is not None, "snowpark's list-equality lambda was not found"
    index = pd.Index([10, 11, 12])
    left_column = ColumnEmulator(np.array(left, dtype=object), index=index)
    right_column = ColumnEmulator(np.array(right, dtype=object), index=index)

    ours = compat._combine_aligned(left_column, right_column, _sequence_equality())
    pandas = compat._pandas_combine(left_column, right_column, _sequence_equality())

    pd.testing.assert_series_equal(pd.Series(ours), pd.Series(pandas))


def test_array_columns_still_compare_by_their_items(session):
    frame = session.create_dataframe([([1, 2], [1, 2]), ([1], [2])], ["A", "B"])
    assert [r["SAME"] for r in frame.select((F.col("A") == F.col("B")).alias("SAME")).collect()] == [True, False]


NULL_TESTS = [
    ("strings", ["a", None, ""], object),
    ("floats with NaN", [1.0, float("nan"), 2.0], np.float64),
    ("masked Int64 with NA", [1, None, 3], "Int64"),
    ("object NaN is not None", [1.5, float("nan"), None], object),
    ("empty", [], object),
]


@pytest.mark.parametrize("values, dtype", [c[1:] for c in NULL_TESTS], ids=[c[0] for c in NULL_TESTS])
@pytest.mark.parametrize("test", [F.col("V").is_null, F.col("V").is_not_null], ids=["is_null", "is_not_null"])
def test_null_tests_match_the_emulator(session, values, dtype, test):
    data = compat.TableEmulator({'"V"': pd.Series(values, dtype=dtype)}, sf_types={'"V"': ColumnType(T.DoubleType(), True)})
    data.index = pd.RangeIndex(5, 5 + len(values))
    expression = test()._expression

    ours = compat._calculate_expression(expression, data, session._analyzer, {})
    emulators = compat._emulated_expression(expression, data, session._analyzer, {})

    pd.testing.assert_series_equal(pd.Series(ours), pd.Series(emulators), check_dtype=bool(len(values)))
    assert ours.sf_type == emulators.sf_type


ARITHMETIC_OPERANDS = [
    ("object longs with a None", [1, None, 3], object),
    ("object longs without None", [1, 2, 3], object),
    ("object decimals with NaN and None", [Decimal("1.5"), Decimal("NaN"), None], object),
    ("floats with NaN", [1.0, np.nan, 2.0], np.float64),
    ("int64", [1, 2, 3], np.int64),
]


@pytest.mark.parametrize("values, dtype", [c[1:] for c in ARITHMETIC_OPERANDS], ids=[c[0] for c in ARITHMETIC_OPERANDS])
@pytest.mark.parametrize("operator", ["__mul__", "__add__", "__sub__", "__truediv__"])
def test_arithmetic_matches_the_emulator_s_none_reset(values, dtype, operator, monkeypatch):
    def result():
        left = ColumnEmulator(values, dtype=dtype, sf_type=ColumnType(T.DecimalType(18, 3), True))
        right = ColumnEmulator([2, 4, 5], dtype=object, sf_type=ColumnType(T.LongType(), False))
        return getattr(left, operator)(right)

    ours = result()
    monkeypatch.setattr(compat._snowflake_data_type, "reset_nan_to_none_if_necessary", compat._emulated_reset_nan)
    emulators = result()
    pd.testing.assert_series_equal(ours, emulators)
    assert [value is None for value in ours] == [value is None for value in emulators]


def test_none_positions_tell_none_from_other_missing_values():
    values = np.array([None, float("nan"), pd.NaT, pd.NA, Decimal("NaN"), 0, "", None], dtype=object)
    assert compat._none_positions(values).tolist() == [True, False, False, False, False, False, False, True]
    assert compat._holds_none(values) and not compat._holds_none(values[1:7])


CASES = [
    ("flag", lambda: F.when(F.col("K") == F.lit("DATA"), F.lit(1)).otherwise(F.lit(0))),
    ("no else", lambda: F.when(F.col("K") == F.lit("DATA"), F.col("N"))),
    ("two branches, column else", lambda: F.when(F.col("K") == F.lit("DATA"), F.lit(1))
        .when(F.col("N") > F.lit(2), F.lit(2)).otherwise(F.col("N"))),
    ("integer then decimal", lambda: F.when(F.col("K") == F.lit("SMS"), F.lit(1)).otherwise(F.col("D"))),
    ("every row matched", lambda: F.when(F.col("N").is_not_null() | F.col("N").is_null(), F.lit("x")).otherwise(F.lit("y"))),
]


@pytest.mark.parametrize("case", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_case_when_matches_the_emulator(session, case):
    data = compat.TableEmulator(
        {
            '"K"': pd.Series(["DATA", None, "SMS", "DATA", "VOICE"], dtype=object),
            '"N"': pd.Series([1, 2, None, 4, 5], dtype=object),
            '"D"': pd.Series([Decimal("1.5"), None, Decimal("2.25"), Decimal("0"), Decimal("3")], dtype=object),
        },
        sf_types={'"K"': ColumnType(T.StringType(), True), '"N"': ColumnType(T.LongType(), True),
                  '"D"': ColumnType(T.DecimalType(18, 3), True)},
    )
    data.index = pd.Index([7, 3, 9, 1, 4])  # as after a filter: labels are not positions
    expression = case()._expression

    ours = compat._calculate_expression(expression, data, session._analyzer, {})
    emulators = compat._emulated_expression(expression, data, session._analyzer, {})

    pd.testing.assert_series_equal(pd.Series(ours), pd.Series(emulators))
    assert [type(value) for value in ours] == [type(value) for value in emulators]
    assert ours.sf_type == emulators.sf_type


def test_case_when_with_conflicting_types_fails_as_in_the_emulator(session):
    data = compat.TableEmulator({'"K"': pd.Series(["a", "b"], dtype=object)}, sf_types={'"K"': ColumnType(T.StringType(), True)})
    expression = F.when(F.col("K") == F.lit("a"), F.lit(1)).otherwise(F.to_date(F.lit("2024-01-01")))._expression
    with pytest.raises(Exception, match="conflicting data types") as emulators:
        compat._emulated_expression(expression, data, session._analyzer, {})
    with pytest.raises(type(emulators.value), match="conflicting data types"):
        compat._calculate_expression(expression, data, session._analyzer, {})


def test_emulator_notices_are_silenced_and_the_projects_warnings_are_not():
    # In a fresh interpreter: pytest resets warning filters around every test.
    import subprocess
    import sys

    probe = """
import warnings
from telco360.warehouse.local.session import local_session
session = local_session()
session.create_dataframe([[1]], schema=["A"]).cache_result().collect()
warnings.warn_explicit("inside the emulator", FutureWarning, "_plan.py", 1, module="snowflake.snowpark.mock._plan")
warnings.warn_explicit("inside telco360", FutureWarning, "marts.py", 1, module="telco360.analytics.marts")
"""
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "create_temp_table" not in completed.stderr
    assert "inside the emulator" not in completed.stderr
    assert "inside telco360" in completed.stderr


def test_importing_compat_patches_nothing_until_install():
    import subprocess
    import sys

    probe = """
from snowflake.snowpark.mock import _plan
before = _plan.calculate_expression
import telco360.warehouse.local.compat as compat
assert _plan.calculate_expression is before, "importing compat patched the emulator"
compat.install()
assert _plan.calculate_expression is compat._calculate_expression
"""
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr


def test_install_refuses_a_snowpark_release_the_patches_were_not_written_for(monkeypatch):
    import snowflake.snowpark

    monkeypatch.setattr(compat, "_installed", False)
    monkeypatch.setattr(snowflake.snowpark, "__version__", "9.9.9")
    with pytest.raises(RuntimeError, match="1.53.0, but 9.9.9 is installed"):
        compat.install()
