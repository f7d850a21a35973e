"""SP_LOAD_STAGING(RUN_DATE[, STAGING_LOAD]): the staging snapshot named by the manifest into
STAGING.STG_*, by COPY or from the external tables (STAGING_LOAD, snowflake.yml's env
staging_load by default)."""
import json

from telco360.warehouse.pipeline import to_json_ready
from telco360.warehouse.seams import COPY, backend_for_staging_load
from telco360.warehouse.tables import locate_in_session
from telco360.warehouse.steps import load_staging


def sp_load_staging(session, run_date: str, staging_load: str = COPY) -> str:
    backend = backend_for_staging_load(session, staging_load)
    locate_in_session(session)
    backend.staging.prepare(session, run_date)
    return json.dumps(to_json_ready(load_staging(session, run_date, backend=backend)))
