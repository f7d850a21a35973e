"""The run report and the `c360 check` / `c360 report` commands on a hand-made lake: the
warehouse holds the conftest story, plus literal validator sidecars, a Glue Job A manifest
and one PIPELINE_RUN_LOG run."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from telco360.analytics import report as run_report
from telco360.cli import main as c360

from .conftest import FACTS, PLANS, VERSIONS, save, ts

RUN_LOG = [
    ("SP_LOAD_STAGING", 9, 9, None, 1.2),
    ("SP_LOAD_DIM_PLAN", 2, 2, None, 0.4),
    ("SP_LOAD_DIM_CUSTOMER", 4, 10, None, 2.5),
    ("SP_LOAD_FACT_ACTIVITY", 6, 6, 3, 1.9),
]


def run_log_rows(run_id="run-0116", run_date="2024-01-16", status="SUCCEEDED"):
    rows = [
        {"RUN_ID": run_id, "RUN_DATE": run_date, "STEP": step, "STATUS": status, "STAGING_RUN_ID": "staging-1",
         "ROWS_IN": rows_in, "ROWS_INSERTED": inserted, "ROWS_UPDATED": 0, "ROWS_DELETED": 0,
         "ROWS_REKEYED": rekeyed, "ERROR": None, "STARTED_AT": ts(16, 6), "FINISHED_AT": ts(16, 6), "SECONDS": seconds}
        for step, rows_in, inserted, rekeyed, seconds in RUN_LOG
    ]
    rows.append({**rows[0], "STEP": "PIPELINE", "ROWS_IN": None, "ROWS_INSERTED": None, "ROWS_REKEYED": None,
                 "SECONDS": 6.0})
    return rows


def write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload), encoding="utf-8")


def build_lake(lake: Path, versions=VERSIONS) -> Path:
    from telco360.warehouse.local.session import open_local_warehouse, save_local_warehouse

    session = open_local_warehouse(lake)
    save(session, "DIM_PLAN", PLANS)
    save(session, "DIM_CUSTOMER", versions)
    save(session, "FACT_ACTIVITY", FACTS)

    from telco360.warehouse.tables import qualified_name, table_schema

    schema = table_schema("PIPELINE_RUN_LOG")
    session.create_dataframe(
        [[row[f.name] for f in schema.fields] for row in run_log_rows()], schema
    ).write.save_as_table(qualified_name("PIPELINE_RUN_LOG"), mode="overwrite")
    save_local_warehouse(session, lake)
    session.close()
    (lake / "archive/customers/ingest_date=2024-01-16").mkdir(parents=True)
    (lake / "archive/customers/ingest_date=2024-01-16/customers_20240116.ndjson").write_text("{}\n")
    write_json(lake / "rejected/_reasons/customers/ingest_date=2024-01-16/customers_20240116_latin1.ndjson.json",
               {"dataset": "customers", "reason": "not_utf8", "detail": "not UTF-8 at byte 57 (line 1)"})
    write_json(lake / "rejected/_reasons/_unknown/ingest_date=2024-01-16/invoices/invoices_20240116.csv.json",
               {"dataset": "_unknown", "reason": "unknown_dataset", "detail": "not under raw/<dataset>/"})
    write_json(lake / "clean/_manifests/clean-0116.json", {
        "run_id": "clean-0116", "created_at": "2024-01-16T05:00:00+00:00",
        "datasets": {"activity_logs": {"records": 10, "clean": 7, "quarantined": 3,
                                       "quarantine_reasons": {"negative:data_mb": 2, "bad_timestamp:event_ts": 1}}},
    })
    write_json(lake / "_runs/2024-01-16_run.json", RUNNER_RECORD)
    return lake


# The shape the local runner writes (telco360.runner.day_run), trimmed to what the report reads.
RUNNER_RECORD = {
    "run_id": "2024-01-16_run", "run_date": "2024-01-16", "status": "SUCCEEDED", "seconds": 60.3,
    "started_at": "2024-01-16T06:00:00+00:00",
    "stages": {
        "validate": {"status": "SUCCEEDED", "seconds": 0.1, "summary": {
            "counts": {"archived": 4, "rejected": 1},
            "rejected": [{"key": "raw/customers/customers_20240116_latin1.ndjson", "reason": "not_utf8",
                          "detail": "not UTF-8 at byte 57 (line 1)"}]}},
        "lake_jobs": {"status": "SUCCEEDED", "seconds": 34.2, "summary": {"job_runs": [
            {"job": "telco360-clean", "state": "SUCCEEDED", "seconds": 18.9, "summary": {"datasets": {
                "activity_logs": {"quarantine_reasons": {"negative:data_mb": 2}}}}}]}},
        "warehouse": {"status": "SUCCEEDED", "seconds": 26.0, "summary": {
            "steps": {"SP_LOAD_STAGING": {"rows_in": 222}, "SP_LOAD_DIM_CUSTOMER": {"rows_inserted": 7},
                      "SP_LOAD_FACT_ACTIVITY": {"rows_inserted": 200, "rows_rekeyed": 5}},
            "checks": [{"check": "data_quality", "passed": True, "results": [
                {"check_name": "scd2:one_current_row", "severity": "CRITICAL", "status": "PASS",
                 "failing_rows": 0, "detail": "no current-row defects"}]}]}},
    },
}


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    return build_lake(tmp_path_factory.mktemp("report") / "lake")


@pytest.fixture(scope="module")
def facts(lake):
    return run_report.collect_lake_facts(lake)


@pytest.fixture(scope="module")
def page(lake, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "report.html"
    assert c360(["report", "--lake", str(lake), "--out", str(out)]) == 0
    return out


def test_facts_list_rejected_files_with_their_reasons_per_ingest_date(facts):
    (day,) = facts["ingest_days"]
    assert day["ingest_date"] == "2024-01-16"
    assert day["archived"] == {"customers": 1}
    assert sorted((r["file"], r["reason"]) for r in day["rejected"]) == [
        ("customers_20240116_latin1.ndjson", "not_utf8"), ("invoices_20240116.csv", "unknown_dataset"),
    ]


def test_facts_count_quarantined_records_by_rule_per_clean_run(facts):
    (run,) = facts["clean_runs"]
    assert run["quarantined"] == {"activity_logs": {"negative:data_mb": 2, "bad_timestamp:event_ts": 1}}


def test_facts_group_the_pipeline_audit_by_run(facts):
    (run,) = facts["pipeline_runs"]
    assert (run["run_id"], run["status"], run["seconds"]) == ("run-0116", "SUCCEEDED", 6.0)
    steps = {s["step"]: s for s in run["steps"]}
    assert (steps["SP_LOAD_DIM_CUSTOMER"]["rows_inserted"], steps["SP_LOAD_FACT_ACTIVITY"]["rows_rekeyed"]) == (10, 3)


def test_rendered_run_shows_versions_opened_and_facts_rekeyed(facts):
    html = run_report.render_report({**facts, "generated_at": "2024-01-16 07:00:00"})
    audit = html.split("Warehouse runs (DW.PIPELINE_RUN_LOG)", 1)[1]
    headline = re.search(r"<th>versions opened</th>.*?</tr><tr>(.*?)</tr>", audit, re.S).group(1)
    assert re.findall(r">([^<]*)</td>", headline) == ["9", "10", "6", "3", "1", "2"]


def test_rendered_runner_record_shows_files_quarantine_versions_and_rekeyed_facts(facts):
    html = run_report.render_report({**facts, "generated_at": "2024-01-16 07:00:00"})
    card = re.search(r'<div class="card run">.*?</div>', html, re.S).group(0)
    headline = re.search(r"<th>files archived</th>.*?</tr><tr>(.*?)</tr>", card, re.S).group(1)
    assert re.findall(r">([^<]*)</td>", headline) == ["4", "1", "2", "222", "7", "200", "5"]
    assert "Glue telco360-clean" in card and "negative:data_mb" in card and "scd2:one_current_row" in card


def test_report_page_needs_no_network(page):
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html


def test_report_page_holds_the_four_charts_with_marks(page):
    html = page.read_text(encoding="utf-8")
    for chart in ("chart-usage", "chart-churn", "chart-rejects", "chart-quarantine"):
        svg = re.search(rf'<svg[^>]*id="{chart}".*?</svg>', html, re.S).group(0)
        assert "<polyline" in svg or 'class="bar"' in svg, chart


def test_report_page_shows_the_data_quality_results(page):
    html = page.read_text(encoding="utf-8")
    assert "scd2:no_overlap_or_gap" in html
    assert "0 critical check(s) failing" in html


def test_report_command_prints_the_path_it_wrote(lake, tmp_path, capsys):
    out = tmp_path / "r.html"
    c360(["report", "--lake", str(lake), "--out", str(out)])
    assert capsys.readouterr().out.strip() == str(out.resolve())


def test_report_without_a_warehouse_still_writes_a_page_and_says_why(tmp_path):
    (tmp_path / "lake").mkdir()
    out = tmp_path / "r.html"
    assert c360(["report", "--lake", str(tmp_path / "lake"), "--out", str(out)]) == 0
    assert "No local warehouse" in out.read_text(encoding="utf-8")


def test_check_command_passes_on_a_sound_warehouse(lake, capsys):
    assert c360(["check", "--lake", str(lake), "--run-id", "t1"]) == 0
    assert "scd2:one_current_row" in capsys.readouterr().out


def test_check_command_exits_1_when_a_critical_check_fails(tmp_path, capsys):
    broken = [dict(row) for row in VERSIONS]
    broken[0]["IS_CURRENT"] = True
    lake = build_lake(tmp_path / "lake", versions=broken)
    assert c360(["check", "--lake", str(lake), "--json"]) == 1
    results = {r["check_name"]: r["status"] for r in json.loads(capsys.readouterr().out)["results"]}
    assert results["scd2:one_current_row"] == "FAIL"


def test_check_table_keeps_names_and_counts_whole_at_80_columns():
    import io

    from rich.console import Console

    from telco360.warehouse.quality import CheckResult
    from telco360.commands.check import print_results

    detail = "of 20060 staged; the load step for DW.FACT_ACTIVITY lost them [rerun the pipeline]"
    results = [
        CheckResult("reconciliation:STG_ACTIVITY->FACT_ACTIVITY", "CRITICAL", "FAIL", 1234567, detail),
        CheckResult("warning:facts_without_customer_version", "WARNING", "PASS", 0, "no facts on -1"),
    ]
    out = io.StringIO()
    print_results("run-1", results, Console(file=out, width=80))
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    for result in results:
        row = next(line for line in lines if result.check_name in line)
        assert re.search(rf"{result.severity}\s.*\s{result.status}\s.*\s{result.failing_rows}\s", row)
    details = " ".join(line.strip("│ ").split("│")[0].strip() for line in lines)
    assert detail in details  # wrapped between words, brackets shown as text


def test_check_command_exits_2_without_a_warehouse(tmp_path, capsys):
    assert c360(["check", "--lake", str(tmp_path)]) == 2
    assert "no local warehouse" in capsys.readouterr().err


# --- a real browser ----------------------------------------------------------------------

# Debian's chromium here and in .ci/run; GitHub's Ubuntu runners (.github/workflows) ship Google Chrome.
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"))), None)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    """CI keeps $C360_ARTIFACTS; otherwise a temporary folder."""
    import os

    folder = Path(os.environ["C360_ARTIFACTS"]) if os.environ.get("C360_ARTIFACTS") else tmp_path_factory.mktemp("artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_charts_render_in_headless_chromium(page, tmp_path, require_tool):
    require_tool(CHROMIUM is not None, "chromium is not installed (apt-get install -y chromium)")
    dom = chromium(page, tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom").stdout
    charts = re.search(r'<body[^>]*data-charts="(\d+)"', dom)
    rendered = re.search(r'<body[^>]*data-charts-rendered="(\d+)"', dom)
    assert charts and rendered, dom[:500]
    assert (int(charts.group(1)), int(rendered.group(1))) == (4, 4)


def test_headless_chromium_takes_a_screenshot_of_the_report(page, tmp_path, artifacts, require_tool):
    require_tool(CHROMIUM is not None, "chromium is not installed (apt-get install -y chromium)")
    shot = artifacts / "report.png"
    shot.unlink(missing_ok=True)
    chromium(page, tmp_path / "profile", "--window-size=1280,2000", f"--screenshot={shot}")
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_report_and_check_work_on_a_new_empty_warehouse(tmp_path, capsys):
    from telco360.warehouse.local.session import open_local_warehouse, save_local_warehouse

    lake = tmp_path / "lake"
    save_local_warehouse(open_local_warehouse(lake), lake)
    assert c360(["check", "--lake", str(lake)]) == 0
    assert c360(["report", "--lake", str(lake), "--out", str(tmp_path / "r.html")]) == 0


def refreshed_lake(lake: Path) -> Path:
    """`build_lake` after its run's marts refresh (as of its RUN_DATE) and DQ checks, as the
    local runner leaves a lake after a successful day."""
    from telco360.warehouse.quality import run_dq_checks
    from telco360.analytics.refresh import refresh_marts
    from telco360.warehouse.local.session import open_local_warehouse, save_local_warehouse

    build_lake(lake)
    session = open_local_warehouse(lake)
    run_dq_checks(session, "run-0116")
    refresh_marts(session, "2024-01-16")
    save_local_warehouse(session, lake)
    session.close()
    return lake


def without_refresh_time(rows: list[dict]) -> list[dict]:
    """Rows in a fixed order without REFRESHED_AT; values compare as numbers (the saved table
    holds its declared scale, a fresh computation the scale of its arithmetic)."""
    kept = [{k: v for k, v in row.items() if k != "REFRESHED_AT"} for row in rows]
    return sorted(kept, key=lambda row: (str(row["ACTIVITY_DATE"]), str(row["PLAN_ID"])))


def test_the_report_reads_what_the_last_run_saved_when_it_is_current(tmp_path, monkeypatch):
    from telco360.warehouse import quality
    from telco360.runner import report as run_report

    lake = refreshed_lake(tmp_path / "lake")
    now = dt.datetime(2024, 1, 17, 8)
    computed = run_report.warehouse_sections(lake, dt.date(2024, 1, 15), now)  # another as-of: computed
    assert computed["dq"]["run_id"] == "report as of 2024-01-15"

    def no_evaluation(_tables):
        raise AssertionError("the checks were evaluated again")

    monkeypatch.setattr(quality, "evaluate_checks", no_evaluation)
    saved = run_report.warehouse_sections(lake, dt.date(2024, 1, 16), now)

    assert saved["dq"]["run_id"] == "run-0116"
    # The checks do not depend on the as-of date: the saved results are a fresh evaluation's.
    assert sorted(map(str, saved["dq"]["results"])) == sorted(map(str, computed["dq"]["results"]))
    assert saved["usage_daily"] and without_refresh_time(saved["usage_daily"]) == without_refresh_time(
        computed["usage_daily"])


def test_the_report_computes_again_after_a_run_the_marts_did_not_follow(tmp_path):
    from telco360.runner import report as run_report
    from telco360.warehouse.local.session import open_local_warehouse, save_local_warehouse
    from telco360.warehouse.tables import qualified_name, table_schema

    lake = refreshed_lake(tmp_path / "lake")
    session = open_local_warehouse(lake)
    later = {**run_log_rows(run_id="run-0117", run_date="2024-01-17")[-1], "FINISHED_AT": dt.datetime(2099, 1, 1)}
    schema = table_schema("PIPELINE_RUN_LOG")
    session.create_dataframe([[later[f.name] for f in schema.fields]], schema).write.save_as_table(
        qualified_name("PIPELINE_RUN_LOG"), mode="append")
    save_local_warehouse(session, lake)
    session.close()

    sections = run_report.warehouse_sections(lake, dt.date(2024, 1, 16), dt.datetime(2024, 1, 17, 8))

    assert sections["dq"]["run_id"] == "report as of 2024-01-16"
