"""snowpark/sql: parses as Snowflake SQL, creates the contract's tables, tasks as specified."""
from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot import exp

from telco360 import contract
from telco360.deploy import ddl
from telco360.deploy.snowflake import (
    ACCOUNT_SETUP_SQL, RESUME_TASKS_SQL, STAGING_OBJECTS_SQL, TABLES_SQL, TASKS_SQL,
    DeployError, render_sql,
)

SQL_FILES = (ACCOUNT_SETUP_SQL, STAGING_OBJECTS_SQL, TABLES_SQL, TASKS_SQL, RESUME_TASKS_SQL)
VARIABLES = {
    "deploy_user": "C360_DEPLOY",
    "staging_url": "s3://telco-lake/staging/",
    "storage_aws_role_arn": "arn:aws:iam::123456789012:role/telco360-snowflake-staging-read",
    "storage_aws_external_id": "ext-id-0001",
    "alert_sns_topic_arn": "arn:aws:sns:eu-west-1:123456789012:telco360-alerts",
    "alert_sns_role_arn": "arn:aws:iam::123456789012:role/telco360-snowflake-alerts-publish",
}
# Statements sqlglot has no grammar for and keeps as a raw Command: only these kinds may.
COMMAND_PREFIXES = (
    "CREATE ROLE", "GRANT", "CREATE SCHEMA", "ALTER STORAGE INTEGRATION",
    "CREATE NOTIFICATION INTEGRATION", "ALTER STAGE", "ALTER TASK", "CREATE OR ALTER TASK", "DROP TASK IF EXISTS",
)


@pytest.fixture(scope="module")
def rendered(snowflake_project, repo_root) -> dict:
    return {path.name: render_sql(snowflake_project, repo_root / path, VARIABLES) for path in SQL_FILES}


def statements(sql: str) -> list[exp.Expression]:
    return [s for s in sqlglot.parse(sql, read="snowflake", error_level=sqlglot.ErrorLevel.RAISE) if s]


def text(statement: exp.Expression) -> str:
    return statement.sql(dialect="snowflake", comments=False)


def test_committed_tables_sql_is_the_one_generated_from_the_contract(repo_root):
    assert (repo_root / TABLES_SQL).read_text(encoding="utf-8") == ddl.render_tables_sql()


def test_every_table_dict_of_the_contract_has_a_table_group():
    dicts = {name for name in dir(contract) if name.endswith("_TABLES") and isinstance(getattr(contract, name), dict)}
    assert dicts == {group.contract_name for group in ddl.TABLE_GROUPS}


@pytest.mark.parametrize("sql_file", [p.name for p in SQL_FILES])
def test_sql_file_parses_as_snowflake_with_only_known_raw_commands(rendered, sql_file):
    raw = [text(s) for s in statements(rendered[sql_file]) if isinstance(s, exp.Command)]
    assert [s for s in raw if not s.upper().startswith(COMMAND_PREFIXES)] == []


def created_tables(sql: str) -> dict[str, tuple[tuple[str, str], ...]]:
    tables = {}
    for statement in statements(sql):
        if isinstance(statement, exp.Create) and statement.kind == "TABLE":
            schema = statement.this
            name = f"{schema.this.db}.{schema.this.name}"
            tables[name] = tuple(
                (column.name, column.args["kind"].sql(dialect="snowflake")) for column in schema.expressions
            )
    return tables


def contract_type(sql_type: str) -> str:
    return sqlglot.parse_one(f"CAST(x AS {sql_type})", read="snowflake").to.sql(dialect="snowflake")


def test_every_contract_table_and_column_is_created_with_its_name_and_type(rendered):
    expected = {
        f"{contract.STAGING_SCHEMA if group.contract_name == 'STAGING_TABLES' else contract.DW_SCHEMA}.{table}":
            tuple((name, contract_type(sql_type)) for name, sql_type, _ in columns)
        for group in ddl.TABLE_GROUPS
        for table, columns in getattr(contract, group.contract_name).items()
    }
    assert created_tables(rendered[TABLES_SQL.name]) == expected


def test_staging_tables_are_transient_and_dw_tables_are_permanent(rendered):
    transient = {
        s.this.this.name for s in statements(rendered[TABLES_SQL.name])
        if isinstance(s, exp.Create) and s.args["properties"]
        and any(isinstance(p, exp.TransientProperty) for p in s.args["properties"].expressions)
    }
    assert transient == set(contract.STAGING_TABLES)


def test_stage_and_manifest_format_carry_the_contract_names(rendered):
    created = {
        (s.kind, s.this.name) for s in statements(rendered[STAGING_OBJECTS_SQL.name]) if isinstance(s, exp.Create)
    }
    assert {("STAGE", contract.STAGING_STAGE), ("FILE FORMAT", contract.MANIFEST_FILE_FORMAT)} <= created


def test_stage_reads_the_staging_prefix_through_the_storage_integration(rendered):
    stage = rendered[STAGING_OBJECTS_SQL.name]
    assert "URL = 's3://telco-lake/staging/'\n    STORAGE_INTEGRATION = TELCO_S3_STAGING_INT" in stage


def task_definitions(sql: str) -> dict[str, str]:
    """CREATE OR ALTER TASK statements by task name (sqlglot keeps them as raw commands)."""
    found = re.findall(r"CREATE OR ALTER TASK (\w+)\n(.*?);\n", sql, flags=re.S)
    return dict(found)


def test_root_task_runs_the_pipeline_on_a_cron_schedule_with_an_explicit_time_zone(rendered):
    root = task_definitions(rendered[TASKS_SQL.name])["TASK_CUSTOMER360_ROOT"]
    assert re.search(r"SCHEDULE = 'USING CRON [0-9*, /-]+ [A-Za-z_/]+'", root)
    assert "CALL SP_RUN_CUSTOMER360_PIPELINE(" in root


def test_root_task_sets_retry_suspension_timeout_and_error_integration(rendered):
    root = task_definitions(rendered[TASKS_SQL.name])["TASK_CUSTOMER360_ROOT"]
    settings = dict(re.findall(r"^\s+(TASK_AUTO_RETRY_ATTEMPTS|SUSPEND_TASK_AFTER_NUM_FAILURES|"
                               r"USER_TASK_TIMEOUT_MS|ERROR_INTEGRATION) = (\S+)$", root, flags=re.M))
    assert settings == {
        "TASK_AUTO_RETRY_ATTEMPTS": "2", "SUSPEND_TASK_AFTER_NUM_FAILURES": "3",
        "USER_TASK_TIMEOUT_MS": "3600000", "ERROR_INTEGRATION": "TELCO_TASK_ALERTS_INT",
    }


def test_finalizer_finalizes_the_root_and_records_the_outcome_in_the_audit_table(rendered):
    finalizer = task_definitions(rendered[TASKS_SQL.name])["TASK_CUSTOMER360_FINALIZER"]
    body = finalizer.split("\nAS\n", 1)[1]
    insert = sqlglot.parse_one(body, read="snowflake")
    assert "FINALIZE = TASK_CUSTOMER360_ROOT" in finalizer
    assert isinstance(insert, exp.Insert) and insert.this.this.name == "PIPELINE_RUN_LOG"


def test_finalizer_writes_only_audit_columns_of_the_contract(rendered):
    finalizer = task_definitions(rendered[TASKS_SQL.name])["TASK_CUSTOMER360_FINALIZER"]
    insert = sqlglot.parse_one(finalizer.split("\nAS\n", 1)[1], read="snowflake")
    columns = [c.name for c in insert.this.expressions]
    assert set(columns) <= set(contract.column_names("PIPELINE_RUN_LOG")) and len(columns) == 8


def test_every_task_calls_with_the_same_run_date_expression_and_it_parses(rendered):
    arguments = {
        re.split(r"CALL \w+\(", text, maxsplit=1)[1].rsplit(")", 1)[0].strip()
        for text in task_definitions(rendered[TASKS_SQL.name]).values() if "CALL " in text
    }
    assert len(arguments) == 1
    assert isinstance(sqlglot.parse_one(f"SELECT {arguments.pop()}", read="snowflake"), exp.Select)


def test_root_is_suspended_before_the_graph_is_changed(rendered):
    sql = rendered[TASKS_SQL.name]
    assert sql.index("ALTER TASK IF EXISTS TASK_CUSTOMER360_ROOT SUSPEND") < sql.index("CREATE OR ALTER TASK")


def test_tasks_are_resumed_children_first_and_root_last(rendered):
    resumed = re.findall(r"ALTER TASK (\w+) RESUME", rendered[RESUME_TASKS_SQL.name])
    assert resumed == ["TASK_CUSTOMER360_FINALIZER", "TASK_CUSTOMER360_REFRESH_MARTS", "TASK_CUSTOMER360_ROOT"]


def test_every_task_of_the_graph_is_resumed(rendered):
    created = set(task_definitions(rendered[TASKS_SQL.name]))
    assert set(re.findall(r"ALTER TASK (\w+) RESUME", rendered[RESUME_TASKS_SQL.name])) == created


def test_marts_run_after_the_pipeline_which_runs_the_checks_itself(rendered):
    tasks = task_definitions(rendered[TASKS_SQL.name])
    after = {name: re.search(r"^\s+AFTER (\w+)$", text, flags=re.M).group(1)
             for name, text in tasks.items() if re.search(r"^\s+AFTER ", text, flags=re.M)}
    calls = {name: re.search(r"CALL (\w+)\(", text).group(1) for name, text in tasks.items()
             if "CALL " in text}
    assert after == {"TASK_CUSTOMER360_REFRESH_MARTS": "TASK_CUSTOMER360_ROOT"}
    assert calls == {"TASK_CUSTOMER360_ROOT": "SP_RUN_CUSTOMER360_PIPELINE",
                     "TASK_CUSTOMER360_REFRESH_MARTS": "SP_REFRESH_MARTS"}
    assert "DROP TASK IF EXISTS TASK_CUSTOMER360_DQ_CHECKS" in rendered[TASKS_SQL.name]


def test_analyst_role_gets_select_on_dw_and_nothing_else(rendered):
    grants = re.findall(r"^GRANT (.+) TO ROLE TELCO_ANALYST;$", rendered[ACCOUNT_SETUP_SQL.name], flags=re.M)
    assert sorted(grants) == sorted([
        "USAGE ON WAREHOUSE TELCO_WH", "USAGE ON DATABASE TELCO_DB", "USAGE ON SCHEMA TELCO_DB.DW",
        "SELECT ON FUTURE TABLES IN SCHEMA TELCO_DB.DW", "SELECT ON FUTURE VIEWS IN SCHEMA TELCO_DB.DW",
        "SELECT ON ALL TABLES IN SCHEMA TELCO_DB.DW", "SELECT ON ALL VIEWS IN SCHEMA TELCO_DB.DW",
    ])


def test_accountadmin_is_used_only_in_the_setup_file_for_integrations_and_account_grants(rendered):
    setup = rendered[ACCOUNT_SETUP_SQL.name]
    as_accountadmin = setup.split("USE ROLE ACCOUNTADMIN;", 1)[1]
    kinds = {" ".join(text(s).split()[:2]) for s in statements(as_accountadmin)}
    assert all("ACCOUNTADMIN" not in rendered[name] for name in rendered if name != ACCOUNT_SETUP_SQL.name)
    assert kinds == {"CREATE STORAGE", "ALTER STORAGE", "CREATE NOTIFICATION", "GRANT USAGE", "GRANT EXECUTE", "GRANT DATABASE"}


def test_later_files_run_as_the_owning_roles_not_as_system_roles(rendered):
    roles = {name: set(re.findall(r"USE ROLE (\w+);", sql)) for name, sql in rendered.items() if name != ACCOUNT_SETUP_SQL.name}
    assert roles == {
        STAGING_OBJECTS_SQL.name: {"TELCO_LOADER"},
        TABLES_SQL.name: {"TELCO_LOADER", "TELCO_TRANSFORMER"},
        TASKS_SQL.name: {"TELCO_TRANSFORMER"},
        RESUME_TASKS_SQL.name: {"TELCO_TRANSFORMER"},
    }


def test_missing_variable_is_reported_with_the_file_and_the_name(snowflake_project, repo_root):
    with pytest.raises(DeployError, match=r"10_staging_objects.sql: 'staging_url' is undefined"):
        render_sql(snowflake_project, repo_root / STAGING_OBJECTS_SQL, {})
