"""Both sides of each seam: the Snowflake side's statements against a recording session,
and Snowflake's group_by/DISTINCT evaluation against the local pandas one on one fixture."""
from __future__ import annotations

import json

import pytest
from snowflake.snowpark import Row

from conftest import customer, stage
from telco360.warehouse import customers
from telco360.warehouse.local.backend import LocalEngine
from telco360.warehouse.seams import (
    SnowflakeStagingReader,
    SnowflakeTransaction,
    SnowparkEngine,
)
from telco360.warehouse.tables import qualified_name

C1 = "C0000001"


class RecordingSession:
    """Stands in for a Snowflake session: records each SQL statement, answers with canned rows."""

    def __init__(self, answers=None):
        self.statements = []
        self.answers = answers or {}

    def sql(self, statement):
        self.statements.append(statement)
        answer = next((rows for prefix, rows in self.answers.items() if statement.startswith(prefix)), [])

        class Result:
            def collect(self_inner):
                return answer
        return Result()


ENTRY = {"path": "customers/run_id=R1/", "files": ["part-0.parquet", "customers/run_id=R1/part-1.parquet"], "rows": 3}


def test_snowflake_staging_replaces_table_with_copy_of_the_manifest_files():
    session = RecordingSession({"COPY INTO": [Row(rows_loaded=2), Row(rows_loaded=1)]})
    loaded = SnowflakeStagingReader().load_table(session, "STG_CUSTOMERS", ENTRY)
    assert (loaded, session.statements) == (3, [
        "DELETE FROM TELCO_DB.STAGING.STG_CUSTOMERS",
        "COPY INTO TELCO_DB.STAGING.STG_CUSTOMERS FROM @TELCO_DB.STAGING.STAGING_STAGE/customers/run_id=R1/ "
        "FILES = ('part-0.parquet', 'part-1.parquet') "
        "FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE) "
        "MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE ON_ERROR = ABORT_STATEMENT FORCE = TRUE",
    ])


def test_snowflake_staging_reads_the_manifest_through_the_stage():
    manifest = {"run_id": "R1", "tables": {}}
    session = RecordingSession({"SELECT": [(json.dumps(manifest),)]})
    assert SnowflakeStagingReader().read_manifest(session, "2024-01-15") == manifest
    assert session.statements == [
        "SELECT $1 FROM @TELCO_DB.STAGING.STAGING_STAGE/_manifest.json "
        "(FILE_FORMAT => 'TELCO_DB.STAGING.MANIFEST_JSON_FORMAT')"
    ]


def test_snowflake_transaction_issues_begin_commit_rollback():
    session = RecordingSession()
    transaction = SnowflakeTransaction()
    transaction.begin(session)
    transaction.commit(session)
    transaction.rollback(session)
    assert session.statements == ["BEGIN", "COMMIT", "ROLLBACK"]


def _local_equal_null(left, right):
    """EQUAL_NULL for local testing, which lacks it (the Snowflake engine's `equal_null` sends it)."""
    from snowflake.snowpark.mock._snowflake_data_type import ColumnEmulator, ColumnType
    from snowflake.snowpark.types import BooleanType

    left_null, right_null = left.isna().to_numpy(), right.isna().to_numpy()
    same = (left.to_numpy(dtype=object) == right.to_numpy(dtype=object)) & ~left_null & ~right_null
    result = ColumnEmulator(same | (left_null & right_null), index=left.index, dtype=object)
    result.sf_type = ColumnType(BooleanType(), False)
    return result


def test_snowflake_and_local_engines_build_identical_versions(wh):
    from snowflake.snowpark import functions as F
    from snowflake.snowpark.mock import patch

    patch(F.equal_null)(_local_equal_null)
    records = [
        customer(C1, "2024-01-10 10:00", line=1),
        customer(C1, "2024-01-15 10:00", line=2, STATUS="SUSPENDED"),
        customer(C1, "2024-01-15 10:00", line=3, STATUS="CHURNED"),
        customer(C1, "2024-01-20 10:00", line=4, STATUS="CHURNED"),
        customer("C0000002", "2024-01-10 10:00", line=5, PHONE=None),
    ]
    stage(wh, customers=records)
    staged = customers.normalize_customer_records(wh.table(qualified_name("STG_CUSTOMERS")))

    def built(engine):
        found = [r.as_dict() for r in customers.build_customer_versions(staged, engine).collect()]
        return sorted(found, key=lambda r: (r["CUSTOMER_ID"], r["EFFECTIVE_FROM"]))
    assert built(SnowparkEngine()) == built(LocalEngine())


def test_snowflake_and_local_engines_aggregate_alike_with_null_keys_and_null_values(wh):
    from decimal import Decimal

    from snowflake.snowpark.types import DecimalType, LongType, StringType, StructField, StructType

    schema = StructType([StructField("PLAN_ID", StringType()), StructField("CUSTOMER_ID", StringType()),
                         StructField("DATA_MB", DecimalType(18, 3)), StructField("EVENTS", LongType())])
    rows = [("P1", "C1", Decimal("1.500"), 1), ("P1", "C1", None, 1), ("P1", "C2", Decimal("2.250"), 1),
            (None, "C3", Decimal("4.000"), 1), ("P2", None, None, 1)]
    frame = wh.create_dataframe(rows, schema)
    aggregations = {"CUSTOMERS": ("count_distinct", "CUSTOMER_ID"), "ROWS": ("count", "*"),
                    "WITH_DATA": ("count", "DATA_MB"), "DATA_MB": ("sum", "DATA_MB"), "EVENTS": ("sum", "EVENTS"),
                    "FIRST": ("min", "CUSTOMER_ID"), "LAST": ("max", "CUSTOMER_ID")}

    def aggregated(engine):
        found = [r.as_dict() for r in engine.aggregate(frame, ["PLAN_ID"], aggregations).collect()]
        return sorted(({k: (float(v) if isinstance(v, Decimal) else v) for k, v in r.items()} for r in found),
                      key=lambda r: str(r["PLAN_ID"]))
    local = aggregated(LocalEngine())
    assert local == aggregated(SnowparkEngine())
    assert local == [
        {"PLAN_ID": None, "CUSTOMERS": 1, "ROWS": 1, "WITH_DATA": 1, "DATA_MB": 4.0, "EVENTS": 1, "FIRST": "C3", "LAST": "C3"},
        {"PLAN_ID": "P1", "CUSTOMERS": 2, "ROWS": 3, "WITH_DATA": 2, "DATA_MB": 3.75, "EVENTS": 3, "FIRST": "C1", "LAST": "C2"},
        {"PLAN_ID": "P2", "CUSTOMERS": 0, "ROWS": 1, "WITH_DATA": 0, "DATA_MB": None, "EVENTS": 1, "FIRST": None, "LAST": None},
    ]


def test_snowflake_and_local_engines_join_alike_with_null_keys_and_unmatched_rows(wh):
    from snowflake.snowpark.types import LongType, StringType, StructField, StructType

    left = wh.create_dataframe(
        [("C1", 1, "a"), ("C1", 2, "b"), ("C2", 3, "c"), (None, 4, "d"), ("C4", 5, None)],
        StructType([StructField("CUSTOMER_ID", StringType()), StructField("EVENT_NO", LongType()),
                    StructField("NOTE", StringType())]),
    )
    right = wh.create_dataframe(
        [("C1", "P1"), ("C1", "P2"), ("C2", None), (None, "P9"), ("C3", "P3")],
        StructType([StructField("CUSTOMER_ID", StringType()), StructField("PLAN_ID", StringType())]),
    )

    def joined(engine, how):
        rows = [r.as_dict() for r in engine.join(left, right, ["CUSTOMER_ID"], how).collect()]
        return sorted(rows, key=lambda r: (r["EVENT_NO"], str(r["PLAN_ID"])))
    for how in ("inner", "left"):
        # Local testing's own join pairs NULL keys, which Snowflake never does: compare the rest.
        assert [r for r in joined(LocalEngine(), how) if r["CUSTOMER_ID"]] == [
            r for r in joined(SnowparkEngine(), how) if r["CUSTOMER_ID"]]
    # SQL: a NULL key matches nothing (not even the other side's NULL); unmatched left rows stay.
    assert [(r["EVENT_NO"], r["PLAN_ID"]) for r in joined(LocalEngine(), "left")] == [
        (1, "P1"), (1, "P2"), (2, "P1"), (2, "P2"), (3, None), (4, None), (5, None)]
    assert [r["EVENT_NO"] for r in joined(LocalEngine(), "inner")] == [1, 1, 2, 2, 3]
    assert list(joined(LocalEngine(), "left")[0]) == ["CUSTOMER_ID", "EVENT_NO", "NOTE", "PLAN_ID"]


def test_local_join_refuses_sides_sharing_a_column(wh):
    left = wh.create_dataframe([("C1", "x")], ["CUSTOMER_ID", "NOTE"])
    right = wh.create_dataframe([("C1", "y")], ["CUSTOMER_ID", "NOTE"])
    with pytest.raises(ValueError, match="NOTE"):
        LocalEngine().join(left, right, ["CUSTOMER_ID"])


def test_snowflake_engine_creates_the_view_from_the_built_query_at_once():
    created = []

    class Query:
        def create_or_replace_view(self, name, **options):
            created.append(name)

    SnowparkEngine().create_view(RecordingSession(), "TELCO_DB.DW.V_TEST", Query)
    assert created == ["TELCO_DB.DW.V_TEST"]


def test_a_local_view_is_built_when_first_read_and_reads_the_tables_as_they_are_then(wh):
    from snowflake.snowpark import functions as F

    wh.create_dataframe([(1,), (2,)], ["ID"]).write.save_as_table("TELCO_DB.DW.T_VIEW_SOURCE")
    builds = []

    def build():
        builds.append(1)
        return wh.table("TELCO_DB.DW.T_VIEW_SOURCE").select((F.col("ID") * F.lit(10)).alias("TENFOLD"))

    LocalEngine().create_view(wh, "TELCO_DB.DW.V_TENFOLD", build)
    assert builds == []
    wh.create_dataframe([(3,)], ["ID"]).write.save_as_table("TELCO_DB.DW.T_VIEW_SOURCE", mode="append")

    assert sorted(r["TENFOLD"] for r in wh.table("TELCO_DB.DW.V_TENFOLD").collect()) == [10, 20, 30]
    assert sorted(r["TENFOLD"] for r in wh.table("TELCO_DB.DW.V_TENFOLD").collect()) == [10, 20, 30]
    assert builds == [1]


def test_replacing_a_local_view_by_a_deferred_one_changes_what_it_reads(wh):
    from snowflake.snowpark import functions as F

    wh.create_dataframe([(1,)], ["ID"]).write.save_as_table("TELCO_DB.DW.T_VIEW_IDS")
    ids = wh.table("TELCO_DB.DW.T_VIEW_IDS")
    wh.table("TELCO_DB.DW.T_VIEW_IDS").create_or_replace_view("TELCO_DB.DW.V_IDS")
    reader = wh.table("TELCO_DB.DW.V_IDS").select("ID")
    assert [r["ID"] for r in reader.collect()] == [1]

    LocalEngine().create_view(wh, "TELCO_DB.DW.V_IDS", lambda: ids.select((F.col("ID") + F.lit(1)).alias("ID")))

    assert [r["ID"] for r in reader.collect()] == [2]


def test_snowflake_and_local_engines_keep_the_same_latest_row_per_key(wh):
    from snowflake.snowpark.types import LongType, StringType, StructField, StructType

    schema = StructType([StructField("K", StringType()), StructField("A", LongType()),
                         StructField("B", StringType()), StructField("ROW", LongType())])
    rows = [("k1", 1, "x", 1), ("k1", 2, "a", 2), ("k1", 2, "b", 3),  # tie on A, B decides
            ("k2", 5, None, 4), ("k2", 5, "a", 5),                    # a null loses, as max() skips it
            ("k3", None, "z", 6)]                                     # alone, whatever its order columns
    frame = wh.create_dataframe(rows, schema)

    def kept(engine):
        return sorted(r["ROW"] for r in engine.latest_per_key(frame, ["K"], ["A", "B"]).collect())
    assert kept(LocalEngine()) == kept(SnowparkEngine()) == [3, 5, 6]
