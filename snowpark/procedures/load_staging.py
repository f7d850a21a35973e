"""SP_LOAD_STAGING: the staging snapshot named by the manifest into STAGING.STG_*."""
import json

from telco360.warehouse.pipeline import to_json_ready
from telco360.warehouse.steps import load_staging


def sp_load_staging(session, run_date: str) -> str:
    return json.dumps(to_json_ready(load_staging(session, run_date)))
