"""Fixtures shared by the whole suite. One SparkSession per test session (Spark starts in
seconds; starting it per test would dominate the suite)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def spark():
    from telco360.spark.session import local_spark_session

    session = local_spark_session("telco360-tests")
    yield session
    session.stop()
