"""Generated lakes shared by the generator tests: tiny, and built once per module."""
from __future__ import annotations

import pytest

from telco360.generator import generate

# Four days: enough for every scheduled catalog change (rename, early reference, launch,
# retirement, fee change) and for records and events to arrive late.
SMALL_RUN = dict(days=4, customers=60, events_per_day=400, seed=11)


def lake_files(lake) -> dict[str, bytes]:
    return {str(p.relative_to(lake)): p.read_bytes() for p in sorted(lake.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    lake = tmp_path_factory.mktemp("clean_lake")
    return lake, generate(lake, **SMALL_RUN)


@pytest.fixture(scope="module")
def defect_run(tmp_path_factory):
    lake = tmp_path_factory.mktemp("defect_lake")
    return lake, generate(lake, defects=True, **SMALL_RUN)
