"""`c360 deploy aws` packaging: the validator zip holds only binaries the deployed Lambda can
load, built fresh for the template's runtime and architecture from a pinned version; the
template is read without the dev-only cfn-lint."""
from __future__ import annotations

import importlib.metadata
import re
import struct
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from telco360.deploy import aws
from telco360.deploy.snowflake import DeployError

ELF_MACHINES = {"x86_64": 62, "aarch64": 183}


def elf(machine: str) -> bytes:
    """The first bytes of a 64-bit little-endian ELF shared object for `machine`."""
    return b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HH", 3, ELF_MACHINES[machine]) + bytes(44)


def pip_writing(files: dict[str, bytes]):
    """A stand-in for `pip install --target`: writes `files` under the target."""
    def runner(argv):
        target = Path(argv[argv.index("--target") + 1])
        for name, data in files.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(data)
        return subprocess.CompletedProcess(argv, 0)
    return runner


GOOD_ORJSON = {"orjson/orjson.cpython-311-x86_64-linux-gnu.so": elf("x86_64"), "orjson/__init__.py": b""}


def test_vendoring_starts_from_an_empty_folder(tmp_path):
    stale = tmp_path / "vendor" / "orjson" / "orjson.cpython-313-x86_64-linux-gnu.so"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(elf("x86_64"))
    aws.vendor_validator_packages(tmp_path / "vendor", "python3.11", "x86_64", runner=pip_writing(GOOD_ORJSON))
    assert sorted(p.relative_to(tmp_path / "vendor").as_posix() for p in (tmp_path / "vendor").rglob("*")
                  if p.is_file()) == sorted(GOOD_ORJSON)


@pytest.mark.parametrize("name, data, why", [
    ("orjson/orjson.cpython-313-x86_64-linux-gnu.so", elf("x86_64"), "cpython-313"),
    ("orjson/orjson.cpython-311-aarch64-linux-gnu.so", elf("aarch64"), "aarch64"),
    ("orjson.libs/libhelper-1a2b.so.1", elf("aarch64"), "machine 183"),
    ("orjson/orjson.abi3.so", b"not an ELF file", "not an ELF"),
], ids=["other-python", "other-machine-by-name", "other-machine-by-header", "not-elf"])
def test_a_binary_the_runtime_cannot_load_stops_the_deploy(tmp_path, name, data, why):
    with pytest.raises(DeployError, match=re.escape(why)):
        aws.vendor_validator_packages(tmp_path / "vendor", "python3.11", "x86_64",
                                      runner=pip_writing({**GOOD_ORJSON, name: data}))


def test_arm64_functions_vendor_aarch64_wheels(tmp_path):
    command = aws.vendor_command(tmp_path, "python3.11", "arm64")
    assert command[command.index("--platform") + 1] == "manylinux2014_aarch64"


def test_vendored_packages_are_pinned_to_the_versions_the_tests_run_with(repo_root):
    pins = dict(spec.split("==") for spec in aws.VALIDATOR_VENDORED)
    project = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert pins == {name: importlib.metadata.version(name) for name in pins}
    assert {f"{name}=={version}" for name, version in pins.items()} <= set(project["dependencies"])


def test_validator_tests_run_on_the_python_of_the_lambda_runtime(repo_root):
    template = aws.load_template(repo_root)
    makefile = (repo_root / "Makefile").read_text(encoding="utf-8")
    version = re.search(r"^LAMBDA_PYTHON_VERSION := (\S+)$", makefile, re.MULTILINE).group(1)
    test_recipe = makefile[makefile.index("\ntest:"):]
    workflow = yaml.safe_load((repo_root / ".github/workflows/deploy.yml").read_text(encoding="utf-8"))
    [setup] = [s for s in workflow["jobs"]["lint-and-test"]["steps"] if s.get("uses", "").startswith("actions/setup-python")]
    assert aws.validator_runtime(template) == f"python{version}"
    assert ".venv-lambda/bin/pytest -q -p no:cacheprovider tests/validator" in test_recipe
    assert version in str(setup["with"]["python-version"]).split()
    assert aws.validator_architecture(template) == "x86_64"


def test_template_loader_reads_what_cfn_lint_reads(repo_root):
    import json

    from cfnlint.decode import cfn_yaml

    assert aws.load_template(repo_root) == json.loads(json.dumps(cfn_yaml.load(str(repo_root / aws.TEMPLATE))))


def test_deploy_dry_run_works_without_cfn_lint(repo_root, tmp_path):
    probe = ("import sys; sys.modules['cfnlint'] = None; from telco360.cli import main; "
             "sys.exit(main(sys.argv[1:]))")
    completed = subprocess.run(
        [sys.executable, "-c", probe, "deploy", "aws", "--dry-run", "--repo", str(repo_root), "--out", str(tmp_path),
         "--lake-bucket", "telco-lake", "--artifacts-bucket", "telco-artifacts",
         "--parameter", "SnowflakeStorageExternalId=very-secret-id"],
        capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
