"""Fixtures of the deploy tests: the repository root and the snowflake.yml environment."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def snowflake_project():
    """snowflake.yml as snowflake-cli itself reads it (mixins applied, templates rendered)."""
    from snowflake.cli.api.project.definition_manager import DefinitionManager

    return DefinitionManager(str(REPO_ROOT))


@pytest.fixture(scope="module")
def template(repo_root) -> dict:
    """aws/template.yaml as `c360 deploy aws` reads it."""
    from telco360.deploy.aws import load_template

    return load_template(repo_root)
