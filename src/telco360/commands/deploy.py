"""`c360 deploy snowflake|app|aws [--dry-run] [--env k=v ...]`: deploy the two clouds' parts
(the Snowflake side as a Snowpark project, or as a Native App).

Thin: parse arguments, build the plan in `telco360.deploy`, print or run it.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from telco360.deploy.errors import DeployError, StepFailed
from telco360.deploy.snowflake import parse_assignments


def register(subparsers) -> None:
    deploy = subparsers.add_parser("deploy", help="deploy to Snowflake or AWS (see docs/deploy.md)")
    targets = deploy.add_subparsers(dest="target", required=True, metavar="TARGET")

    snowflake = targets.add_parser("snowflake", help="SQL objects, procedures and the task graph via `snow`")
    snowflake.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    snowflake.add_argument("--env", action="append", metavar="KEY=VALUE",
                           help="override an env: value of snowflake.yml, e.g. database=TELCO_DB_DEV")
    snowflake.add_argument("--var", action="append", metavar="NAME=VALUE",
                           help="a SQL variable (-D), e.g. staging_url=s3://bucket/staging/")
    snowflake.add_argument("--connection", help="snow connection name (default: snow's default)")
    snowflake.add_argument("--account-setup", action="store_true",
                           help="also run 00_account_setup.sql (admin, once per account)")
    snowflake.add_argument("--repo", type=Path, default=Path.cwd(), help="repository root (default: current directory)")
    snowflake.set_defaults(func=run_snowflake)

    app = targets.add_parser("app", help="the Snowflake Native App via `snow app` (docs/deploy.md, Native App)")
    app.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    app.add_argument("--env", action="append", metavar="KEY=VALUE", help="override an env: value of snowflake.yml")
    app.add_argument("--connection", help="snow connection name (default: snow's default)")
    app.add_argument("--version", help="create this package version and install from it (default: from the stage)")
    app.add_argument("--repo", type=Path, default=Path.cwd(), help="repository root (default: current directory)")
    app.set_defaults(func=run_app)

    aws = targets.add_parser("aws", help="package, upload and deploy aws/template.yaml via boto3")
    aws.add_argument("--dry-run", action="store_true", help="package and print the plan, deploy nothing")
    aws.add_argument("--stack-name", default="telco360")
    aws.add_argument("--lake-bucket", required=True, help="name of the lake bucket the stack creates")
    aws.add_argument("--artifacts-bucket", required=True, help="existing bucket for code and templates")
    aws.add_argument("--artifacts-prefix", default="telco360/artifacts")
    aws.add_argument("--parameter", "--env", action="append", dest="parameter", metavar="KEY=VALUE",
                     help="a template parameter, e.g. SnowflakeStorageExternalId=... (--env is the same option)")
    aws.add_argument("--out", type=Path, default=Path("build/deploy"), help="where the zips are built")
    aws.add_argument("--repo", type=Path, default=Path.cwd(), help="repository root (default: current directory)")
    aws.set_defaults(func=run_aws)


def run_snowflake(args) -> int:
    from telco360.deploy.snowflake import snowflake_plan

    return print_or_run("snowflake", args, lambda snow: snowflake_plan(
        args.repo, parse_assignments(args.env, "--env"), parse_assignments(args.var, "--var"),
        connection=args.connection, account_setup=args.account_setup, snow=snow))


def run_app(args) -> int:
    from telco360.deploy.app import app_plan

    return print_or_run("app", args, lambda snow: app_plan(
        args.repo, parse_assignments(args.env, "--env"), connection=args.connection, version=args.version, snow=snow))


def print_or_run(target: str, args, build_plan) -> int:
    """Build the plan (with `snow` itself on a dry run, so the printout reads as typed), then
    print it or run it step by step."""
    from telco360.deploy.snowflake import run_plan

    try:
        require_repo_root(args.repo)
        plan = build_plan("snow" if args.dry_run else snow_executable())
        if args.dry_run:
            for command in plan:
                print(f"# {command.purpose}\n{command.display()}")
            return 0
        run_plan(plan, args.repo, print)
    except DeployError as err:
        print(f"c360 deploy {target}: {err}", file=sys.stderr)
        return exit_code(err)
    return 0


def require_repo_root(repo: Path) -> None:
    """Every deploy reads this repository's files (snowflake.yml, aws/, snowpark/, app/), found
    from `--repo`, by default the current directory."""
    if not (repo / "snowflake.yml").is_file():
        raise DeployError(f"{repo} holds no snowflake.yml: run from the repository's root or pass --repo ROOT")


def exit_code(err: DeployError) -> int:
    """1 when a step ran and failed, 2 when the deploy stopped before running anything."""
    return 1 if isinstance(err, StepFailed) else 2


def snow_executable() -> str:
    """The `snow` installed beside this interpreter (the snowflake-cli pyproject.toml pins, whose
    flags the plans use), else the one on PATH (an install without its dependencies)."""
    beside = Path(sys.executable).with_name("snow")
    return str(beside) if beside.exists() else shutil.which("snow") or "snow"


def run_aws(args) -> int:
    from telco360.deploy.aws import AwsDeployment, deploy_aws

    try:
        require_repo_root(args.repo)
        deployment = AwsDeployment(
            stack_name=args.stack_name, lake_bucket=args.lake_bucket,
            artifacts_bucket=args.artifacts_bucket, artifacts_prefix=args.artifacts_prefix,
            parameters=parse_assignments(args.parameter, "--parameter"),
        )
        deploy_aws(args.repo, deployment, args.out, args.dry_run, print)
    except DeployError as err:
        print(f"c360 deploy aws: {err}", file=sys.stderr)
        return exit_code(err)
    return 0
