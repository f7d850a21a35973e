"""SP_RUN_CUSTOMER360_PIPELINE(RUN_DATE): the four loads as one transaction, audited in
DW.PIPELINE_RUN_LOG; returns the run summary as JSON (raises, after rollback, on failure)."""
import json

from telco360.warehouse.pipeline import run_pipeline, to_json_ready
from telco360.warehouse.tables import locate_in_session


def sp_run_customer360_pipeline(session, run_date: str) -> str:
    locate_in_session(session)
    return json.dumps(to_json_ready(run_pipeline(session, run_date)))
