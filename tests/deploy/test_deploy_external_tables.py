"""env staging_load: external_table on the deploy side: the external tables' DDL generated from the
contract (committed, parsed, one typed column per staging column), deployed only in that mode,
and the STAGING_LOAD argument's default rendered from the env; the Native App takes no
STAGING_LOAD."""
from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot import exp

from telco360 import contract
from telco360.cli import main
from telco360.deploy import app, ddl
from telco360.deploy.snowflake import EXTERNAL_TABLES_SQL, RETIRED_PROCEDURES_SQL, STAGING_LOADS, load_project, render_sql
from telco360.warehouse import seams

STAGING_PROCEDURES = ("sp_load_staging", "sp_run_customer360_pipeline")
COLUMN = re.compile(r'^\s+(\w+)\s+(\S+) AS \(value:"(\w+)"::(\S+)\),?$', re.M)


def test_committed_external_tables_sql_is_the_one_generated_from_the_contract(repo_root):
    assert (repo_root / EXTERNAL_TABLES_SQL).read_text(encoding="utf-8") == ddl.render_external_tables_sql()


def test_external_tables_sql_parses_as_snowflake(snowflake_project, repo_root):
    sql = render_sql(snowflake_project, repo_root / EXTERNAL_TABLES_SQL, {})
    assert len([s for s in sqlglot.parse(sql, read="snowflake", error_level=sqlglot.ErrorLevel.RAISE) if s]) == 6


def test_each_external_table_reads_every_staging_column_with_its_contract_type():
    for dataset, table in contract.STAGING_TABLE_OF_DATASET.items():
        statement = ddl.create_external_table_statement(dataset, table)
        expected = [(name, sql_type, name, sql_type) for name, sql_type, _ in contract.STAGING_TABLES[table]]
        assert COLUMN.findall(statement) == expected
        assert f"STAGING_STAGE/{dataset}/\n" in statement and "PARTITION BY (RUN_ID)" in statement


@pytest.mark.parametrize("env, default", [({}, "copy"), ({"staging_load": "external_table"}, "external_table")])
def test_staging_procedures_take_staging_load_defaulting_to_the_env(repo_root, env, default):
    entities = load_project(repo_root, env).project_definition.entities
    signatures = {name: [(a.name, a.arg_type, a.default) for a in entities[name].signature] for name in entities
                  if entities[name].type == "procedure"}
    with_argument = {name for name, arguments in signatures.items() if len(arguments) > 1}
    assert with_argument == set(STAGING_PROCEDURES)
    assert all(signatures[name] == [("RUN_DATE", "VARCHAR", None), ("STAGING_LOAD", "VARCHAR", default)]
               for name in STAGING_PROCEDURES)


def test_native_app_procedures_take_run_date_only(snowflake_project, repo_root):
    assert {p.arguments for p in app.app_procedures(snowflake_project, repo_root)} == {(("RUN_DATE", "VARCHAR"),)}


def test_deploy_and_procedures_know_the_same_staging_loads(snowflake_project):
    assert (STAGING_LOADS, snowflake_project.template_context["ctx"]["env"]["staging_load"]) == (
        tuple(seams.STAGING_LOADS), "copy")


def dry_run(capsys, repo_root, *args) -> list[str]:
    code = main(["deploy", "snowflake", "--dry-run", "--repo", str(repo_root),
                 "--var", "staging_url=s3://telco-lake/staging/", *args])
    captured = capsys.readouterr()
    return [code, [line for line in captured.out.splitlines() if line.startswith("snow sql -f")], captured.err]


def test_external_tables_are_deployed_after_the_stage_only_with_external_table(capsys, repo_root):
    _, copy_files, _ = dry_run(capsys, repo_root)
    _, external_files, _ = dry_run(capsys, repo_root, "--env", "staging_load=external_table")
    assert [f.split()[3] for f in external_files] == [
        "snowpark/sql/10_staging_objects.sql", "snowpark/sql/15_external_tables.sql", "snowpark/sql/20_tables.sql",
        "snowpark/sql/25_retired_procedure_signatures.sql", "snowpark/sql/30_tasks.sql", "snowpark/sql/40_resume_tasks.sql"]
    assert not any("15_external_tables" in f for f in copy_files)


def test_unknown_staging_load_stops_the_deploy_before_anything_runs(capsys, repo_root):
    code, files, err = dry_run(capsys, repo_root, "--env", "staging_load=parquet")
    assert (code, files) == (2, [])
    assert "env staging_load 'parquet': expected one of copy, external_table" in err


def test_retired_one_argument_signatures_are_dropped_in_the_deployed_database(repo_root):
    project = load_project(repo_root, {"database": "TELCO_DB_DEV"})
    sql = render_sql(project, repo_root / RETIRED_PROCEDURES_SQL, {})
    dropped = [s.sql(dialect="snowflake") for s in sqlglot.parse(sql, read="snowflake") if isinstance(s, exp.Drop)]
    assert dropped == [f"DROP PROCEDURE IF EXISTS TELCO_DB_DEV.DW.{name} (VARCHAR)"
                       for name in ("SP_LOAD_STAGING", "SP_RUN_CUSTOMER360_PIPELINE")]
