"""MergeWriter (the Snowflake table writer) executed on fakesnow: what it writes and the
statements it takes."""
from __future__ import annotations

from fakesnow_shims import statement_log
from telco360.warehouse.seams import MergeWriter
from telco360.warehouse.tables import qualified_name, table_schema


def audit_rows(session, *steps):
    schema = table_schema("PIPELINE_RUN_LOG")
    return session.create_dataframe([[f"RUN-{s}", "2024-01-15", s, "SUCCEEDED", *([None] * (len(schema.fields) - 4))]
                                     for s in steps], schema=schema)


def test_append_writes_the_rows_in_one_statement_without_counting_them_first(fakesnow_wh):
    rows = audit_rows(fakesnow_wh, "A", "B")
    with statement_log() as log:
        written = MergeWriter().append(fakesnow_wh, "PIPELINE_RUN_LOG", rows)
    sent = [s.text.strip().upper() for s in log if not s.describe_only and not s.text.strip().upper().startswith(("DESCRIBE", "SHOW"))]
    assert written == 2
    assert [s.split()[0] for s in sent] == ["MERGE"]
    assert sorted(r[0] for r in fakesnow_wh.table(qualified_name("PIPELINE_RUN_LOG")).select("STEP").collect()) == ["A", "B"]


def test_append_of_no_rows_writes_nothing(fakesnow_wh):
    assert MergeWriter().append(fakesnow_wh, "PIPELINE_RUN_LOG", audit_rows(fakesnow_wh, "A").filter("1 = 0")) == 0
    assert fakesnow_wh.table(qualified_name("PIPELINE_RUN_LOG")).count() == 0
