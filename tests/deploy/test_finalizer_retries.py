"""The finalizer judges a graph run by the latest attempt of each task: with
TASK_AUTO_RETRY_ATTEMPTS, a run that fails once and succeeds on retry is SUCCEEDED."""
from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from telco360.deploy.snowflake import TASKS_SQL, load_project, render_sql


def finalizer_query(repo_root) -> exp.Expression:
    sql = render_sql(load_project(repo_root, {}), repo_root / TASKS_SQL, {})
    definition = re.search(r"CREATE OR ALTER TASK TASK_CUSTOMER360_FINALIZER\n(.*?);\n", sql, flags=re.S)[1]
    return sqlglot.parse_one(definition.split("\nAS\n", 1)[1], read="snowflake")


def test_finalizer_keeps_only_the_latest_attempt_of_each_task(repo_root):
    insert = finalizer_query(repo_root)
    filters = [s.args["qualify"].sql("snowflake").upper() for s in insert.find_all(exp.Select) if s.args.get("qualify")]
    assert filters == ["QUALIFY ATTEMPT_NUMBER = MAX(ATTEMPT_NUMBER) OVER (PARTITION BY NAME)"]
