"""Fixtures shared by the whole suite. One SparkSession per test session (Spark starts in
seconds; starting it per test would dominate the suite)."""
from __future__ import annotations

import importlib.util
import os

import pytest

# CI replays the same examples every run (a red build is reproducible from its log); a
# developer's run draws new ones, so the properties keep exploring. The Glue 5.0 venv runs
# tests/spark only, without hypothesis.
if importlib.util.find_spec("hypothesis") is not None:
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("CI", "").lower() == "true":
        settings.load_profile("ci")


@pytest.fixture(scope="session")
def spark():
    from telco360.spark.session import local_spark_session

    session = local_spark_session("telco360-tests")
    yield session
    session.stop()



@pytest.fixture(scope="session")
def require_tool():
    """Skip a test whose external tool is missing on a developer's machine, but fail in CI
    (CI=true), where .ci/run installs every tool: a skipped check there would hide a gap."""
    import os

    def require(available: bool, why: str) -> None:
        if available:
            return
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"required in CI: {why}")
        pytest.skip(why)

    return require
