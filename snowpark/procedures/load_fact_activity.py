"""SP_LOAD_FACT_ACTIVITY: point-in-time load and re-keying of DW.FACT_ACTIVITY."""
import json

from telco360.warehouse.pipeline import to_json_ready
from telco360.warehouse.tables import locate_in_session
from telco360.warehouse.steps import load_fact_activity


def sp_load_fact_activity(session, run_date: str) -> str:
    locate_in_session(session)
    return json.dumps(to_json_ready(load_fact_activity(session, run_date)))
