"""Where the deployable entry points sit in the repository, relative to its root: `c360 deploy`
packages them from there, and local runs import the same files from the editable install
(`telco360.runner.handlers`)."""
from __future__ import annotations

from pathlib import Path

VALIDATOR_HANDLER = Path("lambda/validator/handler.py")
GLUE_SCRIPT_DIR = Path("glue")
PROCEDURES_DIR = Path("snowpark/procedures")
STATE_MACHINE_DEFINITION = Path("aws/statemachine/customer360.asl.json")
