"""`c360 deploy snowflake|aws`: --dry-run prints the exact plan; a real run stops at the
first failing step and says how to resume."""
from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from telco360.cli import main
from telco360.deploy import aws
from telco360.commands import deploy as deploy_command
from telco360.deploy.errors import DeployError, StepFailed
from telco360.deploy.snowflake import Command, run_plan

SETUP_VARS = [
    "--var", "deploy_user=C360_DEPLOY", "--var", "staging_url=s3://telco-lake/staging/",
    "--var", "storage_aws_role_arn=arn:aws:iam::123456789012:role/r",
    "--var", "storage_aws_external_id=very-secret-id", "--var", "alert_sns_topic_arn=arn:aws:sns:eu-west-1:1:t",
    "--var", "alert_sns_role_arn=arn:aws:iam::123456789012:role/a",
]


def dry_run_commands(capsys, *args) -> list[str]:
    assert main(["deploy", "snowflake", "--dry-run", *args]) == 0
    # The narrowing step runs this interpreter, printed by its path.
    return [line.replace(sys.executable, "python") for line in capsys.readouterr().out.splitlines()
            if not line.startswith("#")]


def test_snowflake_dry_run_prints_the_steps_in_deploy_order(capsys, repo_root):
    commands = dry_run_commands(capsys, "--repo", str(repo_root), "--var", "staging_url=s3://telco-lake/staging/")
    assert commands == [
        "snow sql -f snowpark/sql/10_staging_objects.sql -D staging_url=s3://telco-lake/staging/",
        "snow sql -f snowpark/sql/20_tables.sql",
        "snow sql -f snowpark/sql/25_retired_procedure_signatures.sql",
        "snow snowpark build --skip-dependencies",
        "python -m telco360.deploy.artifacts snowflake src.zip",
        "snow snowpark deploy --replace --role TELCO_TRANSFORMER --warehouse TELCO_WH",
        "snow sql -f snowpark/sql/30_tasks.sql",
        "snow sql -f snowpark/sql/40_resume_tasks.sql",
    ]


def test_snowflake_account_setup_runs_first_and_masks_the_external_id(capsys, repo_root):
    commands = dry_run_commands(capsys, "--repo", str(repo_root), "--account-setup", *SETUP_VARS)
    assert commands[0].startswith("snow sql -f snowpark/sql/00_account_setup.sql")
    assert "storage_aws_external_id=****" in commands[0] and "very-secret-id" not in "\n".join(commands)


def test_snowflake_env_override_and_connection_reach_every_snow_command(capsys, repo_root):
    commands = dry_run_commands(capsys, "--repo", str(repo_root), "--var", "staging_url=s3://b/staging/",
                                "--env", "database=TELCO_DB_DEV", "--connection", "ci")
    snow_commands = [c for c in commands if c.startswith("snow ")]
    assert len(snow_commands) == len(commands) - 1
    assert all(c.endswith("--env database=TELCO_DB_DEV --connection ci") for c in snow_commands)


def test_snowflake_missing_variable_fails_before_anything_runs(capsys, repo_root):
    assert main(["deploy", "snowflake", "--dry-run", "--repo", str(repo_root)]) == 2
    assert "10_staging_objects.sql: 'staging_url' is undefined; pass it as --var" in capsys.readouterr().err


def test_snowflake_malformed_env_override_is_a_usage_error(capsys, repo_root):
    assert main(["deploy", "snowflake", "--dry-run", "--repo", str(repo_root), "--env", "database"]) == 2
    assert "--env 'database': expected key=value" in capsys.readouterr().err


def test_run_stops_at_the_first_failing_step_and_says_how_to_resume(tmp_path):
    plan = [Command(("snow", "sql", "-f", "a.sql"), "a"), Command(("snow", "sql", "-f", "b.sql"), "b"),
            Command(("snow", "sql", "-f", "c.sql"), "c")]
    ran = []

    def runner(argv, cwd):
        ran.append(argv[-1])
        return subprocess.CompletedProcess(argv, 1 if argv[-1] == "b.sql" else 0)

    with pytest.raises(StepFailed, match=r"step 2/3 failed \(exit 1\): snow sql -f b.sql\. Every step is idempotent"):
        run_plan(plan, tmp_path, echo=lambda line: None, runner=runner)
    assert ran == ["a.sql", "b.sql"]


def test_a_step_that_fails_exits_1_and_names_the_step(capsys, repo_root, tmp_path, monkeypatch):
    failing_snow = tmp_path / "snow"
    failing_snow.write_text("#!/bin/sh\nexit 1\n")
    failing_snow.chmod(0o755)
    monkeypatch.setattr(deploy_command, "snow_executable", lambda: str(failing_snow))
    assert main(["deploy", "snowflake", "--repo", str(repo_root), "--var", "staging_url=s3://telco-lake/staging/"]) == 1
    assert "step 1/8 failed (exit 1)" in capsys.readouterr().err


@pytest.mark.parametrize("target", [
    ["snowflake", "--dry-run"],
    ["app", "--dry-run"],
    ["aws", "--dry-run", "--lake-bucket", "lake", "--artifacts-bucket", "artifacts"],
])
def test_a_deploy_outside_the_repository_says_where_to_run_it(capsys, tmp_path, target):
    assert main(["deploy", *target, "--repo", str(tmp_path)]) == 2
    assert "holds no snowflake.yml: run from the repository's root or pass --repo" in capsys.readouterr().err


def test_deploy_runs_the_snow_installed_beside_the_interpreter_before_one_on_path(tmp_path, monkeypatch):
    on_path, venv_bin = tmp_path / "path", tmp_path / "venv" / "bin"
    for folder in (on_path, venv_bin):
        folder.mkdir(parents=True)
        (folder / "snow").write_text("#!/bin/sh\n")
        (folder / "snow").chmod(0o755)
    monkeypatch.setenv("PATH", str(on_path))
    monkeypatch.setattr(sys, "executable", str(venv_bin / "python"))
    assert deploy_command.snow_executable() == str(venv_bin / "snow")
    (venv_bin / "snow").unlink()
    assert deploy_command.snow_executable() == str(on_path / "snow")


ROOT_MODULES = {"telco360/__init__.py", "telco360/contract.py", "telco360/lake.py", "telco360/logs.py"}


def package_folders(names) -> set[str]:
    return {name.split("/")[1] for name in names if name.startswith("telco360/") and name.count("/") > 1}


def test_validator_zip_holds_the_handler_the_root_modules_and_the_validator_only(tmp_path, repo_root):
    artifacts = aws.build_artifacts(repo_root, tmp_path, vendor_dir=tmp_path / "empty")
    validator = next(a for a in artifacts if a.parameter == "ValidatorCodeKey")
    names = set(zipfile.ZipFile(validator.path).namelist())
    assert names == {"handler.py", *ROOT_MODULES, *(f"telco360/validator/{p.name}" for p in
                                                    (repo_root / "src/telco360/validator").glob("*.py"))}


def test_glue_package_holds_the_root_modules_and_spark_only(tmp_path, repo_root):
    artifacts = aws.build_artifacts(repo_root, tmp_path, vendor_dir=tmp_path / "empty")
    package = next(a for a in artifacts if a.parameter == "GluePackageKey")
    names = set(zipfile.ZipFile(package.path).namelist())
    assert ROOT_MODULES <= names and package_folders(names) == {"spark"}
    assert {n for n in names if n.count("/") == 1} == ROOT_MODULES


def test_artifact_key_changes_with_content_only(tmp_path):
    first, second = tmp_path / "a" / "job.py", tmp_path / "b" / "job.py"
    for path, text in ((first, "x = 1\n"), (second, "x = 1\n")):
        path.parent.mkdir()
        path.write_text(text)
    same = aws.Artifact("K", first).key("p") == aws.Artifact("K", second).key("p")
    second.write_text("x = 2\n")
    assert same and aws.Artifact("K", first).key("p") != aws.Artifact("K", second).key("p")


def test_packaged_template_joins_the_definition_text_with_the_substitution_values(repo_root):
    packaged = aws.package_template(aws.load_template(repo_root), '{"a": "${CleanJobName}", "b": "$$.Execution.Name"}')
    machine = packaged["Resources"]["DailyStateMachine"]["Properties"]
    assert ("DefinitionS3Location" in machine, machine["DefinitionString"]) == (False, {"Fn::Join": ["", [
        '{"a": "', {"Fn::Sub": "${ProjectName}-clean"}, '", "b": "$$.Execution.Name"}']]})


def test_placeholder_without_a_substitution_is_named_in_the_error(repo_root):
    with pytest.raises(DeployError, match=r"placeholder \$\{GlueRoleArn\} has no DefinitionSubstitutions entry"):
        aws.package_template(aws.load_template(repo_root), '{"a": "${GlueRoleArn}"}')


def test_vendoring_targets_the_lambda_runtime_of_the_template(repo_root, tmp_path):
    runtime = aws.validator_runtime(aws.load_template(repo_root))
    command = aws.vendor_command(tmp_path, runtime)
    assert command[command.index("--python-version") + 1] == runtime.removeprefix("python")
    assert command[-1].startswith("orjson==") and "manylinux2014_x86_64" in command


def test_aws_dry_run_prints_uploads_and_masks_the_external_id(capsys, repo_root, tmp_path):
    if not (repo_root / aws.STATE_MACHINE_DEFINITION).exists():
        pytest.fail(f"{aws.STATE_MACHINE_DEFINITION} is missing: the stack cannot be packaged without it")
    assert main(["deploy", "aws", "--dry-run", "--repo", str(repo_root), "--out", str(tmp_path),
                 "--lake-bucket", "telco-lake", "--artifacts-bucket", "telco-artifacts",
                 "--parameter", "SnowflakeStorageExternalId=very-secret-id"]) == 0
    out = capsys.readouterr().out
    uploads = [line for line in out.splitlines() if line.startswith("upload: ")]
    assert len(uploads) == 4 and all(" -> s3://telco-artifacts/telco360/artifacts/" in u for u in uploads)
    assert "parameter SnowflakeStorageExternalId=****" in out and "very-secret-id" not in out


def test_aws_missing_required_parameter_is_named_before_anything_runs(capsys, repo_root, tmp_path):
    assert main(["deploy", "aws", "--dry-run", "--repo", str(repo_root), "--out", str(tmp_path),
                 "--lake-bucket", "telco-lake", "--artifacts-bucket", "telco-artifacts"]) == 2
    assert "needs SnowflakeStorageExternalId: pass each as --parameter NAME=VALUE" in capsys.readouterr().err


def test_validator_zip_alone_provides_every_module_the_handler_imports(tmp_path, repo_root):
    artifacts = aws.build_artifacts(repo_root, tmp_path, vendor_dir=tmp_path / "empty")
    validator = next(a for a in artifacts if a.parameter == "ValidatorCodeKey")
    # The zip first on sys.path, as in Lambda; boto3 and orjson come from the venv here
    # (Lambda's runtime provides boto3, the real package vendors orjson).
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import handler, telco360; "
             "print(telco360.__file__.startswith(sys.argv[1]))")
    completed = subprocess.run([sys.executable, "-c", probe, str(validator.path)],
                               capture_output=True, text=True, timeout=120)
    assert (completed.returncode, completed.stdout.strip()) == (0, "True"), completed.stderr


@pytest.mark.parametrize("script", ["glue/clean_job.py", "glue/staging_job.py"])
def test_glue_package_alone_provides_every_module_the_job_script_imports(tmp_path, repo_root, script):
    artifacts = aws.build_artifacts(repo_root, tmp_path, vendor_dir=tmp_path / "empty")
    package = next(a for a in artifacts if a.parameter == "GluePackageKey")
    # --extra-py-files puts the zip on sys.path; pyspark comes from the venv (Glue provides it).
    probe = ("import runpy, sys; sys.path.insert(0, sys.argv[1]); runpy.run_path(sys.argv[2]); "
             "import telco360; print(telco360.__file__.startswith(sys.argv[1]))")
    completed = subprocess.run([sys.executable, "-c", probe, str(package.path), str(repo_root / script)],
                               capture_output=True, text=True, timeout=120)
    assert (completed.returncode, completed.stdout.strip()) == (0, "True"), completed.stderr


def test_aws_env_option_sets_template_parameters_like_parameter(capsys, repo_root, tmp_path):
    assert main(["deploy", "aws", "--dry-run", "--repo", str(repo_root), "--out", str(tmp_path),
                 "--lake-bucket", "telco-lake", "--artifacts-bucket", "telco-artifacts",
                 "--env", "SnowflakeStorageExternalId=very-secret-id", "--env", "ProjectName=telco360-dev"]) == 0
    assert "  parameter ProjectName=telco360-dev" in capsys.readouterr().out.splitlines()
