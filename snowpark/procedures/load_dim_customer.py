"""SP_LOAD_DIM_CUSTOMER: SCD type 2 load of DW.DIM_CUSTOMER."""
import json

from telco360.warehouse.pipeline import to_json_ready
from telco360.warehouse.tables import locate_in_session
from telco360.warehouse.steps import load_dim_customer


def sp_load_dim_customer(session, run_date: str) -> str:
    locate_in_session(session)
    return json.dumps(to_json_ready(load_dim_customer(session, run_date)))
