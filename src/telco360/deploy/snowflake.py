"""`c360 deploy snowflake`: the ordered `snow` commands that deploy the warehouse side.

The plan is data (a list of commands), so --dry-run prints exactly what a real run executes.
Before anything runs, every SQL file is rendered here with the same template syntax as
`snow sql` (`<% ctx.env.* %>` from snowflake.yml, `<% name %>` from -D), so a missing
variable stops the deploy up front instead of half-way through.
"""
from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import jinja2

from telco360.deploy.errors import DeployError, StepFailed

SQL_DIR = Path("snowpark/sql")
ACCOUNT_SETUP_SQL = SQL_DIR / "00_account_setup.sql"
STAGING_OBJECTS_SQL = SQL_DIR / "10_staging_objects.sql"
EXTERNAL_TABLES_SQL = SQL_DIR / "15_external_tables.sql"
TABLES_SQL = SQL_DIR / "20_tables.sql"
# snowflake.yml's env staging_load: how the procedures fill STAGING (telco360.warehouse.seams).
STAGING_LOADS = ("copy", "external_table")
RETIRED_PROCEDURES_SQL = SQL_DIR / "25_retired_procedure_signatures.sql"
TASKS_SQL = SQL_DIR / "30_tasks.sql"
RESUME_TASKS_SQL = SQL_DIR / "40_resume_tasks.sql"
SECRET_VARIABLE = re.compile(r"external_id", re.IGNORECASE)
# `<% name %>` without a dot: a -D variable (ctx.env.* comes from snowflake.yml).
VARIABLE_REFERENCE = re.compile(r"<%\s*([A-Za-z_][A-Za-z0-9_]*)\s*%>")


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    purpose: str
    secrets: tuple[str, ...] = ()  # values to mask when the command is printed

    def display(self) -> str:
        shown = []
        for arg in self.argv:
            for secret in self.secrets:
                arg = arg.replace(secret, "****")
            shown.append(arg if re.fullmatch(r"[A-Za-z0-9_./:=@,*+-]+", arg) else repr(arg))
        return " ".join(shown)


def narrow_src_zip() -> Command:
    """snowflake-cli zips src/ whole: keep only what the procedures ship (deploy/artifacts.py)."""
    return Command((sys.executable, "-m", "telco360.deploy.artifacts", "snowflake", "src.zip"),
                   "narrow src.zip to the root modules, warehouse/ and analytics/ (no local-only code)")


def parse_assignments(pairs: list[str] | None, option: str) -> dict[str, str]:
    """`["k=v", ...]` -> dict; a pair without `=` is a usage error naming the option."""
    result = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise DeployError(f"{option} {pair!r}: expected key=value")
        result[key] = value
    return result


def load_project(repo_root: Path, env_overrides: dict[str, str]):
    """snowflake.yml read by snowflake-cli itself, with `--env` overrides applied."""
    from snowflake.cli.api.project.definition_manager import DefinitionManager

    return DefinitionManager(str(repo_root), context_overrides={"ctx": {"env": dict(env_overrides)}})


def project_env(project) -> dict[str, str]:
    env = project.template_context["ctx"]["env"]
    return {key: str(env[key]) for key in {**env.default_env, **env.override_env}}


def sql_variables(sql_path: Path) -> tuple[str, ...]:
    """The -D variables a SQL file needs, in order of first use."""
    return tuple(dict.fromkeys(VARIABLE_REFERENCE.findall(sql_path.read_text(encoding="utf-8"))))


def render_sql(project, sql_path: Path, variables: dict[str, str]) -> str:
    """Render like `snow sql -f` (standard `<% %>` syntax); unknown names are errors."""
    environment = jinja2.Environment(
        variable_start_string="<%", variable_end_string="%>",
        block_start_string="<%!", block_end_string="!%>",
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )
    try:
        return environment.from_string(sql_path.read_text(encoding="utf-8")).render(
            {**project.template_context, **variables}
        )
    except jinja2.UndefinedError as err:
        raise DeployError(
            f"{sql_path.name}: {err.message}; pass it as --var NAME=VALUE "
            "(see the header of the file for every variable it needs)"
        ) from None


def snowflake_plan(
    repo_root: Path,
    env_overrides: dict[str, str],
    variables: dict[str, str],
    connection: Optional[str] = None,
    account_setup: bool = False,
    snow: str = "snow",
) -> list[Command]:
    project = load_project(repo_root, env_overrides)
    env = project_env(project)
    if env.get("staging_load") not in STAGING_LOADS:
        raise DeployError(f"env staging_load {env.get('staging_load')!r}: expected one of {', '.join(STAGING_LOADS)} "
                          "(snowflake.yml, or --env staging_load=...)")
    common = tuple(arg for k, v in sorted(env_overrides.items()) for arg in ("--env", f"{k}={v}"))
    if connection:
        common += ("--connection", connection)
    secrets = tuple(v for k, v in variables.items() if SECRET_VARIABLE.search(k) and v)

    def sql(path: Path, purpose: str) -> Command:
        needed = sql_variables(repo_root / path)
        render_sql(project, repo_root / path, {k: variables[k] for k in needed if k in variables})
        defines = tuple(arg for k in needed for arg in ("-D", f"{k}={variables[k]}"))
        return Command((snow, "sql", "-f", str(path), *defines, *common), purpose, secrets)

    plan = []
    if account_setup:
        plan.append(sql(ACCOUNT_SETUP_SQL, "roles, warehouse, database, schemas, grants, integrations (admin, once)"))
    plan += [
        sql(STAGING_OBJECTS_SQL, "file formats and the external stage over staging/ (as the loader)"),
        *([sql(EXTERNAL_TABLES_SQL, "external tables over the stage, owned by the transformer (staging_load external_table)")]
          if env["staging_load"] == "external_table" else []),
        sql(TABLES_SQL, "every contract table, created or altered to match (as loader and transformer)"),
        sql(RETIRED_PROCEDURES_SQL, "drop procedure signatures of earlier releases the current ones would make ambiguous"),
        # --skip-dependencies: pyproject.toml lists the local toolchain (pyspark, moto, ...),
        # not what the procedures need; their packages are declared in snowflake.yml.
        Command((snow, "snowpark", "build", "--skip-dependencies", *common),
                "zip src/ and snowpark/procedures/ (validates snowflake.yml)"),
        narrow_src_zip(),
        Command((snow, "snowpark", "deploy", "--replace", "--role", env["transformer_role"],
                 "--warehouse", env["warehouse"], *common),
                "upload the zips and create or replace the procedures (as the transformer)"),
        sql(TASKS_SQL, "suspend the root task, create or alter the task graph"),
        sql(RESUME_TASKS_SQL, "resume the child tasks and the finalizer, then the root task"),
    ]
    return plan


def run_plan(plan: list[Command], cwd: Path, echo: Callable[[str], None],
             runner: Callable = subprocess.run) -> None:
    """Run the commands in order; stop at the first failure and say how to resume."""
    for step, command in enumerate(plan, start=1):
        echo(f"[{step}/{len(plan)}] {command.purpose}\n  $ {command.display()}")
        completed = runner(list(command.argv), cwd=cwd)
        if completed.returncode != 0:
            raise StepFailed(
                f"step {step}/{len(plan)} failed (exit {completed.returncode}): {command.display()}. "
                "Every step is idempotent: fix the cause and run the same deploy again."
            )
