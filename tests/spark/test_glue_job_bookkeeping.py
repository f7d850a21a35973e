"""In AWS Glue the two scripts run their work between `Job.init` and `Job.commit` (what the
job's security configuration and run bookkeeping rely on); locally there is no Job. The job's
work and `awsglue` are stand-ins here: no Spark starts."""
from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from telco360.runner import handlers

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = {"glue/clean_job.py": "run_clean_job", "glue/staging_job.py": "run_staging_job"}


def load_script(path: str):
    return handlers.load_module(handlers.REPO_ROOT / path, f"script_{Path(path).stem}", fresh=True)


def fake_awsglue(monkeypatch, calls: list) -> None:
    class GlueContext:
        def __init__(self, spark_context):
            calls.append(("GlueContext", spark_context))

    class Job:
        def __init__(self, glue_context):
            self.glue_context = glue_context

        def init(self, name, args):
            calls.append(("init", name))

        def commit(self):
            calls.append(("commit",))

    def get_resolved_options(argv, names):
        values = dict(zip(argv[1::2], argv[2::2]))
        return {name: values[f"--{name}"] for name in names}

    modules = {"context": {"GlueContext": GlueContext}, "job": {"Job": Job},
               "utils": {"getResolvedOptions": get_resolved_options}}
    monkeypatch.setitem(sys.modules, "awsglue", types.ModuleType("awsglue"))
    for name, attributes in modules.items():
        module = types.ModuleType(f"awsglue.{name}")
        module.__dict__.update(attributes)
        monkeypatch.setitem(sys.modules, f"awsglue.{name}", module)


def stub_work(monkeypatch, script, run_name: str, calls: list, fail: bool = False) -> None:
    spark = types.SimpleNamespace(sparkContext="the spark context")

    def run(*args):
        calls.append(("run",))
        if fail:
            raise RuntimeError("job broke")
        return {"ok": True}

    monkeypatch.setattr(script, "job_spark_session", lambda *args: spark)
    monkeypatch.setattr(script, "open_lake_storage", lambda uri: uri)
    monkeypatch.setattr(script, run_name, run)


@pytest.mark.parametrize("path", sorted(SCRIPTS))
def test_in_glue_the_work_runs_between_job_init_and_commit(monkeypatch, path):
    script, calls = load_script(path), []
    fake_awsglue(monkeypatch, calls)
    stub_work(monkeypatch, script, SCRIPTS[path], calls)
    result = script.main(["--JOB_NAME", "telco360-job", "--lake_uri", "s3://lake", "--run_id", "r1"])
    assert (result, calls) == ({"ok": True}, [("GlueContext", "the spark context"), ("init", "telco360-job"),
                                               ("run",), ("commit",)])


@pytest.mark.parametrize("path", sorted(SCRIPTS))
def test_in_glue_a_failed_run_is_not_committed(monkeypatch, path):
    script, calls = load_script(path), []
    fake_awsglue(monkeypatch, calls)
    stub_work(monkeypatch, script, SCRIPTS[path], calls, fail=True)
    with pytest.raises(RuntimeError, match="job broke"):
        script.main(["--JOB_NAME", "telco360-job", "--lake_uri", "s3://lake", "--run_id", "r1"])
    assert ("commit",) not in calls


@pytest.mark.parametrize("path", sorted(SCRIPTS))
def test_locally_the_work_runs_without_a_job(monkeypatch, path):
    script, calls = load_script(path), []
    stub_work(monkeypatch, script, SCRIPTS[path], calls)
    assert (script.main(["--lake_uri", "/tmp/lake", "--run_id", "r1"]), calls) == ({"ok": True}, [("run",)])
