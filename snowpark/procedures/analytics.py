"""SP_REFRESH_MARTS(RUN_DATE) and SP_RUN_DQ_CHECKS(RUN_DATE): the analyst layer's procedures.
Both return a JSON summary; SP_RUN_DQ_CHECKS raises (after recording its results in
DW.DQ_CHECK_RESULTS) when a critical check fails, so the task fails and its alert fires."""
import json

from telco360.warehouse.quality import describe_failures, has_critical_failure, run_dq_checks
from telco360.analytics.refresh import refresh_marts
from telco360.warehouse.tables import locate_in_session


def sp_refresh_marts(session, run_date: str) -> str:
    locate_in_session(session)
    return json.dumps(refresh_marts(session, run_date))


def sp_run_dq_checks(session, run_date: str) -> str:
    locate_in_session(session)
    results = run_dq_checks(session, run_date)
    if has_critical_failure(results):
        raise RuntimeError(
            f"SP_RUN_DQ_CHECKS (RUN_DATE {run_date}): critical data-quality checks failed: "
            f"{describe_failures(results)}. See DW.DQ_CHECK_RESULTS for every check of this run."
        )
    return json.dumps({
        "run_date": run_date,
        "checks": len(results),
        "failed": [r.check_name for r in results if r.failed],
    })
