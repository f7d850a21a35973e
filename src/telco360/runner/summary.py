"""What a person wants to read about a run, taken from its run record."""
from __future__ import annotations

from collections import Counter

from telco360.runner.asl import LOCAL_SUBSTITUTIONS

JOB_STAGES = {LOCAL_SUBSTITUTIONS["CleanJobName"]: "job_a_clean", LOCAL_SUBSTITUTIONS["StagingJobName"]: "job_b_staging"}


def run_facts(record: dict) -> dict:
    """Per-stage figures of one run record: files, quarantine, rows, versions, re-keys, seconds."""
    stages = record.get("stages", {})
    validate = stages.get("validate", {}).get("summary", {})
    jobs = {run["job"]: run for run in stages.get("lake_jobs", {}).get("summary", {}).get("job_runs", [])}
    clean = next((r["summary"] for r in jobs.values() if (r.get("summary") or {}).get("job") == "clean"), {}) or {}
    staging = next((r["summary"] for r in jobs.values() if (r.get("summary") or {}).get("job") == "staging"), {}) or {}
    warehouse_steps = {}
    stage_summaries = [stages.get(stage, {}).get("summary", {}) for stage in ("warehouse_catch_up", "warehouse")]
    # The catch-up may load several snapshots, one summary each under "loads".
    loads = [load for summary in stage_summaries for load in summary.get("loads", [summary])]
    for load in loads:
        for step, summary in load.get("steps", {}).items():
            warehouse_steps.setdefault(step, Counter()).update(
                {k: v for k, v in summary.items() if isinstance(v, int) and not isinstance(v, bool)})
    quarantine_reasons = Counter()
    for dataset in clean.get("datasets", {}).values():
        quarantine_reasons.update(dataset.get("quarantine_reasons") or {})
    customer_step = warehouse_steps.get("SP_LOAD_DIM_CUSTOMER", Counter())
    fact_step = warehouse_steps.get("SP_LOAD_FACT_ACTIVITY", Counter())
    plan_step = warehouse_steps.get("SP_LOAD_DIM_PLAN", Counter())
    return {
        "run_id": record["run_id"],
        "run_date": record["run_date"],
        "status": record["status"],
        "failed_step": record.get("failed_step"),
        "files_archived": len(validate.get("archived", [])),
        "files_rejected": len(validate.get("rejected", [])),
        "rejection_reasons": dict(Counter(r["reason"] for r in validate.get("rejected", []))),
        "records_clean": sum(d.get("clean", 0) for d in clean.get("datasets", {}).values()),
        "records_quarantined": sum(quarantine_reasons.values()),
        "quarantine_reasons": dict(quarantine_reasons),
        "staging_rows": {t: v.get("rows", 0) for t, v in staging.get("tables", {}).items()},
        "plans_written": plan_step.get("rows_inserted", 0) + plan_step.get("rows_updated", 0),
        "customer_records": customer_step.get("records_received", 0),
        "versions_opened": customer_step.get("rows_inserted", 0),
        "versions_updated": customer_step.get("rows_updated", 0),
        "facts_inserted": fact_step.get("rows_inserted", 0),
        "facts_rekeyed": fact_step.get("rows_rekeyed", 0),
        "seconds": stage_seconds(record),
    }


def stage_seconds(record: dict) -> dict:
    stages = record.get("stages", {})
    seconds = {"validate": stages.get("validate", {}).get("seconds", 0.0)}
    for run in stages.get("lake_jobs", {}).get("summary", {}).get("job_runs", []):
        stage = JOB_STAGES.get(run["job"], run["job"])
        seconds[stage] = seconds.get(stage, 0.0) + run["seconds"]
    seconds["warehouse"] = sum(stages.get(s, {}).get("seconds", 0.0) for s in ("warehouse_catch_up", "warehouse"))
    seconds["total"] = record.get("seconds", 0.0)
    return seconds


def describe_run(record: dict) -> str:
    facts = run_facts(record)
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(facts["rejection_reasons"].items()))
    quarantine = ", ".join(f"{k} {v}" for k, v in sorted(facts["quarantine_reasons"].items()))
    seconds = ", ".join(f"{k} {v:.1f} s" for k, v in facts["seconds"].items())
    return "\n".join([
        f"run {facts['run_id']} (date {facts['run_date']}): {facts['status']}",
        f"  files: {facts['files_archived']} archived, {facts['files_rejected']} rejected" + (f" ({reasons})" if reasons else ""),
        f"  records: {facts['records_clean']} clean, {facts['records_quarantined']} quarantined" + (f" ({quarantine})" if quarantine else ""),
        "  staging rows: " + ", ".join(f"{t} {n}" for t, n in facts["staging_rows"].items()),
        f"  warehouse: {facts['versions_opened']} customer versions opened, {facts['facts_inserted']} facts loaded, "
        f"{facts['facts_rekeyed']} facts re-keyed, {facts['plans_written']} plan rows written",
        f"  seconds: {seconds}",
    ])
