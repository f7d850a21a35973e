"""Snowflake's side replaces a view keeping its grants: the Native App grants SELECT on the
analyst view at install, and every SP_REFRESH_MARTS replaces that view."""
from __future__ import annotations

from telco360.warehouse.seams import SnowparkEngine


class RecordingFrame:
    def __init__(self):
        self.calls = []

    def create_or_replace_view(self, name, **options):
        self.calls.append((name, options))


def test_snowflake_engine_replaces_a_view_with_copy_grants():
    frame = RecordingFrame()
    SnowparkEngine().create_view(session=None, name="TELCO_DB.DW.V_ACTIVITY_ENRICHED", build=lambda: frame)
    assert frame.calls == [("TELCO_DB.DW.V_ACTIVITY_ENRICHED", {"copy_grants": True})]
