"""The Native App's setup script executed, where an emulator can: fakesnow (DuckDB) runs its
stateful part (schemas, tables, added columns, the analyst view) at install and again at an
upgrade, with rows written in between. Application roles, grants, the versioned schema,
procedures, references and tasks are not emulated; docs/deploy.md says what proves those."""
from __future__ import annotations

import importlib.util

import pytest

from telco360 import contract
from telco360.deploy import app

# What fakesnow does not emulate; every other statement runs, so a stateful one added later
# (say a CREATE OR REPLACE TABLE) is executed too.
NOT_EMULATED = ("CREATE APPLICATION ROLE ", "GRANT ", "CREATE OR ALTER VERSIONED SCHEMA ",
                "CREATE OR REPLACE PROCEDURE ", "CREATE OR ALTER TASK ", "ALTER TASK ")


@pytest.fixture
def app_database(require_tool):
    require_tool(importlib.util.find_spec("fakesnow") is not None, "fakesnow is not installed (pip install -e '.[dev]')")
    import fakesnow
    import snowflake.connector

    with fakesnow.patch():
        connection = snowflake.connector.connect(database="TELCO360_APP")
        cursor = connection.cursor()
        cursor.execute("CREATE DATABASE IF NOT EXISTS TELCO360_APP")
        cursor.execute("USE DATABASE TELCO360_APP")
        yield cursor
        connection.close()


def run_stateful_part(cursor, repo_root) -> int:
    statements = [s for s in app.split_statements((repo_root / app.SETUP_SQL).read_text(encoding="utf-8"))
                  if not s.startswith(NOT_EMULATED)]
    for statement in statements:
        cursor.execute(statement)
    return len(statements)


def test_setup_script_runs_again_at_upgrade_keeping_dw_rows_and_adding_missing_columns(app_database, repo_root):
    ran = run_stateful_part(app_database, repo_root)
    app_database.execute(f"INSERT INTO {contract.DW_SCHEMA}.DIM_PLAN (PLAN_ID, PLAN_NAME) VALUES ('PLN-A', 'Plan A')")
    app_database.execute(f"INSERT INTO {contract.DW_SCHEMA}.PIPELINE_RUN_LOG (RUN_ID, STEP) VALUES ('R1', 'PIPELINE')")
    # The installed version predates a column the new contract has.
    app_database.execute(f"ALTER TABLE {contract.DW_SCHEMA}.FACT_ACTIVITY DROP COLUMN ROAMING")
    app_database.execute(f"INSERT INTO {contract.DW_SCHEMA}.FACT_ACTIVITY (EVENT_ID) VALUES ('E1')")

    assert run_stateful_part(app_database, repo_root) == ran > 0
    assert app_database.execute(f"SELECT PLAN_ID, PLAN_NAME FROM {contract.DW_SCHEMA}.DIM_PLAN").fetchall() == [("PLN-A", "Plan A")]
    assert app_database.execute(f"SELECT RUN_ID FROM {contract.DW_SCHEMA}.PIPELINE_RUN_LOG").fetchall() == [("R1",)]
    assert app_database.execute(f"SELECT EVENT_ID, ROAMING FROM {contract.DW_SCHEMA}.FACT_ACTIVITY").fetchall() == [("E1", None)]
    assert app_database.execute(f"SELECT COUNT(*) FROM {contract.DW_SCHEMA}.V_ACTIVITY_ENRICHED").fetchall() == [(0,)]
