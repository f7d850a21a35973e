"""The Native App's procedure handlers: each is the Snowpark project's handler of the same name
(snowflake.yml), run with the Native App's side of the staging seam (the consumer's tables bound
to the app's references, `seams.NATIVE_APP`) and its tables in the app's DW schema (the
procedures live in the versioned schema CORE). The app's setup script names these handlers
(`telco360.deploy.app`), so the choice is made at deploy time: the Snowpark project's
procedures never ask Snowflake whether they run inside an app.

The sibling modules are imported as the procedure artifact holds them: at the zip's root."""
import analytics
import load_dim_customer
import load_dim_plan
import load_fact_activity
import load_staging
import run_pipeline

from telco360 import contract
from telco360.warehouse.seams import NATIVE_APP, register_backend
from telco360.warehouse.tables import keep_dw_schema


def in_native_app(handler):
    def run(session, run_date: str) -> str:
        register_backend(session, NATIVE_APP)
        keep_dw_schema(session, contract.DW_SCHEMA)
        return handler(session, run_date)

    return run


sp_load_staging = in_native_app(load_staging.sp_load_staging)
sp_load_dim_plan = in_native_app(load_dim_plan.sp_load_dim_plan)
sp_load_dim_customer = in_native_app(load_dim_customer.sp_load_dim_customer)
sp_load_fact_activity = in_native_app(load_fact_activity.sp_load_fact_activity)
sp_run_customer360_pipeline = in_native_app(run_pipeline.sp_run_customer360_pipeline)
sp_run_dq_checks = in_native_app(analytics.sp_run_dq_checks)
sp_refresh_marts = in_native_app(analytics.sp_refresh_marts)
