"""Helpers of the deploy tests (a module of its own: every test folder has a conftest.py, so
`from conftest import` would pick whichever was imported first)."""
from __future__ import annotations

import shutil
from pathlib import Path


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def role_statements(template: dict, role: str) -> list[dict]:
    """Every statement of the IAM role's inline policies."""
    policies = template["Resources"][role]["Properties"]["Policies"]
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]


def copy_snowflake_project(project: Path, repo_root: Path, *folders: str) -> Path:
    """What `snow` reads of the repository, copied to `project` (so a build writes nothing into
    the repo): snowflake.yml, pyproject.toml, src/, snowpark/procedures/ and `folders`."""
    for name in ("snowflake.yml", "pyproject.toml"):
        shutil.copy(repo_root / name, project / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for folder in ("src", "snowpark/procedures", *folders):
        shutil.copytree(repo_root / folder, project / folder, ignore=ignore)
    return project
