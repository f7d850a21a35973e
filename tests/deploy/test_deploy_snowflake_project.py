"""snowflake.yml: snowflake-cli's own offline build, and handlers that really exist."""
from __future__ import annotations

import inspect
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from deploy_helpers import copy_snowflake_project

from telco360 import contract
from telco360.deploy.repo_layout import PROCEDURES_DIR
from telco360.deploy.snowflake import load_project
from telco360.runner import handlers

PROCEDURES = {
    "SP_LOAD_STAGING", "SP_LOAD_DIM_PLAN", "SP_LOAD_DIM_CUSTOMER",
    "SP_LOAD_FACT_ACTIVITY", "SP_RUN_CUSTOMER360_PIPELINE", "SP_RUN_DQ_CHECKS", "SP_REFRESH_MARTS",
}


def procedure_entities(project) -> dict:
    # snowflake.yml also holds the Native App's package and application entities.
    return {k: e for k, e in project.project_definition.entities.items() if e.type == "procedure"}


def test_project_declares_the_pipeline_and_analyst_procedures(snowflake_project):
    names = {e.fqn.name for e in procedure_entities(snowflake_project).values() if e.type == "procedure"}
    assert names == PROCEDURES


def test_every_procedure_takes_run_date_varchar_then_only_defaulted_arguments_and_returns_varchar(snowflake_project):
    # The tasks call every procedure with RUN_DATE alone.
    shapes = {
        ((e.signature[0].name, e.signature[0].arg_type), all(a.default is not None for a in e.signature[1:]), e.returns)
        for e in procedure_entities(snowflake_project).values()
    }
    assert shapes == {(("RUN_DATE", "VARCHAR"), True, "VARCHAR")}


def test_every_procedure_ships_the_folder_local_runs_import_the_handlers_from(snowflake_project):
    sources = [{Path(a.src) for a in e.artifacts} for e in procedure_entities(snowflake_project).values()]
    assert all(PROCEDURES_DIR in s for s in sources)


def test_procedure_packages_are_declared_in_the_entity_not_a_requirements_file(snowflake_project, repo_root):
    entities = procedure_entities(snowflake_project).values()
    assert not (repo_root / "requirements.txt").exists()
    assert all(e.artifact_repository and "snowflake-snowpark-python==1.53.0" in e.packages for e in entities)


def test_env_defaults_name_the_contract_database_and_schemas(snowflake_project):
    env = snowflake_project.template_context["ctx"]["env"]
    assert (env["database"], env["staging_schema"], env["dw_schema"]) == (
        contract.DATABASE, contract.STAGING_SCHEMA, contract.DW_SCHEMA)


def test_env_override_retargets_every_procedure(repo_root):
    project = load_project(repo_root, {"database": "TELCO_DB_DEV"})
    targets = {(e.fqn.database, e.fqn.schema, e.stage.split(".")[0]) for e in procedure_entities(project).values()}
    assert targets == {("TELCO_DB_DEV", "DW", "TELCO_DB_DEV")}


@pytest.mark.parametrize("entity_id", [
    "sp_load_staging", "sp_load_dim_plan", "sp_load_dim_customer",
    "sp_load_fact_activity", "sp_run_customer360_pipeline", "sp_run_dq_checks", "sp_refresh_marts",
])
def test_handler_resolves_to_a_function_with_the_declared_signature(snowflake_project, repo_root, entity_id):
    entity = procedure_entities(snowflake_project)[entity_id]
    module_name, function_name = entity.handler.rsplit(".", 1)
    module = handlers.procedure_module(module_name)
    handler = getattr(module, function_name)
    # Snowflake passes the session first, then the declared arguments by position.
    parameters = [p.name.upper() for p in inspect.signature(handler).parameters.values()]
    assert parameters == ["SESSION", *(a.name.upper() for a in entity.signature)]


@pytest.fixture(scope="module")
def built_project(tmp_path_factory, repo_root):
    """`snow snowpark build` on a copy of the project: nothing is written into the repo."""
    project = copy_snowflake_project(tmp_path_factory.mktemp("snowpark_project"), repo_root)
    home = tmp_path_factory.mktemp("snowflake_home")
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("snow")), "snowpark", "build", "--skip-dependencies"],
        cwd=project, env={**os.environ, "SNOWFLAKE_HOME": str(home)},
        capture_output=True, text=True, timeout=300,
    )
    if completed.returncode == 0:  # then narrow it, as `c360 deploy snowflake` does before deploying
        completed = subprocess.run([sys.executable, "-m", "telco360.deploy.artifacts", "snowflake", "src.zip"],
                                   cwd=project, capture_output=True, text=True, timeout=120)
    return project, completed


def test_snow_snowpark_build_succeeds_offline(built_project):
    _, completed = built_project
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_build_ships_the_telco360_package_importable_from_its_zip(built_project):
    project, _ = built_project
    names = zipfile.ZipFile(project / "src.zip").namelist()
    assert "telco360/contract.py" in names and "telco360/__init__.py" in names


def test_src_zip_ships_the_root_modules_warehouse_and_analytics_and_nothing_local(built_project):
    project, _ = built_project
    names = set(zipfile.ZipFile(project / "src.zip").namelist())
    folders = {name.split("/")[1] for name in names if name.count("/") > 1}
    assert folders == {"warehouse", "analytics"}
    assert {n for n in names if n.count("/") == 1} == {
        "telco360/__init__.py", "telco360/contract.py", "telco360/lake.py", "telco360/logs.py"}
    assert not {n for n in names if n.startswith("telco360/warehouse/local")}
    assert not names & {"telco360/analytics/report.py", "telco360/analytics/charts.py"}


def test_build_ships_each_handler_module_at_the_root_of_its_zip(built_project, snowflake_project):
    project, _ = built_project
    names = set(zipfile.ZipFile(project / "snowpark" / "procedures.zip").namelist())
    modules = {e.handler.rsplit(".", 1)[0] + ".py" for e in procedure_entities(snowflake_project).values()}
    assert modules <= names


def test_built_zips_alone_provide_every_module_the_handlers_import(built_project, snowflake_project):
    project, _ = built_project
    modules = sorted({e.handler.rsplit(".", 1)[0] for e in procedure_entities(snowflake_project).values()})
    # IMPORTS of each procedure, in order; snowpark itself comes from the venv (PACKAGES in Snowflake).
    probe = ("import importlib, sys; sys.path[:0] = sys.argv[1:3]; "
             "[importlib.import_module(m) for m in sys.argv[3:]]; "
             "import telco360; print(telco360.__file__.startswith(sys.argv[2]))")
    completed = subprocess.run(
        [sys.executable, "-c", probe, str(project / "snowpark" / "procedures.zip"), str(project / "src.zip"), *modules],
        capture_output=True, text=True, timeout=300,
    )
    assert (completed.returncode, completed.stdout.strip()) == (0, "True"), completed.stderr
