"""`c360 generate` wraps generate(): files written, summary printed, bad arguments exit 2."""
from __future__ import annotations

import json

import pytest

from telco360.cli import main
from telco360.generator import generate


def test_generate_command_writes_the_days_and_a_full_summary(tmp_path, capsys):
    lake, summary_file = tmp_path / "lake", tmp_path / "summary.json"
    code = main(["generate", "--lake", str(lake), "--days", "2", "--customers", "5", "--events-per-day", "20",
                 "--seed", "3", "--defects", "--summary", str(summary_file)])
    summary = json.loads(summary_file.read_text())
    assert code == 0
    assert summary["extract_dates"] == ["2024-01-15", "2024-01-16"]
    assert all((lake / f["key"]).is_file() for f in summary["files"])
    assert "wrote" in capsys.readouterr().out


def test_generate_command_only_day_and_start_date_name_the_files_by_that_day(tmp_path):
    code = main(["generate", "--lake", str(tmp_path), "--days", "3", "--customers", "5", "--events-per-day", "10",
                 "--start-date", "2024-03-01", "--only-day", "2"])
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "raw" / "plans").iterdir()) == ["plans_20240303.csv"]


@pytest.mark.parametrize("arguments, message", [
    (["--days", "0"], "--days must be at least 1"),
    (["--customers", "0"], "--customers must be at least 1"),
    (["--customers", "9999999", "--days", "2"], "need 10099999 customer ids"),
    (["--events-per-day", "-1"], "--events-per-day must be 0 or more"),
    (["--only-day", "7"], "--only-day must be between 0 and 6"),
    (["--start-date", "15/01/2024"], "--start-date must be YYYY-MM-DD"),
])
def test_generate_command_rejects_bad_arguments_with_exit_2_and_says_why(tmp_path, capsys, arguments, message):
    code = main(["generate", "--lake", str(tmp_path), *arguments])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "raw").exists()


def test_zero_events_per_day_writes_no_activity_files(tmp_path):
    summary = generate(tmp_path, days=2, customers=5, events_per_day=0, seed=1)
    assert not [f for f in summary["files"] if f["dataset"] == "activity_logs"]
