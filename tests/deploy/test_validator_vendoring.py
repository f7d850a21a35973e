"""The validator zip vendors every third-party package the Lambda's code imports: what is
neither the standard library, telco360, nor boto3 (the runtime provides it)."""
from __future__ import annotations

import ast
import sys
from pathlib import PurePosixPath

from telco360.deploy import artifacts, aws

LAMBDA_RUNTIME_PROVIDES = {"boto3", "botocore"}


def top_level_imports(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_every_third_party_import_of_the_lambda_is_vendored(repo_root):
    package = repo_root / aws.PACKAGE_DIR
    shipped = [repo_root / aws.VALIDATOR_HANDLER] + [
        path for path in package.rglob("*.py")
        if artifacts.ships("lambda", PurePosixPath(path.relative_to(package).as_posix()))]
    imported = set().union(*(top_level_imports(path.read_text(encoding="utf-8")) for path in shipped))
    third_party = imported - set(sys.stdlib_module_names) - {"telco360"} - LAMBDA_RUNTIME_PROVIDES

    assert third_party == {spec.split("==")[0] for spec in aws.VALIDATOR_VENDORED}
