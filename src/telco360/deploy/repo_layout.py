"""Where the deployable entry points sit in the repository, relative to its root. Local runs
import these files from an editable install (`telco360.runner.handlers`); `c360 deploy aws`
packages the validator handler, the Glue scripts and the state machine from the same places;
snowflake.yml names the procedures' folder itself (a test checks that it names this one)."""
from __future__ import annotations

from pathlib import Path

VALIDATOR_HANDLER = Path("lambda/validator/handler.py")
GLUE_SCRIPT_DIR = Path("glue")
PROCEDURES_DIR = Path("snowpark/procedures")
STATE_MACHINE_DEFINITION = Path("aws/statemachine/customer360.asl.json")
