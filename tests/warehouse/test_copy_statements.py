"""SnowflakeStagingReader's COPY: statements and results as Snowflake gives them (COPY from
an S3 stage cannot execute on fakesnow)."""
from __future__ import annotations

from snowflake.snowpark import Row

from telco360.warehouse.seams import SnowflakeStagingReader

ENTRY = {"path": "customers/run_id=R1/", "files": ["part-00000.parquet"], "rows": 0}


class ScriptedSession:
    """Answers every statement with the rows Snowflake returns for it; records the text."""

    def __init__(self, copy_rows):
        self.copy_rows = copy_rows
        self.statements = []

    def sql(self, text):
        self.statements.append(text)
        rows = self.copy_rows if text.startswith("COPY") else []
        return type("Result", (), {"collect": lambda _self: rows})()


def test_copy_that_loads_no_file_counts_zero_rows():
    # COPY of files already loaded (or none matching) returns one row with only "status".
    session = ScriptedSession([Row(status="Copy executed with 0 files processed.")])
    assert SnowflakeStagingReader().load_table(session, "STG_CUSTOMERS", ENTRY) == 0


def test_copy_counts_the_rows_loaded_of_every_file():
    session = ScriptedSession([Row(file="a", status="LOADED", rows_loaded=3), Row(file="b", status="LOADED", rows_loaded=4)])
    assert SnowflakeStagingReader().load_table(session, "STG_CUSTOMERS", ENTRY) == 7


def test_copy_names_at_most_1000_files_per_statement():
    files = [f"part-{i:05d}.parquet" for i in range(2500)]
    session = ScriptedSession([Row(file="x", status="LOADED", rows_loaded=1)])
    SnowflakeStagingReader().load_table(session, "STG_CUSTOMERS", {**ENTRY, "files": files})
    copies = [s for s in session.statements if s.startswith("COPY")]
    named = [s.count(".parquet'") for s in copies]
    assert named == [1000, 1000, 500]
    assert all(f"'{name}'" in "".join(copies) for name in files)
