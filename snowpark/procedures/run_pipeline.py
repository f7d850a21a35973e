"""SP_RUN_CUSTOMER360_PIPELINE(RUN_DATE[, STAGING_LOAD]): the four loads as one transaction,
audited in DW.PIPELINE_RUN_LOG; returns the run summary as JSON (raises, after rollback, on
failure). STAGING_LOAD (snowflake.yml's env staging_load by default) says how staging is loaded."""
import json

from telco360.warehouse.pipeline import run_pipeline, to_json_ready
from telco360.warehouse.seams import COPY, backend_for_staging_load
from telco360.warehouse.tables import locate_in_session


def sp_run_customer360_pipeline(session, run_date: str, staging_load: str = COPY) -> str:
    backend = backend_for_staging_load(session, staging_load)
    locate_in_session(session)
    return json.dumps(to_json_ready(run_pipeline(session, run_date, backend=backend)))
