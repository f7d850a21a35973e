"""Both sides of each seam: the Snowflake side's statements against a recording session,
and Snowflake's group_by/DISTINCT evaluation against the local pandas one on one fixture."""
from __future__ import annotations

import json

from conftest import customer, stage
from telco360.warehouse import customers
from telco360.warehouse.seams import (
    LocalEngine,
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


def test_snowflake_and_local_engines_build_identical_versions(wh):
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
