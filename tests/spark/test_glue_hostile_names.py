"""Contract-valid file names holding glob or URI characters are read as literal paths and
keep their name as SOURCE_FILE (issue #18 item 6): they never fail Job A's day."""
from __future__ import annotations

import pytest

from telco360.spark import standardize

NAMES = ["activity_logs_20240115_[1].ndjson", "activity_logs_20240115_{a,b}*?.ndjson",
         "activity_logs_20240115_50%+more #2.ndjson"]


@pytest.mark.spark
def test_glob_and_uri_characters_in_names_are_read_literally(spark, tmp_path):
    folder = tmp_path / "archive" / "activity_logs" / "ingest_date=2024-01-16"
    folder.mkdir(parents=True)
    (folder / "activity_logs_20240115_1.ndjson").write_bytes(b'{"event_id":"decoy"}\n')
    for number, name in enumerate(NAMES):
        (folder / name).write_bytes(f'{{"event_id":"E{number}"}}\n'.encode())

    lines = standardize.read_archived_lines(spark, [str(folder / name) for name in NAMES])
    rows = standardize.number_lines(lines).collect()

    assert sorted((r["source_file"], r["source_line"], r["value"]) for r in rows) == sorted(
        (name, 1, f'{{"event_id":"E{number}"}}') for number, name in enumerate(NAMES))
