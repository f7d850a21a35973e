"""`validate_lake` / `c360 validate` over a local lake folder laid out like the bucket."""
from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from telco360 import cli
from telco360.validator import local, settle
from telco360.logs import JsonLinesFormatter
from telco360.validator.local import LocalRawStore, validate_lake

GOOD = b'{"event_id":"E1","customer_id":"C0000001","event_type":"SMS","event_ts":"2024-01-15T09:00:00Z"}\n'
DAY = "2024-01-16"


def drop(lake: Path, key: str, data: bytes) -> Path:
    path = lake / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def files_under(lake: Path) -> list[str]:
    return sorted(p.relative_to(lake).as_posix() for p in lake.rglob("*") if p.is_file())


def test_accepted_file_moves_byte_for_byte_to_archive(tmp_path):
    drop(tmp_path, "raw/activity_logs/activity_logs_20240115.ndjson", GOOD)
    validate_lake(tmp_path, DAY)
    assert (tmp_path / "archive/activity_logs/ingest_date=2024-01-16/activity_logs_20240115.ndjson").read_bytes() == GOOD


def test_rejected_file_gets_reason_sidecar_and_leaves_raw(tmp_path):
    drop(tmp_path, "raw/activity_logs/activity_logs_20240115.ndjson", b"[]\n")
    validate_lake(tmp_path, DAY)
    assert files_under(tmp_path) == [
        "rejected/_reasons/activity_logs/ingest_date=2024-01-16/activity_logs_20240115.ndjson.json",
        "rejected/activity_logs/ingest_date=2024-01-16/activity_logs_20240115.ndjson",
    ]


def test_reason_sidecar_says_what_and_what_next(tmp_path):
    drop(tmp_path, "raw/plans/plans_20240115.csv", b"plan_id\n")
    validate_lake(tmp_path, DAY)
    sidecar = json.loads((tmp_path / "rejected/_reasons/plans/ingest_date=2024-01-16/plans_20240115.csv.json").read_text())
    assert (sidecar["reason"], sidecar["size"], sidecar["next_step"][:45]) == (
        "missing_required_column", 8, "fix the file at the source and deliver it aga")


def test_summary_counts_each_outcome(tmp_path):
    drop(tmp_path, "raw/activity_logs/activity_logs_20240115.ndjson", GOOD)
    drop(tmp_path, "raw/misc/notes.txt", b"hello")
    summary = validate_lake(tmp_path, DAY)
    assert (summary["counts"]["archived"], summary["counts"]["rejected"], summary["rejected"][0]["reason"]) == (
        1, 1, "unknown_dataset")


def test_unknown_dataset_keeps_its_path_below_raw(tmp_path):
    drop(tmp_path, "raw/misc/sub/notes.txt", b"hello")
    summary = validate_lake(tmp_path, DAY)
    assert summary["rejected"][0]["destination"] == "rejected/_unknown/ingest_date=2024-01-16/misc/sub/notes.txt"


def test_rerun_after_crash_between_copy_and_delete_leaves_one_copy(tmp_path):
    key = "raw/activity_logs/activity_logs_20240115.ndjson"
    drop(tmp_path, key, GOOD)
    drop(tmp_path, "archive/activity_logs/ingest_date=2024-01-16/activity_logs_20240115.ndjson", GOOD)
    validate_lake(tmp_path, DAY)
    assert files_under(tmp_path) == ["archive/activity_logs/ingest_date=2024-01-16/activity_logs_20240115.ndjson"]


def test_interrupted_copy_before_the_rename_is_finished_on_rerun(tmp_path, monkeypatch):
    key = "raw/activity_logs/activity_logs_20240115.ndjson"
    drop(tmp_path, key, GOOD)

    def crash(*_args):
        raise OSError("disk went away")

    with monkeypatch.context() as patch:
        patch.setattr(local.os, "replace", crash)
        first = validate_lake(tmp_path, DAY)
    validate_lake(tmp_path, DAY)
    assert (first["counts"]["error"], files_under(tmp_path)) == (
        1, ["archive/activity_logs/ingest_date=2024-01-16/activity_logs_20240115.ndjson"])


def test_same_name_with_other_content_is_kept_under_a_redelivery_name(tmp_path):
    drop(tmp_path, "archive/activity_logs/ingest_date=2024-01-16/activity_logs_20240115.ndjson", GOOD)
    drop(tmp_path, "raw/activity_logs/activity_logs_20240115.ndjson", GOOD + GOOD)
    summary = validate_lake(tmp_path, DAY)
    renamed = tmp_path / summary["archived"][0]["destination"]
    assert (renamed.name.startswith("activity_logs_20240115_redelivery-"), renamed.read_bytes()) == (True, GOOD + GOOD)


def test_each_file_outcome_is_one_json_log_line(tmp_path):
    drop(tmp_path, "raw/activity_logs/activity_logs_20240115.ndjson", GOOD)
    drop(tmp_path, "raw/plans/plans_20240115.csv", b"")
    sink = io.StringIO()
    capture = logging.StreamHandler(sink)
    capture.setFormatter(JsonLinesFormatter())
    settle.logger.addHandler(capture)
    try:
        validate_lake(tmp_path, DAY)
    finally:
        settle.logger.removeHandler(capture)
    records = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert [(r["outcome"], r["key"]) for r in records] == [
        ("archived", "raw/activity_logs/activity_logs_20240115.ndjson"),
        ("rejected", "raw/plans/plans_20240115.csv"),
    ]


def test_cli_exits_zero_when_files_are_rejected(tmp_path, capsys):
    drop(tmp_path, "raw/plans/plans_20240115.csv", b"")
    code = cli.main(["validate", "--lake", str(tmp_path), "--ingest-date", DAY, "--json"])
    assert (code, json.loads(capsys.readouterr().out)["counts"]["rejected"]) == (0, 1)


def test_cli_exits_nonzero_when_a_file_cannot_be_moved(tmp_path, monkeypatch):
    drop(tmp_path, "raw/activity_logs/activity_logs_20240115.ndjson", GOOD)
    monkeypatch.setattr(LocalRawStore, "delete", lambda self, key: (_ for _ in ()).throw(PermissionError(key)))
    assert cli.main(["validate", "--lake", str(tmp_path), "--ingest-date", DAY]) == 1


def test_cli_refuses_a_folder_without_raw(tmp_path, capsys):
    (tmp_path / "archive").mkdir()
    assert cli.main(["validate", "--lake", str(tmp_path), "--ingest-date", DAY]) == 2
    assert "has no raw/ folder" in capsys.readouterr().err


def test_cli_rejects_a_malformed_ingest_date(tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate", "--lake", str(tmp_path), "--ingest-date", "16/01/2024"])
    assert exit_info.value.code == 2


def test_ingest_date_may_be_given_as_a_date(tmp_path):
    import datetime as dt

    drop(tmp_path, "raw/activity_logs/activity_logs_20240115.ndjson", GOOD)
    assert validate_lake(tmp_path, dt.date(2024, 1, 16))["archived"][0]["destination"].split("/")[2] == "ingest_date=2024-01-16"


def test_malformed_ingest_date_is_refused_before_anything_moves(tmp_path):
    drop(tmp_path, "raw/activity_logs/activity_logs_20240115.ndjson", GOOD)
    with pytest.raises(ValueError, match="is not a date YYYY-MM-DD"):
        validate_lake(tmp_path, "2024-13-01")
