"""The fakesnow harness itself: a session the tests close is closed, so nothing of it
outlives the server."""
from __future__ import annotations

from snowflake.snowpark import Session


def test_a_closed_session_is_closed_before_the_server_stops(fakesnow_server):
    from fakesnow_shims import connect

    session = Session.builder.configs({"connection": connect()}).create()
    session.close()
    # Still open, Snowpark's exit hook would cancel its queries on the stopped server.
    assert session.connection.is_closed()
