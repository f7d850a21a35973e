"""SP_LOAD_DIM_PLAN: type 1 upsert of DW.DIM_PLAN, inferred rows for unknown plans."""
import json

from telco360.warehouse.pipeline import to_json_ready
from telco360.warehouse.tables import locate_in_session
from telco360.warehouse.steps import load_dim_plan


def sp_load_dim_plan(session, run_date: str) -> str:
    locate_in_session(session)
    return json.dumps(to_json_ready(load_dim_plan(session, run_date)))
