"""Both sides of each seam: the Snowflake side's statements against a recording session,
and the Snowflake write path (Table.merge, group_by) against the local one on one fixture."""
from __future__ import annotations

import datetime as dt
import json

from conftest import customer, rows, stage
from telco360.warehouse import steps
from telco360.warehouse.seams import (
    Backend,
    LocalStagingReader,
    LocalTransaction,
    MergeWriter,
    SnowflakeStagingReader,
    SnowflakeTransaction,
)

C1 = "C0000001"
LOADED_AT = dt.datetime(2024, 1, 16, 6, 0)


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
    session = RecordingSession({"COPY INTO": [{"rows_loaded": 2}, {"rows_loaded": 1}]})
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
    assert SnowflakeStagingReader().read_manifest(session) == manifest
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


def _load_twice(session, backend):
    stage(session, customers=[
        customer(C1, "2024-01-10 10:00", line=1),
        customer(C1, "2024-01-20 10:00", line=2, STATUS="SUSPENDED"),
        customer("C0000002", "2024-01-10 10:00", line=3),
    ])
    steps.load_dim_customer(session, "2024-01-15", backend=backend, loaded_at=LOADED_AT)
    stage(session, customers=[
        customer(C1, "2024-01-15 10:00", source_file="customers_20240121.ndjson", STATUS="SUSPENDED"),
        customer("C0000002", "2024-01-11 10:00", source_file="customers_20240121.ndjson", LAST_NAME="Obi"),
    ])
    return steps.load_dim_customer(session, "2024-01-21", backend=backend, loaded_at=LOADED_AT)


def test_merge_and_local_rewrite_give_identical_tables(wh, tmp_path_factory):
    from telco360.warehouse.local import open_local_warehouse

    merged = open_local_warehouse(tmp_path_factory.mktemp("merge"))
    merge_summary = _load_twice(merged, Backend(LocalStagingReader(None), MergeWriter(), LocalTransaction()))
    rewrite_summary = _load_twice(wh, None)

    def key(r):
        return r["CUSTOMER_SK"]
    assert sorted(rows(merged, "DIM_CUSTOMER"), key=key) == sorted(rows(wh, "DIM_CUSTOMER"), key=key)
    assert merge_summary == rewrite_summary
    assert (rewrite_summary["rows_inserted"], rewrite_summary["rows_updated"], rewrite_summary["rows_deleted"]) == (1, 3, 1)
