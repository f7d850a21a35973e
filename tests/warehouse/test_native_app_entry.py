"""Which side of the staging seam a Snowflake procedure uses is decided at deploy time: the
Snowpark project's handlers read the external stage and never probe for an app
(SYSTEM$GET_ALL_REFERENCES is an error outside one); the Native App's setup script names the
handlers of snowpark/procedures/native_app.py, which read the bound references and keep the
tables in the app's DW schema though its procedures run in CORE. Executed on fakesnow; what
it cannot run (the stage's files, `reference()`) is served from the test's own tables."""
from __future__ import annotations

import json
import sys

import pytest

from conftest import plan, write_staging
from telco360.runner import handlers
from telco360.warehouse import seams, tables

D1 = "2024-01-15"


def probes(log) -> list[str]:
    return [s.text for s in log if "GET_ALL_REFERENCES" in s.text.upper()]


@pytest.fixture
def app_session(fakesnow_wh, monkeypatch):
    """A new session on the fakesnow server whose current schema is CORE, where the app's
    procedures run; the app's handlers module imported as the procedure zip holds it."""
    from fakesnow_shims import connect
    from snowflake.snowpark import Session

    monkeypatch.syspath_prepend(str(handlers.PROCEDURES_DIR))
    # The zip's root names (`analytics`, ...) may already name another module in this process
    # (tests/analytics is a package): import the procedure modules anew, restored afterwards.
    for module in handlers.PROCEDURES_DIR.glob("*.py"):
        monkeypatch.delitem(sys.modules, module.stem, raising=False)
    session = Session.builder.configs({"connection": connect()}).create()
    session.sql("CREATE SCHEMA IF NOT EXISTS TELCO_DB.CORE").collect()
    session.sql("USE SCHEMA TELCO_DB.CORE").collect()
    yield session
    session.close()
    tables.locate()


def test_snowpark_project_staging_load_reads_the_stage_and_sends_no_reference_probe(fakesnow_wh, tmp_path, monkeypatch):
    from fakesnow_shims import InsertStagingReader, statement_log

    write_staging(tmp_path, "R1", plans=[plan("PLN-STAGE")])
    lake = InsertStagingReader(tmp_path / "staging")
    # Only the stage's I/O is served from the lake folder (fakesnow has no S3 stage).
    monkeypatch.setattr(seams.SnowflakeStagingReader, "read_stage_json", lambda _self, session, name: lake.read_stage_json(session, name))
    monkeypatch.setattr(seams.SnowflakeStagingReader, "copy_files", lambda _self, session, table, entry: lake.copy_files(session, table, entry))

    with statement_log() as log:
        summary = json.loads(handlers.procedure("load_staging.py", "sp_load_staging")(fakesnow_wh, D1))

    assert (summary["staging_run_id"], probes(log)) == ("R1", [])


def test_native_app_staging_load_reads_the_references_and_keeps_tables_in_dw(app_session, monkeypatch):
    import native_app
    from fakesnow_shims import statement_log

    app_session.sql("CREATE SCHEMA IF NOT EXISTS TELCO_DB.CONSUMER").collect()
    for table in ("STG_CUSTOMERS", "STG_PLANS", "STG_ACTIVITY"):
        app_session.sql(f"CREATE OR REPLACE TABLE TELCO_DB.CONSUMER.{table} AS SELECT * FROM TELCO_DB.STAGING.{table}").collect()
    app_session.sql("INSERT INTO TELCO_DB.CONSUMER.STG_PLANS (PLAN_ID, PLAN_NAME) VALUES ('PLN-REF', 'Bound')").collect()
    # `reference('<name>')` exists only inside an app: the bound table is read by name instead.
    monkeypatch.setattr(seams.NATIVE_APP.staging, "source",
                        lambda session, reference: session.table(f"TELCO_DB.CONSUMER.{reference.upper()}"))

    with statement_log() as log:
        summary = json.loads(native_app.sp_load_staging(app_session, D1))

    staged = [r[0] for r in app_session.sql("SELECT PLAN_ID FROM TELCO_DB.STAGING.STG_PLANS").collect()]
    assert (summary["staging_run_id"], staged, probes(log)) == (seams.REFERENCE_RUN_ID, ["PLN-REF"], [])
    assert tables.qualified_name("DIM_PLAN") == "TELCO_DB.DW.DIM_PLAN"

