"""`c360 deploy app`: --dry-run prints the exact `snow` plan; stale generated files stop it."""
from __future__ import annotations

import shutil
import sys

from telco360.cli import main
from telco360.deploy import app


def dry_run_commands(capsys, *args) -> list[str]:
    assert main(["deploy", "app", "--dry-run", *args]) == 0
    # The narrowing step runs this interpreter, printed by its path.
    return [line.replace(sys.executable, "python") for line in capsys.readouterr().out.splitlines()
            if not line.startswith("#")]


def test_app_dry_run_builds_bundles_then_installs_from_the_stage(capsys, repo_root):
    assert dry_run_commands(capsys, "--repo", str(repo_root)) == [
        "snow snowpark build --skip-dependencies",
        "python -m telco360.deploy.artifacts snowflake src.zip",
        "snow app bundle",
        "snow app run --no-interactive",
    ]


def test_app_version_is_created_then_installed_from(capsys, repo_root):
    assert dry_run_commands(capsys, "--repo", str(repo_root), "--version", "V1")[3:] == [
        "snow app version create V1 --skip-git-check --no-interactive",
        "snow app run --version V1 --no-interactive",
    ]


def test_app_connection_reaches_every_online_command_and_env_every_command(capsys, repo_root):
    commands = dry_run_commands(capsys, "--repo", str(repo_root), "--env", "warehouse=DEV_WH", "--connection", "provider")
    assert [c.endswith("--env warehouse=DEV_WH --connection provider") for c in commands] == [True, False, False, True]
    assert commands[2] == "snow app bundle --env warehouse=DEV_WH"


def test_app_deploy_refuses_a_setup_script_that_is_not_the_generated_one(capsys, repo_root, tmp_path):
    shutil.copy(repo_root / "snowflake.yml", tmp_path / "snowflake.yml")
    shutil.copytree(repo_root / app.APP_DIR, tmp_path / app.APP_DIR)
    shutil.copytree(repo_root / "snowpark" / "sql", tmp_path / "snowpark" / "sql")
    (tmp_path / "src").mkdir()
    # The generator reads the app's handlers (snowpark/procedures/native_app.py).
    shutil.copytree(repo_root / "snowpark" / "procedures", tmp_path / "snowpark" / "procedures")
    with (tmp_path / app.SETUP_SQL).open("a", encoding="utf-8") as setup:
        setup.write("DROP TABLE DW.FACT_ACTIVITY;\n")
    assert main(["deploy", "app", "--dry-run", "--repo", str(tmp_path)]) == 2
    assert "c360 deploy app: app/setup.sql: not what `python -m telco360.deploy.app` generates" in capsys.readouterr().err


def test_app_env_override_does_not_make_the_committed_app_files_stale(capsys, repo_root):
    commands = dry_run_commands(capsys, "--repo", str(repo_root), "--env", "task_schedule=USING CRON 0 7 * * * UTC")
    assert commands[2] == "snow app bundle --env 'task_schedule=USING CRON 0 7 * * * UTC'"
