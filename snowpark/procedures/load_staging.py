"""SP_LOAD_STAGING: the staging snapshot named by the manifest into STAGING.STG_*."""
import json

from telco360.warehouse.pipeline import to_json_ready
from telco360.warehouse.tables import locate_in_session
from telco360.warehouse.steps import load_staging


def sp_load_staging(session, run_date: str) -> str:
    locate_in_session(session)
    return json.dumps(to_json_ready(load_staging(session, run_date)))
