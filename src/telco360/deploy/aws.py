"""`c360 deploy aws`: package the code, upload it, deploy aws/template.yaml with boto3.

Artifacts are content-addressed (`<prefix>/<sha256[:16]>/<name>`): a changed file gets a new
key, so CloudFormation updates the Lambda and Glue jobs, and the previous stack version
still points at the previous code (rolling back is redeploying an older commit).

The packaged template inlines aws/statemachine/customer360.asl.json as `DefinitionString`
instead of the committed template's DefinitionS3Location: one self-contained template that
pins the definition, and the form moto's CloudFormation understands too. The placeholders
(`${CleanJobName}`, ...) become the values of the template's DefinitionSubstitutions through
`Fn::Join`, not `Fn::Sub`: Join leaves every other character alone, so the ASL's `$$.Execution`
context paths survive everywhere (moto's Fn::Sub turns `$$` into `$`).
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from telco360.deploy.artifacts import package_files
from telco360.deploy.errors import DeployError, StepFailed
from telco360.deploy.repo_layout import GLUE_SCRIPT_DIR, STATE_MACHINE_DEFINITION, VALIDATOR_HANDLER

TEMPLATE = Path("aws/template.yaml")
GLUE_SCRIPTS = {
    "CleanJobScriptKey": GLUE_SCRIPT_DIR / "clean_job.py",
    "StagingJobScriptKey": GLUE_SCRIPT_DIR / "staging_job.py",
}
PACKAGE_DIR = Path("src/telco360")
# Pinned to the version the tests run with (pyproject.toml pins the same).
VALIDATOR_VENDORED = ("msgspec==0.22.0", "orjson==3.13.0")
# Lambda architecture -> (pip platform, extension-module platform tag, ELF e_machine).
LAMBDA_ARCHITECTURES = {
    "x86_64": ("manylinux2014_x86_64", "x86_64-linux-gnu", 62),
    "arm64": ("manylinux2014_aarch64", "aarch64-linux-gnu", 183),
}
INTRINSIC_TAGS = ("Ref", "Condition", "Sub", "GetAtt", "If", "Not", "Equals", "And", "Or", "Join", "Select",
                  "Split", "FindInMap", "Base64", "Cidr", "GetAZs", "ImportValue")
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")  # ${Name}, as DefinitionSubstitutions spells it
TEMPLATE_BODY_LIMIT = 51_200  # bytes; larger templates must be passed by S3 URL


@dataclass(frozen=True)
class Artifact:
    parameter: str  # template parameter that receives the key
    path: Path  # local file to upload

    def key(self, prefix: str) -> str:
        digest = hashlib.sha256(self.path.read_bytes()).hexdigest()[:16]
        return f"{prefix.strip('/')}/{digest}/{self.path.name}"


def load_template(repo_root: Path) -> dict:
    """aws/template.yaml as JSON-able data, short-form intrinsics (`!Sub`, ...) expanded to their
    long form. PyYAML, not cfn-lint's loader: cfn-lint is a dev-only dependency."""
    import yaml

    class TemplateLoader(yaml.SafeLoader):
        pass

    def intrinsic(tag: str):
        name = tag if tag in ("Ref", "Condition") else f"Fn::{tag}"

        def construct(loader, node):
            if isinstance(node, yaml.ScalarNode):
                value = loader.construct_scalar(node)
                if tag == "GetAtt":
                    value = value.split(".", 1)
            elif isinstance(node, yaml.SequenceNode):
                value = loader.construct_sequence(node, deep=True)
            else:
                value = loader.construct_mapping(node, deep=True)
            return {name: value}
        return construct

    for tag in INTRINSIC_TAGS:
        TemplateLoader.add_constructor(f"!{tag}", intrinsic(tag))
    text = (repo_root / TEMPLATE).read_text(encoding="utf-8")
    return json.loads(json.dumps(yaml.load(text, Loader=TemplateLoader)))


def validator_runtime(template: dict) -> str:
    return template["Resources"]["ValidatorFunction"]["Properties"]["Runtime"]


def validator_architecture(template: dict) -> str:
    """The validator's architecture; Lambda's default is x86_64."""
    return template["Resources"]["ValidatorFunction"]["Properties"].get("Architectures", ["x86_64"])[0]


def inline_definition(text: str, substitutions: dict) -> dict:
    """`Fn::Join` of the definition's literal text and the substitutions' values."""
    parts: list = []
    position = 0
    for placeholder in PLACEHOLDER.finditer(text):
        name = placeholder.group(1)
        if name not in substitutions:
            raise DeployError(f"{STATE_MACHINE_DEFINITION}: placeholder ${{{name}}} has no "
                              f"DefinitionSubstitutions entry in {TEMPLATE}; add it there")
        parts += [text[position:placeholder.start()], substitutions[name]]
        position = placeholder.end()
    parts.append(text[position:])
    return {"Fn::Join": ["", [part for part in parts if part != ""]]}


def package_template(template: dict, state_machine_definition: str) -> dict:
    """The deployable template: the state machine definition inlined."""
    packaged = copy.deepcopy(template)
    machine = packaged["Resources"]["DailyStateMachine"]["Properties"]
    substitutions = machine.pop("DefinitionSubstitutions")
    machine.pop("DefinitionS3Location")
    machine["DefinitionString"] = inline_definition(state_machine_definition, substitutions)
    packaged["Parameters"].pop("StateMachineDefinitionKey")
    return packaged


def zip_files(destination: Path, members: dict[str, Path]) -> Path:
    """Deterministic zip (fixed timestamps, sorted), so its hash changes only with content."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, members[name].read_bytes())
    return destination


def vendor_command(target: Path, runtime: str, architecture: str = "x86_64") -> list[str]:
    """pip command that installs the validator's third-party packages for Lambda's Linux."""
    version = runtime.removeprefix("python")
    return [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target),
            "--platform", LAMBDA_ARCHITECTURES[architecture][0], "--implementation", "cp",
            "--python-version", version, "--only-binary=:all:", *VALIDATOR_VENDORED]


def vendor_validator_packages(vendor_dir: Path, runtime: str, architecture: str,
                              runner: Callable = subprocess.run) -> list[str]:
    """Install the validator's packages into an emptied `vendor_dir` and check that every
    binary in it is one the Lambda runtime can load; returns the pip command.

    The folder is emptied first: `pip install --target` leaves the files of an earlier run
    in place, so after a runtime change the zip would ship an extension module built for the
    previous Python beside the new one."""
    shutil.rmtree(vendor_dir, ignore_errors=True)
    vendor_dir.mkdir(parents=True)
    pip = vendor_command(vendor_dir, runtime, architecture)
    if runner(pip).returncode != 0:
        raise StepFailed("vendoring msgspec and orjson for the validator Lambda failed: check access to PyPI "
                          f"and rerun (command: {' '.join(pip)})")
    foreign = foreign_binaries(vendor_dir, runtime, architecture)
    if foreign:
        raise StepFailed(f"the validator zip would ship binaries {runtime} on {architecture} cannot load: "
                          + "; ".join(foreign) + ". Check VALIDATOR_VENDORED and the template's Runtime "
                          "and Architectures, then deploy again.")
    return pip


def foreign_binaries(vendor_dir: Path, runtime: str, architecture: str) -> list[str]:
    """Shared objects under `vendor_dir` built for another Python (by the extension module's
    tag) or another machine (by the ELF header), each with why."""
    python_tag = runtime.removeprefix("python").replace(".", "")
    _, platform_tag, machine = LAMBDA_ARCHITECTURES[architecture]
    foreign = []
    for path in sorted(p for p in vendor_dir.rglob("*") if p.is_file() and re.search(r"\.so(\.|$)", p.name)):
        name = path.relative_to(vendor_dir).as_posix()
        tag = re.search(r"\.cpython-(\d+)-(.+)\.so$", path.name)
        if tag and (tag.group(1), tag.group(2)) != (python_tag, platform_tag):
            foreign.append(f"{name} is built for cpython-{tag.group(1)}-{tag.group(2)}")
            continue
        with open(path, "rb") as binary:
            header = binary.read(20)
        if len(header) < 20 or header[:4] != b"\x7fELF":
            foreign.append(f"{name} is not an ELF shared object")
            continue
        found = int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")  # e_machine
        if found != machine:
            foreign.append(f"{name} is built for ELF machine {found}, not {architecture} ({machine})")
    return foreign


def build_artifacts(repo_root: Path, out_dir: Path, vendor_dir: Path) -> list[Artifact]:
    """Zip the validator (with whatever `vendor_dir` holds) and the Glue package; list uploads."""
    validator = {"handler.py": repo_root / VALIDATOR_HANDLER}
    validator.update(package_files(repo_root / PACKAGE_DIR, "lambda"))
    validator.update({
        str(p.relative_to(vendor_dir)): p for p in vendor_dir.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    })
    glue_package = package_files(repo_root / PACKAGE_DIR, "glue")
    return [
        Artifact("ValidatorCodeKey", zip_files(out_dir / "validator.zip", validator)),
        Artifact("GluePackageKey", zip_files(out_dir / "telco360.zip", glue_package)),
        *(Artifact(parameter, repo_root / script) for parameter, script in GLUE_SCRIPTS.items()),
    ]


@dataclass(frozen=True)
class AwsDeployment:
    stack_name: str
    lake_bucket: str
    artifacts_bucket: str
    artifacts_prefix: str
    parameters: dict[str, str]  # further template parameters (Snowflake principals, ...)


def stack_parameters(deployment: AwsDeployment, artifacts: list[Artifact]) -> list[dict]:
    values = {
        "LakeBucketName": deployment.lake_bucket,
        "ArtifactsBucket": deployment.artifacts_bucket,
        **{a.parameter: a.key(deployment.artifacts_prefix) for a in artifacts},
        **deployment.parameters,
    }
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(values.items())]


def describe_plan(deployment: AwsDeployment, artifacts: list[Artifact], vendor: list[str],
                  template_size: int) -> list[str]:
    """What a real run does, one line per action (printed by --dry-run)."""
    lines = [f"vendor: {' '.join(vendor)}"]
    lines += [f"upload: {a.path} -> s3://{deployment.artifacts_bucket}/{a.key(deployment.artifacts_prefix)}"
              for a in artifacts]
    via = "TemplateBody" if template_size <= TEMPLATE_BODY_LIMIT else "TemplateURL (uploaded beside the artifacts)"
    lines.append(f"package: {TEMPLATE} with {STATE_MACHINE_DEFINITION} inlined ({template_size} bytes, {via})")
    lines.append(f"deploy: create or update stack {deployment.stack_name} (CAPABILITY_NAMED_IAM) and wait")
    shown = stack_parameters(deployment, artifacts)
    lines += [f"  parameter {p['ParameterKey']}={'****' if 'ExternalId' in p['ParameterKey'] else p['ParameterValue']}"
              for p in shown]
    return lines


def upload_artifacts(s3, deployment: AwsDeployment, artifacts: list[Artifact]) -> None:
    for artifact in artifacts:
        s3.upload_file(str(artifact.path), deployment.artifacts_bucket, artifact.key(deployment.artifacts_prefix))


def deploy_stack(cloudformation, s3, deployment: AwsDeployment, template: dict,
                 parameters: list[dict], echo: Callable[[str], None]) -> str:
    """Create the stack, or update it; returns the final stack status."""
    body = json.dumps(template, indent=1)
    source: dict = {"TemplateBody": body}
    if len(body.encode()) > TEMPLATE_BODY_LIMIT:
        key = f"{deployment.artifacts_prefix.strip('/')}/{hashlib.sha256(body.encode()).hexdigest()[:16]}/template.json"
        s3.put_object(Bucket=deployment.artifacts_bucket, Key=key, Body=body.encode())
        source = {"TemplateURL": f"https://{deployment.artifacts_bucket}.s3.{s3.meta.region_name}.amazonaws.com/{key}"}
    request = dict(StackName=deployment.stack_name, Parameters=parameters,
                   Capabilities=["CAPABILITY_NAMED_IAM"], **source)
    status = _stack_status(cloudformation, deployment.stack_name)
    if status == "ROLLBACK_COMPLETE":
        raise StepFailed(f"stack {deployment.stack_name} is ROLLBACK_COMPLETE (its first deploy failed) and "
                          f"cannot be updated: `aws cloudformation delete-stack --stack-name {deployment.stack_name}`, "
                          "then deploy again.")
    exists = status is not None and status != "REVIEW_IN_PROGRESS"
    try:
        if exists:
            cloudformation.update_stack(**request)
        else:
            cloudformation.create_stack(OnFailure="ROLLBACK", **request)
    except cloudformation.exceptions.ClientError as err:
        if "No updates are to be performed" in str(err):
            echo(f"stack {deployment.stack_name}: already up to date")
            return _stack_status(cloudformation, deployment.stack_name)
        raise StepFailed(f"stack {deployment.stack_name} was not changed: {err}. "
                          "Fix the template or parameters and deploy again.") from None
    waiter = "stack_update_complete" if exists else "stack_create_complete"
    try:
        cloudformation.get_waiter(waiter).wait(StackName=deployment.stack_name,
                                               WaiterConfig={"Delay": 10, "MaxAttempts": 180})
    except Exception:
        status = _stack_status(cloudformation, deployment.stack_name)
        raise StepFailed(f"stack {deployment.stack_name} ended in {status}: CloudFormation rolled it back; "
                          "see `aws cloudformation describe-stack-events` for the failing resource.") from None
    return _stack_status(cloudformation, deployment.stack_name)


def _stack_status(cloudformation, name: str) -> Optional[str]:
    """The stack's status, or None when there is no such stack."""
    try:
        return cloudformation.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    except cloudformation.exceptions.ClientError as err:
        if "does not exist" in str(err):
            return None
        raise


def deploy_aws(repo_root: Path, deployment: AwsDeployment, out_dir: Path, dry_run: bool,
               echo: Callable[[str], None], session=None,
               runner: Callable = subprocess.run, vendor: bool = True) -> Optional[str]:
    """Package, upload and deploy (or, with dry_run, print the plan). Returns the stack status."""
    definition_path = repo_root / STATE_MACHINE_DEFINITION
    if not definition_path.exists():
        raise DeployError(f"{STATE_MACHINE_DEFINITION} is missing: the state machine cannot be packaged")
    template = package_template(load_template(repo_root), definition_path.read_text(encoding="utf-8"))
    vendor_dir = out_dir / "vendor"
    runtime, architecture = validator_runtime(template), validator_architecture(template)
    if vendor and not dry_run:
        pip = vendor_validator_packages(vendor_dir, runtime, architecture, runner)
    else:
        shutil.rmtree(vendor_dir, ignore_errors=True)
        vendor_dir.mkdir(parents=True)
        pip = vendor_command(vendor_dir, runtime, architecture)
    artifacts = build_artifacts(repo_root, out_dir, vendor_dir)
    given = {p["ParameterKey"] for p in stack_parameters(deployment, artifacts)}
    missing = sorted(k for k, spec in template["Parameters"].items() if "Default" not in spec and k not in given)
    if missing:
        raise DeployError(f"{TEMPLATE} needs {', '.join(missing)}: pass each as --parameter NAME=VALUE "
                          "(docs/deploy.md, First deployment)")
    size = len(json.dumps(template, indent=1).encode())
    for line in describe_plan(deployment, artifacts, pip, size):
        echo(line)
    if dry_run:
        echo("dry run: nothing vendored, uploaded or deployed (a real run's validator.zip also holds msgspec and orjson, "
             "so its key differs)")
        return None
    import boto3

    session = session or boto3.Session()
    s3 = session.client("s3")
    upload_artifacts(s3, deployment, artifacts)
    status = deploy_stack(session.client("cloudformation"), s3, deployment, template,
                          stack_parameters(deployment, artifacts), echo)
    echo(f"stack {deployment.stack_name}: {status}")
    return status
