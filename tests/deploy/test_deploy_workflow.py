"""The users' GitHub Actions workflow: tests gate the deploy; Snowflake uses key-pair auth."""
from __future__ import annotations

import pytest
import yaml


@pytest.fixture(scope="module")
def workflow(repo_root) -> dict:
    return yaml.safe_load((repo_root / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8"))


def steps_using(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(action)]


def test_deploy_runs_only_after_lint_and_tests_pass_on_main(workflow):
    deploy = workflow["jobs"]["deploy"]
    assert (deploy["needs"], "refs/heads/main" in deploy["if"]) == ("lint-and-test", True)


def test_lint_job_runs_cfn_lint_checkov_and_the_tests(workflow):
    commands = " ".join(s.get("run", "") for s in workflow["jobs"]["lint-and-test"]["steps"])
    assert all(tool in commands for tool in ("cfn-lint aws/template.yaml", "checkov -f aws/template.yaml", "make test"))


def test_snowflake_deploy_uses_the_cli_action_pinned_to_the_project_version(workflow):
    action = steps_using(workflow["jobs"]["deploy"], "snowflakedb/snowflake-cli-action")
    assert [a["with"]["cli-version"] for a in action] == ["3.30.0"]


def test_snowflake_credentials_are_a_key_pair_from_secrets(workflow):
    step = next(s for s in workflow["jobs"]["deploy"]["steps"] if s.get("name") == "Deploy Snowflake")
    env = step["env"]
    assert env["SNOWFLAKE_CONNECTIONS_DEPLOY_AUTHENTICATOR"] == "SNOWFLAKE_JWT"
    assert env["SNOWFLAKE_CONNECTIONS_DEPLOY_PRIVATE_KEY_RAW"] == "${{ secrets.SNOWFLAKE_PRIVATE_KEY_RAW }}"
