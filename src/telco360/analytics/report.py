"""The run report: one self-contained HTML page (inline CSS and SVG, no network) showing each
run's health. Local tooling only (standard library + pyarrow); never shipped to Snowflake.

`collect_lake_facts(lake_dir)` reads what the pipeline leaves in a lake folder; the caller
adds the marts and the data-quality results (Snowpark) and `render_report(report)` turns the
whole dict into HTML. The report dict (every key optional except `generated_at`):

    generated_at   ISO timestamp of the report
    lake           lake folder shown in the header
    ingest_days    [{ingest_date, archived: {dataset: files}, rejected: [{dataset, file, reason, detail}]}]
                   from archive/ and the validator's rejected/_reasons/ sidecars
    clean_runs     [{run_id, created_at, records, clean, quarantined: {dataset: {reason: records}}}]
                   from Glue Job A's clean/_manifests/
    pipeline_runs  [{run_id, run_date, status, seconds, error, steps: [{step, status, rows_in,
                   rows_inserted, rows_updated, rows_deleted, rows_rekeyed, seconds, error}]}]
                   from DW.PIPELINE_RUN_LOG (_warehouse/DW/PIPELINE_RUN_LOG.parquet)
    runner_runs    [the local runner's _runs/<run_id>.json records, as written: run_id, run_date,
                   status, seconds, error, stages: {name: {status, seconds, summary}}]
    dq             {run_id, results: [{check_name, severity, status, failing_rows, detail}]}
    usage_daily    MART_PLAN_USAGE_DAILY rows (dicts keyed by column name)
    churn_by_plan  MART_CHURN_BY_PLAN rows
    notes          [strings shown at the top, e.g. why a section is empty]
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from html import escape
from pathlib import Path

from telco360 import contract
from telco360.lake import CLEAN_MANIFESTS, REASONS, RUNS, WAREHOUSE
from telco360.analytics.charts import bar_chart, line_chart

REASONS_DIR = Path(contract.REJECTED) / REASONS
CLEAN_MANIFESTS_DIR = Path(CLEAN_MANIFESTS)
RUN_LOG_PATH = Path(WAREHOUSE) / contract.DW_SCHEMA / "PIPELINE_RUN_LOG.parquet"
RUNS_DIR = Path(RUNS)


# --- collecting ---------------------------------------------------------------------------


def collect_lake_facts(lake_dir) -> dict:
    lake = Path(lake_dir)
    return {
        "lake": str(lake),
        "ingest_days": _ingest_days(lake),
        "clean_runs": _clean_runs(lake),
        "pipeline_runs": _pipeline_runs(lake),
        "runner_runs": sorted((_read_json(p) for p in (lake / RUNS_DIR).glob("*.json")),
                              key=lambda r: str(r.get("started_at", ""))),
    }


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {"file": str(path), "error": f"unreadable: {exc}"}


def _ingest_date(path: Path) -> str | None:
    for part in path.parts:
        if part.startswith("ingest_date="):
            return part.split("=", 1)[1]
    return None


def _ingest_days(lake: Path) -> list[dict]:
    days: dict[str, dict] = defaultdict(lambda: {"archived": defaultdict(int), "rejected": []})
    archive = lake / contract.ARCHIVE
    for path in sorted(archive.glob("*/ingest_date=*/*")) if archive.is_dir() else []:
        if path.is_file():
            days[_ingest_date(path)]["archived"][path.relative_to(archive).parts[0]] += 1
    reasons = lake / REASONS_DIR
    # rglob: a key outside any dataset keeps its folders under _unknown/ingest_date=D/.
    for path in sorted(reasons.glob("*/ingest_date=*/**/*.json")) if reasons.is_dir() else []:
        record = _read_json(path)
        days[_ingest_date(path)]["rejected"].append({
            "dataset": record.get("dataset", path.relative_to(reasons).parts[0]),
            "file": path.name[: -len(".json")],
            "reason": record.get("reason", "unknown"),
            "detail": record.get("detail") or record.get("error", ""),
        })
    return [{"ingest_date": day, "archived": dict(v["archived"]), "rejected": v["rejected"]}
            for day, v in sorted(days.items(), key=lambda kv: kv[0] or "")]


def _clean_runs(lake: Path) -> list[dict]:
    runs = []
    for path in sorted((lake / CLEAN_MANIFESTS_DIR).glob("*.json")):
        manifest = _read_json(path)
        datasets = manifest.get("datasets", {})
        runs.append({
            "run_id": manifest.get("run_id", path.stem),
            "created_at": manifest.get("created_at", ""),
            "records": sum(d.get("records", 0) for d in datasets.values()),
            "clean": sum(d.get("clean", 0) for d in datasets.values()),
            "quarantined": {name: d.get("quarantine_reasons", {}) for name, d in datasets.items()},
        })
    return sorted(runs, key=lambda r: r["created_at"])


def _pipeline_runs(lake: Path) -> list[dict]:
    path = lake / RUN_LOG_PATH
    if not path.is_file():
        return []
    import pyarrow.parquet as pq

    runs: dict[str, dict] = {}
    for row in pq.read_table(path).to_pylist():
        run = runs.setdefault(row["RUN_ID"], {"run_id": row["RUN_ID"], "run_date": row.get("RUN_DATE"), "steps": []})
        entry = {k.lower(): row.get(k) for k in ("STEP", "STATUS", "ROWS_IN", "ROWS_INSERTED", "ROWS_UPDATED",
                                                 "ROWS_DELETED", "ROWS_REKEYED", "SECONDS", "ERROR")}
        if row["STEP"] == "PIPELINE":
            run.update(status=row.get("STATUS"), seconds=row.get("SECONDS"), error=row.get("ERROR"),
                       started_at=_iso(row.get("STARTED_AT")))
        else:
            run["steps"].append(entry)
    return sorted(runs.values(), key=lambda r: (r.get("run_date") or "", r.get("started_at") or ""))


def _iso(value) -> str:
    return value.isoformat(sep=" ", timespec="seconds") if isinstance(value, dt.datetime) else str(value or "")


# --- rendering ----------------------------------------------------------------------------

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#111827;background:#f9fafb}
h1{margin:0 0 4px}h2{margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}
.meta{color:#6b7280;font-size:13px}.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:12px 16px;margin:12px 0}
table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{border:1px solid #e5e7eb;padding:3px 8px;text-align:left}
th{background:#f3f4f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.PASS,.SUCCEEDED{color:#15803d;font-weight:600}.FAIL,.FAILED{color:#b91c1c;font-weight:600}.SKIPPED{color:#6b7280}
.WARNING.FAIL{color:#b45309}.charts{display:flex;flex-wrap:wrap;gap:12px}
.chart{background:#fff;border:1px solid #e5e7eb;border-radius:8px}.chart-title{font-weight:600;font-size:14px}
.tick,.legend,.axis-label{font-size:11px;fill:#374151}.grid{stroke:#e5e7eb}.note{color:#92400e}
"""

# Runs after load and records on <body> how many charts have a rendered, non-empty box, so a
# headless browser test (or a person with dev tools) can tell that the charts really drew.
RENDER_PROBE = """
window.addEventListener('load', function () {
  var charts = document.querySelectorAll('svg.chart'), drawn = 0;
  charts.forEach(function (svg) {
    var box = svg.getBBox(), marks = svg.querySelectorAll('polyline,rect.bar').length;
    if (box.width > 0 && box.height > 0 && marks > 0) { drawn += 1; svg.setAttribute('data-rendered', 'true'); }
  });
  document.body.setAttribute('data-charts', String(charts.length));
  document.body.setAttribute('data-charts-rendered', String(drawn));
});
"""


def _table(headers: list[str], rows: list[list], numeric: set[int] = frozenset(), status: set[int] = frozenset()) -> str:
    """An HTML table; `numeric` columns align right, `status` columns get their value as CSS class."""
    if not rows:
        return '<p class="meta">none</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            text = "" if value is None else (f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value))
            css = ' class="num"' if i in numeric else (f' class="{escape(text)}"' if i in status else "")
            cells.append(f"<td{css}>{escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _float(value) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def usage_chart(rows: list[dict]) -> str:
    days = sorted({str(r["ACTIVITY_DATE"]) for r in rows})
    plans = sorted({r.get("PLAN_ID") or "(unknown)" for r in rows})
    values = {(str(r["ACTIVITY_DATE"]), r.get("PLAN_ID") or "(unknown)"): _float(r.get("DATA_MB")) for r in rows}
    series = {p: [values.get((d, p), 0.0) for d in days] for p in plans}
    return line_chart("chart-usage", "Daily data usage by plan (MB)", days, series, "MB")


CHURN_CHART_MONTHS = 12


def churn_chart(rows: list[dict]) -> str:
    """The latest months that had churn (history can reach back years: late CRM records)."""
    months = sorted({str(r["CHURN_MONTH"])[:7] for r in rows if _float(r.get("CHURN_EVENTS"))})[-CHURN_CHART_MONTHS:]
    plans = sorted({r.get("PLAN_ID") or "(unknown)" for r in rows})
    values = {(str(r["CHURN_MONTH"])[:7], r.get("PLAN_ID") or "(unknown)"): _float(r.get("CHURN_EVENTS")) for r in rows}
    series = {p: [values.get((m, p), 0.0) for m in months] for p in plans}
    series = {plan: values for plan, values in series.items() if any(values)}
    return bar_chart("chart-churn", "Churn events by plan held at churn time", months, series, "customers")


def rejects_chart(ingest_days: list[dict]) -> str:
    days = [d["ingest_date"] or "?" for d in ingest_days]
    reasons = sorted({r["reason"] for d in ingest_days for r in d["rejected"]})
    series = {reason: [float(sum(1 for r in d["rejected"] if r["reason"] == reason)) for d in ingest_days]
              for reason in reasons}
    return bar_chart("chart-rejects", "Rejected files per ingest date, by reason", days, series, "files", stacked=True)


def quarantine_chart(clean_runs: list[dict]) -> str:
    labels = [(r["created_at"] or r["run_id"])[:16] for r in clean_runs]
    rules = sorted({rule.split(":")[0] for r in clean_runs for reasons in r["quarantined"].values() for rule in reasons})
    series = {
        rule: [float(sum(n for reasons in r["quarantined"].values() for reason, n in reasons.items()
                         if reason.split(":")[0] == rule)) for r in clean_runs]
        for rule in rules
    }
    return bar_chart("chart-quarantine", "Quarantined records per clean run, by rule", labels, series, "records", stacked=True)


def _card_opening(css_class: str, run: dict, headline: list[tuple[str, object]]) -> str:
    """A run card's opening: its id, RUN_DATE, status and seconds, its error if any, and one
    row of headline figures."""
    status = str(run.get("status", ""))
    return (
        f'<div class="{css_class}"><h3>Run {escape(str(run.get("run_id", "")))} &middot; RUN_DATE '
        f'{escape(str(run.get("run_date", "")))} &middot; <span class="{escape(status)}">{escape(status)}</span> '
        f'&middot; {escape(str(run.get("seconds", "")))} s</h3>'
        + (f'<p class="FAIL">{escape(str(run["error"]))}</p>' if run.get("error") else "")
        + _table([k for k, _ in headline], [[v for _, v in headline]], numeric=set(range(len(headline))))
    )


def _pipeline_section(run: dict, ingest_days: dict[str, dict]) -> str:
    steps = {s["step"]: s for s in run.get("steps", [])}
    day = ingest_days.get(str(run.get("run_date")), {"archived": {}, "rejected": []})
    headline = [
        ("rows staged", sum(int(s.get("rows_in") or 0) for n, s in steps.items() if n == "SP_LOAD_STAGING")
         or sum(int(s.get("rows_inserted") or 0) for n, s in steps.items() if n == "SP_LOAD_STAGING")),
        ("versions opened", steps.get("SP_LOAD_DIM_CUSTOMER", {}).get("rows_inserted")),
        ("facts inserted", steps.get("SP_LOAD_FACT_ACTIVITY", {}).get("rows_inserted")),
        ("facts re-keyed", steps.get("SP_LOAD_FACT_ACTIVITY", {}).get("rows_rekeyed")),
        ("files archived", sum(day["archived"].values())),
        ("files rejected", len(day["rejected"])),
    ]
    step_rows = [[s["step"], s["status"], s.get("rows_in"), s.get("rows_inserted"), s.get("rows_updated"),
                  s.get("rows_deleted"), s.get("rows_rekeyed"), s.get("seconds"), s.get("error")]
                 for s in run.get("steps", [])]
    return (
        _card_opening("card", run, headline)
        + "<h4>Stage timings and rows</h4>"
        + _table(["step", "status", "rows in", "inserted", "updated", "deleted", "re-keyed", "seconds", "error"],
                 step_rows, numeric={2, 3, 4, 5, 6, 7}, status={1})
        + "<h4>Files rejected on this ingest date</h4>"
        + _table(["dataset", "file", "reason", "detail"],
                 [[r["dataset"], r["file"], r["reason"], r["detail"]] for r in day["rejected"]])
        + "</div>"
    )


def _runner_card(record: dict) -> str:
    """One local run (`_runs/<run_id>.json`): stages with timings, files, quarantine by rule,
    warehouse rows and the post-load checks, all from the runner's own record."""
    stages = record.get("stages") or {}
    summary = {name: (stage.get("summary") or {}) for name, stage in stages.items() if isinstance(stage, dict)}
    timing_rows = [[name, stage.get("status"), stage.get("seconds"), stage.get("error")]
                   for name, stage in stages.items() if isinstance(stage, dict)]
    jobs = summary.get("lake_jobs", {}).get("job_runs", [])
    timing_rows += [[f"  Glue {job.get('job')}", job.get("state"), job.get("seconds"), job.get("error")] for job in jobs]
    warehouse = summary.get("warehouse") or summary.get("warehouse_catch_up") or {}
    steps = warehouse.get("steps", {})
    validate = summary.get("validate", {})
    counts = validate.get("counts", {})
    quarantine = defaultdict(int)
    for job in jobs:
        for dataset, result in ((job.get("summary") or {}).get("datasets") or {}).items():
            for reason, n in (result.get("quarantine_reasons") or {}).items():
                quarantine[(dataset, reason)] += n
    headline = [
        ("files archived", counts.get("archived")),
        ("files rejected", counts.get("rejected")),
        ("records quarantined", sum(quarantine.values())),
        ("rows staged", steps.get("SP_LOAD_STAGING", {}).get("rows_in")),
        ("versions opened", steps.get("SP_LOAD_DIM_CUSTOMER", {}).get("rows_inserted")),
        ("facts inserted", steps.get("SP_LOAD_FACT_ACTIVITY", {}).get("rows_inserted")),
        ("facts re-keyed", steps.get("SP_LOAD_FACT_ACTIVITY", {}).get("rows_rekeyed")),
    ]
    checks = [r for check in warehouse.get("checks", []) for r in check.get("results", [])]
    return (
        _card_opening("card run", record, headline)
        + "<h4>Stage timings</h4>"
        + _table(["stage", "status", "seconds", "error"], timing_rows, numeric={2}, status={1})
        + "<h4>Rejected files</h4>"
        + _table(["file", "reason", "detail"],
                 [[r.get("key"), r.get("reason"), r.get("detail")] for r in validate.get("rejected", [])])
        + "<h4>Quarantined records by rule</h4>"
        + _table(["dataset", "rule", "records"], [[d, r, n] for (d, r), n in sorted(quarantine.items())], numeric={2})
        + ("<h4>Post-load checks</h4>" + _table(
            ["check", "severity", "status", "failing rows", "detail"],
            [[r.get("check_name"), r.get("severity"), r.get("status"), r.get("failing_rows"), r.get("detail")]
             for r in checks], numeric={3}, status={2}) if checks else "")
        + "</div>"
    )


def render_report(report: dict) -> str:
    ingest_days = report.get("ingest_days", [])
    days_by_date = {str(d["ingest_date"]): d for d in ingest_days}
    dq = report.get("dq") or {}
    dq_rows = [[r["check_name"], r["severity"], r["status"], r["failing_rows"], r["detail"]]
               for r in dq.get("results", [])]
    quarantine_rows = [
        [run["run_id"], run["created_at"], dataset, reason, count]
        for run in report.get("clean_runs", []) for dataset, reasons in run["quarantined"].items()
        for reason, count in reasons.items()
    ]
    churn_rows = [[str(r["CHURN_MONTH"])[:7], r.get("PLAN_ID"), r.get("PLAN_NAME"), r.get("CUSTOMERS_AT_MONTH_START"),
                   r.get("CHURN_EVENTS"), r.get("CHURN_RATE")] for r in report.get("churn_by_plan", [])]
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in report.get("notes", []))
    failed_critical = sum(1 for r in dq.get("results", []) if r["status"] == "FAIL" and r["severity"] == "CRITICAL")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Telco Customer 360 &mdash; run report</title>
<style>{CSS}</style></head>
<body>
<h1>Telco Customer 360 &mdash; run report</h1>
<p class="meta">lake {escape(str(report.get("lake", "")))} &middot; generated {escape(str(report["generated_at"]))}</p>
{notes}
<h2>Charts</h2>
<div class="charts">
{usage_chart(report.get("usage_daily", []))}
{churn_chart(report.get("churn_by_plan", []))}
{rejects_chart(ingest_days)}
{quarantine_chart(report.get("clean_runs", []))}
</div>
<h2>Data quality{(" &middot; run " + escape(str(dq.get("run_id")))) if dq else ""}</h2>
<p class="{"FAIL" if failed_critical else "PASS"}">{failed_critical} critical check(s) failing</p>
{_table(["check", "severity", "status", "failing rows", "detail"], dq_rows, numeric={3}, status={2})}
<h2>Runs</h2>
{"".join(_runner_card(record) for record in report.get("runner_runs", []))
 or '<p class="meta">no local runner records (_runs/) in this lake</p>'}
<h2>Warehouse runs (DW.PIPELINE_RUN_LOG)</h2>
{"".join(_pipeline_section(run, days_by_date) for run in report.get("pipeline_runs", []))
 or '<p class="meta">no pipeline run recorded in this lake yet</p>'}
<h2>Files per ingest date (validator)</h2>
{_table(["ingest date", "archived", "rejected"],
        [[d["ingest_date"], sum(d["archived"].values()), len(d["rejected"])] for d in ingest_days], numeric={1, 2})}
<h2>Quarantined records by rule (Glue Job A)</h2>
{_table(["clean run", "created", "dataset", "rule", "records"], quarantine_rows, numeric={4})}
<h2>Churn by plan</h2>
{_table(["month", "plan", "name", "customers at month start", "churn events", "churn rate"], churn_rows, numeric={3, 4, 5})}
<script>{RENDER_PROBE}</script>
</body></html>
"""


def write_report(html: str, out_path) -> Path:
    """Write atomically: a reader never sees a half-written page."""
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_text(html, encoding="utf-8")
    partial.replace(out)
    return out
