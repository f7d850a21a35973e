"""The deployable entry points of this repository, imported by file path for local runs.

The Lambda handler (`lambda/validator/handler.py`; `lambda` is a Python keyword), the Glue
scripts (`glue/*.py`) and the procedure handlers (`snowpark/procedures/*.py`, top-level
modules of the procedure artifact in Snowflake) are not package modules. Locally (an editable
install of the repository) every runner, command and test imports them through this module,
so the same files run here as in AWS and Snowflake.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from telco360.deploy import repo_layout

REPO_ROOT = Path(__file__).resolve().parents[3]
VALIDATOR_HANDLER = REPO_ROOT / repo_layout.VALIDATOR_HANDLER
GLUE_SCRIPT_DIR = REPO_ROOT / repo_layout.GLUE_SCRIPT_DIR
PROCEDURES_DIR = REPO_ROOT / repo_layout.PROCEDURES_DIR
STATE_MACHINE_DEFINITION = REPO_ROOT / repo_layout.STATE_MACHINE_DEFINITION


def load_module(path: Path, name: str, fresh: bool = False) -> ModuleType:
    """The module at `path`, imported once per process under `name`; `fresh` imports it anew
    and keeps it out of `sys.modules` (a test that swaps what the module imports)."""
    if name in sys.modules and not fresh:
        return sys.modules[name]
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; is this an editable install of the repository?")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    if fresh:
        spec.loader.exec_module(module)
        return module
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def lambda_handler() -> Callable[[dict, Any], dict]:
    return load_module(VALIDATOR_HANDLER, "telco360_lambda_validator").handler


def glue_main(script: str) -> Callable[[list[str]], dict]:
    """`main(argv)` of `glue/<script>`."""
    path = GLUE_SCRIPT_DIR / script
    return load_module(path, f"telco360_glue_{path.stem}").main


def procedure_module(module_name: str) -> ModuleType:
    return load_module(PROCEDURES_DIR / f"{module_name}.py", f"telco360_procedures_{module_name}")


def procedure(file_name: str, handler: str) -> Callable[..., str]:
    """The handler `(session, ...) -> str` of `snowpark/procedures/<file_name>`, named as in
    `snowflake.yml` (`run_pipeline.py`, `sp_run_customer360_pipeline`)."""
    return getattr(procedure_module(Path(file_name).stem), handler)
