"""The Native App: generated from the same sources as the Snowpark project, bundled offline by
snowflake-cli, a setup script that parses and can be run again at every upgrade."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from deploy_helpers import copy_snowflake_project
import sqlglot
import yaml
from sqlglot import exp

from telco360 import contract
from telco360.deploy import app

STATEFUL_SCHEMAS = (contract.STAGING_SCHEMA, contract.DW_SCHEMA)
# Statements sqlglot has no grammar for and keeps as a raw Command: only these kinds may.
COMMAND_PREFIXES = ("CREATE APPLICATION ROLE IF NOT EXISTS", "GRANT ", "CREATE OR ALTER VERSIONED SCHEMA",
                    "ALTER TASK", "CREATE OR ALTER TASK")
# What may never reach a consumer's account: the local toolchain and its tests.
LOCAL_ONLY = re.compile(r"(^|/)(generator[^/]*|runner|spark|commands|local|tests?|cli\.py|local[^/]*\.py|compat\.py|"
                        r"plan_results\.py|pyproject\.toml)(/|$)")


@pytest.fixture(scope="module")
def setup_sql(repo_root) -> str:
    return (repo_root / app.SETUP_SQL).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def statements(setup_sql) -> list[str]:
    return app.split_statements(setup_sql)


def test_committed_app_files_are_the_ones_generated(snowflake_project, repo_root):
    assert app.stale_files(snowflake_project, repo_root) == []


def test_every_setup_statement_parses_as_snowflake_with_only_known_raw_commands(statements):
    raw = []
    for statement in statements:
        parsed = [p for p in sqlglot.parse(statement, read="snowflake", error_level=sqlglot.ErrorLevel.RAISE) if p]
        assert len(parsed) == 1, statement
        if isinstance(parsed[0], exp.Command):
            raw.append(statement)
    assert [s for s in raw if not s.upper().startswith(COMMAND_PREFIXES)] == []


def created_procedures(statements) -> dict[str, dict]:
    """CREATE PROCEDURE statements of the setup script, read back from the SQL text."""
    procedures = {}
    for statement in statements:
        head = re.match(r"CREATE OR REPLACE PROCEDURE (\w+)\.(\w+)\(([^)]*)\)", statement)
        if not head or "LANGUAGE PYTHON" not in statement:
            continue
        options = dict(re.findall(r"^\s*(RUNTIME_VERSION|PACKAGES|IMPORTS|HANDLER|RETURNS)\s*=?\s*(.+?)$", statement, re.M))
        procedures[head[2]] = {
            "schema": head[1],
            "arguments": tuple(tuple(a.split()) for a in head[3].split(", ") if a),
            "returns": options["RETURNS"],
            "runtime": options["RUNTIME_VERSION"].strip("'"),
            "packages": tuple(re.findall(r"'([^']+)'", options["PACKAGES"])),
            "imports": tuple(re.findall(r"'([^']+)'", options["IMPORTS"])),
            "handler": options["HANDLER"].strip("'"),
        }
    return procedures


def test_app_procedures_are_the_snowpark_project_procedures(snowflake_project, statements):
    entities = {e.fqn.name: e for e in snowflake_project.project_definition.entities.values() if e.type == "procedure"}
    expected = {
        name: {
            "schema": app.VERSIONED_SCHEMA,
            "arguments": tuple((a.name, a.arg_type) for a in e.signature
                               if a.name not in app.SNOWPARK_PROJECT_ONLY_ARGUMENTS),
            "returns": e.returns,
            "runtime": str(e.runtime),
            "packages": tuple(e.packages),
            "imports": ("/python/src.zip", "/python/procedures.zip"),
            # The Native App's namesake of the project's handler (snowpark/procedures/native_app.py).
            "handler": f"{app.APP_HANDLER_MODULE}.{e.handler.rsplit('.', 1)[1]}",
        }
        for name, e in entities.items()
    }
    assert created_procedures(statements) == expected


def test_a_procedure_the_app_cannot_ship_is_refused(snowflake_project, repo_root):
    entity = snowflake_project.project_definition.entities["sp_load_staging"]
    caller = entity.model_copy(update={"execute_as_caller": True})

    class Project:
        class project_definition:
            entities = {"sp_load_staging": caller}
    with pytest.raises(app.AppDefinitionError, match="sp_load_staging sets execute_as_caller"):
        app.app_procedures(Project, repo_root)


def test_a_procedure_without_native_app_handler_is_refused(snowflake_project, repo_root):
    entity = snowflake_project.project_definition.entities["sp_load_staging"]
    unknown = entity.model_copy(update={"handler": "load_staging.sp_load_staging_v2"})

    class Project:
        class project_definition:
            entities = {"sp_load_staging": unknown}
    with pytest.raises(app.AppDefinitionError, match=r"sp_load_staging's handler load_staging.sp_load_staging_v2 has no "
                                                     r"Native App counterpart: define sp_load_staging_v2 in native_app.py"):
        app.app_procedures(Project, repo_root)


def test_every_contract_table_is_created_in_its_stateful_schema_with_every_column(statements):
    created, added = {}, {}
    for statement in statements:
        parsed = sqlglot.parse_one(statement, read="snowflake")
        if isinstance(parsed, exp.Create) and parsed.kind == "TABLE":
            table = parsed.this.this
            created[f"{table.db}.{table.name}"] = [c.name for c in parsed.this.expressions]
        elif isinstance(parsed, exp.Alter):
            added.setdefault(f"{parsed.this.db}.{parsed.this.name}", []).extend(
                a.name for a in parsed.args["actions"])
    expected = {
        f"{contract.STAGING_SCHEMA if group == 'STAGING_TABLES' else contract.DW_SCHEMA}.{table}": [c for c, _, _ in columns]
        for group in ("STAGING_TABLES", "DW_TABLES", "INTERNAL_TABLES", "ANALYTICS_TABLES")
        for table, columns in getattr(contract, group).items()
    }
    # Created with every column, and every column added again when an upgrade finds it missing.
    assert (created, added) == (expected, expected)


def stateful_object(statement: str) -> bool:
    return re.search(rf"\b(?:{'|'.join(STATEFUL_SCHEMAS)})\.\w+", statement.split("(")[0].split(" AS")[0]) is not None \
        or re.match(rf"CREATE SCHEMA IF NOT EXISTS ({'|'.join(STATEFUL_SCHEMAS)})\b", statement) is not None


def test_setup_script_can_run_again_without_losing_stateful_data(statements):
    """Upgrade idempotence, checked on the text: in STAGING and DW every CREATE is IF NOT
    EXISTS (tasks, which hold no data, converge with CREATE OR ALTER), an ALTER TABLE only adds
    a missing column, and nothing anywhere is dropped or truncated."""
    offending = []
    for statement in statements:
        upper = statement.upper()
        if re.match(r"(DROP|TRUNCATE|DELETE|UNDROP)\b", upper) or re.search(r"\bDROP\s+(COLUMN|TABLE|SCHEMA|VIEW)\b", upper):
            offending.append(statement)
        elif upper.startswith("CREATE OR ALTER TASK ") or re.match(r"ALTER TASK (IF EXISTS )?\w+\.\w+ SUSPEND$", upper):
            continue
        elif upper.startswith("CREATE") and stateful_object(statement) and " IF NOT EXISTS " not in upper.split("(")[0] + " ":
            offending.append(statement)
        elif upper.startswith("ALTER") and not re.match(r"ALTER TABLE \w+\.\w+ ADD COLUMN IF NOT EXISTS ", upper):
            offending.append(statement)
    assert offending == []


def test_replaced_objects_live_only_in_the_versioned_schema(statements):
    replaced = [re.match(r"CREATE OR REPLACE \w+ (\w+)\.", s) for s in statements if s.startswith("CREATE OR REPLACE")]
    assert replaced and {m[1] for m in replaced} == {app.VERSIONED_SCHEMA}


def test_analyst_reads_every_dw_table_mart_and_view_and_admin_runs_every_procedure(statements, snowflake_project):
    grants = [s for s in statements if s.startswith("GRANT")]
    analyst = {re.search(r"ON (?:TABLE|VIEW) \w+\.(\w+)", s)[1] for s in grants
               if s.endswith(f"TO APPLICATION ROLE {app.ANALYST_ROLE}") and " ON SCHEMA " not in s}
    assert analyst == {*contract.DW_TABLES, *contract.ANALYTICS_TABLES, *contract.ANALYTICS_VIEWS}
    admin = {re.search(r"ON PROCEDURE \w+\.(\w+)\(", s)[1] for s in grants if " ON PROCEDURE " in s}
    procedures = {e.fqn.name for e in snowflake_project.project_definition.entities.values() if e.type == "procedure"}
    assert admin == {*procedures, app.REGISTER_CALLBACK.split(".")[1], "START_SCHEDULE", "STOP_SCHEDULE"}


def test_analyst_view_exists_from_install_with_the_contract_columns(statements):
    views = [sqlglot.parse_one(s, read="snowflake") for s in statements if s.startswith("CREATE VIEW IF NOT EXISTS")]
    found = {v.this.name: [c.alias for c in v.expression.expressions] for v in views}
    assert found == {name: [c for c, _, _ in columns] for name, columns in contract.ANALYTICS_VIEWS.items()}


def test_manifest_is_v2_and_binds_one_table_reference_per_staging_table_through_the_callback(repo_root, statements):
    manifest = yaml.safe_load((repo_root / app.MANIFEST_YML).read_text(encoding="utf-8"))
    references = {name: spec for entry in manifest["references"] for name, spec in entry.items()}
    assert manifest["manifest_version"] == 2
    assert set(references) == set(contract.STAGING_REFERENCES.values())
    assert {(s["object_type"], tuple(s["privileges"]), s["register_callback"]) for s in references.values()} == {
        ("TABLE", ("SELECT",), app.REGISTER_CALLBACK)}
    callback = f"CREATE OR REPLACE PROCEDURE {app.REGISTER_CALLBACK}(REF_NAME VARCHAR, OPERATION VARCHAR, REF_OR_ALIAS VARCHAR)"
    assert any(s.startswith(callback) for s in statements)


def task_properties(statements) -> dict[str, dict]:
    tasks = {}
    for statement in statements:
        head = re.match(r"CREATE OR ALTER TASK ([\w.]+)\n(.*?)\nAS\n(.*)", statement, re.S)
        if head:
            properties = dict(re.findall(r"^\s*(\w+)\s*=?\s*(.+?)$", head[2], re.M))
            tasks[head[1]] = {**properties, "BODY": head[3]}
    return tasks


def test_app_task_graph_is_the_snowpark_projects_serverless_and_qualified(statements, snowflake_project, repo_root):
    from telco360.deploy.snowflake import TASKS_SQL, render_sql

    project_tasks = task_properties(app.split_statements(render_sql(snowflake_project, repo_root / TASKS_SQL, {})))
    app_tasks = task_properties(statements)
    assert set(app_tasks) == {f"{contract.DW_SCHEMA}.{name}" for name in project_tasks}
    for name, spec in project_tasks.items():
        expected = {k: v for k, v in spec.items() if k not in ("WAREHOUSE", "ERROR_INTEGRATION", "BODY")}
        for key in ("AFTER", "FINALIZE"):
            if key in expected:
                expected[key] = f"{contract.DW_SCHEMA}.{expected[key]}"
        expected[app.SERVERLESS_TASK.split(" = ")[0]] = app.SERVERLESS_TASK.split(" = ")[1]
        assert {k: v for k, v in app_tasks[f"{contract.DW_SCHEMA}.{name}"].items() if k != "BODY"} == expected


def test_app_tasks_call_the_versioned_procedures_and_write_the_app_run_log(statements):
    bodies = {name: spec["BODY"] for name, spec in task_properties(statements).items()}
    assert re.findall(r"CALL (\w+\.\w+)\(", "\n".join(bodies.values())) == [
        f"{app.VERSIONED_SCHEMA}.SP_RUN_CUSTOMER360_PIPELINE", f"{app.VERSIONED_SCHEMA}.SP_REFRESH_MARTS"]
    assert f"INSERT INTO {contract.DW_SCHEMA}.PIPELINE_RUN_LOG " in bodies[f"{contract.DW_SCHEMA}.TASK_CUSTOMER360_FINALIZER"]
    assert "NAME <> 'TASK_CUSTOMER360_FINALIZER'" in bodies[f"{contract.DW_SCHEMA}.TASK_CUSTOMER360_FINALIZER"]


def test_start_schedule_resumes_every_task_children_first_and_the_root_last(statements):
    start = next(s for s in statements if s.startswith(f"CREATE OR REPLACE PROCEDURE {app.VERSIONED_SCHEMA}.START_SCHEDULE()"))
    resumed = re.findall(r"ALTER TASK (\w+\.\w+) RESUME;", start)
    assert sorted(resumed) == sorted(task_properties(statements)) and resumed[-1] == f"{contract.DW_SCHEMA}.TASK_CUSTOMER360_ROOT"


def test_manifest_requests_only_the_task_privileges(repo_root):
    manifest = yaml.safe_load((repo_root / app.MANIFEST_YML).read_text(encoding="utf-8"))
    assert [name for entry in manifest["privileges"] for name in entry] == ["EXECUTE TASK", "EXECUTE MANAGED TASK"]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory, repo_root):
    """`snow snowpark build`, then `snow app bundle`, on a copy of the project (offline)."""
    project = copy_snowflake_project(tmp_path_factory.mktemp("app_project"), repo_root, str(app.APP_DIR))
    env = {**os.environ, "SNOWFLAKE_HOME": str(tmp_path_factory.mktemp("snowflake_home"))}
    snow = str(Path(sys.executable).with_name("snow"))
    outputs = []
    # As `c360 deploy app` runs them: build, narrow src.zip to what the procedures ship, bundle.
    commands = ([snow, "snowpark", "build", "--skip-dependencies"],
                [sys.executable, "-m", "telco360.deploy.artifacts", "snowflake", "src.zip"], [snow, "app", "bundle"])
    for command in commands:
        completed = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300)
        outputs.append(completed)
        if completed.returncode:
            break
    return project / "output" / "deploy", outputs


def deploy_root_files(deploy_root: Path) -> set[str]:
    return {p.relative_to(deploy_root).as_posix() for p in deploy_root.rglob("*") if p.is_file()}


def test_snow_app_bundle_builds_the_deploy_root_offline(bundled):
    _, outputs = bundled
    assert [c.returncode for c in outputs] == [0, 0, 0], "".join(c.stdout + c.stderr for c in outputs)


def test_deploy_root_holds_the_manifest_setup_script_readme_and_procedure_code_only(bundled):
    deploy_root, _ = bundled
    assert deploy_root_files(deploy_root) == {
        "manifest.yml", "setup.sql", "README.md", "python/src.zip", "python/procedures.zip"}


def test_every_import_of_the_setup_script_is_in_the_deploy_root(bundled, statements):
    deploy_root, _ = bundled
    imports = {i for p in created_procedures(statements).values() for i in p["imports"]}
    assert {i.lstrip("/") for i in imports} <= deploy_root_files(deploy_root)


def test_deploy_root_code_provides_every_handler_and_the_telco360_package(bundled, statements):
    deploy_root, _ = bundled
    modules = sorted({p["handler"].rsplit(".", 1)[0] for p in created_procedures(statements).values()})
    probe = ("import importlib, sys; sys.path[:0] = sys.argv[1:3]; "
             "[importlib.import_module(m) for m in sys.argv[3:]]; "
             "import telco360; print(telco360.__file__.startswith(sys.argv[2]))")
    completed = subprocess.run(
        [sys.executable, "-c", probe, str(deploy_root / "python" / "procedures.zip"),
         str(deploy_root / "python" / "src.zip"), *modules],
        capture_output=True, text=True, timeout=300,
    )
    assert (completed.returncode, completed.stdout.strip()) == (0, "True"), completed.stderr


def test_procedure_zip_holds_only_the_handler_modules(bundled, statements, snowflake_project):
    deploy_root, _ = bundled
    project_handlers = [e.handler for e in snowflake_project.project_definition.entities.values() if e.type == "procedure"]
    modules = {h.rsplit(".", 1)[0] + ".py" for h in [p["handler"] for p in created_procedures(statements).values()]
               + project_handlers}
    names = {n for n in zipfile.ZipFile(deploy_root / "python" / "procedures.zip").namelist() if not n.endswith("/")}
    assert names == modules


def test_app_code_carries_nothing_local_only(bundled):
    deploy_root, _ = bundled
    names = zipfile.ZipFile(deploy_root / "python" / "src.zip").namelist()
    assert [n for n in names if LOCAL_ONLY.search(n)] == []
