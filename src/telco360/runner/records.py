"""Per-run records in `<lake>/_runs/<run_id>.json`: what each stage did and how long it took."""
from __future__ import annotations

import json
import os
from pathlib import Path

from telco360.lake import RUNS as RUNS_DIR


def write_run_record(lake_dir: Path, record: dict) -> Path:
    """Write atomically (temporary file + rename), so a reader never sees half a record."""
    folder = Path(lake_dir) / RUNS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record['run_id']}.json"
    scratch = path.with_suffix(".json.tmp")
    scratch.write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    os.replace(scratch, path)
    return path


def read_run_records(lake_dir: Path) -> list[dict]:
    """Every run record of the lake, oldest first."""
    folder = Path(lake_dir) / RUNS_DIR
    records = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")] if folder.is_dir() else []
    return sorted(records, key=lambda r: r["started_at"])
