"""A job's JSON state (bookmark, manifest) that is not JSON stops the job with a message naming
the file and what to do (issue #18 item 8), not a bare JSONDecodeError."""
from __future__ import annotations

import pytest

from telco360.spark import clean_run
from telco360.spark.storage import LocalLakeStorage, read_json


def test_garbage_in_a_bookmark_names_the_file_and_the_way_back(tmp_path):
    path = tmp_path / clean_run.BOOKMARK_KEY
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"processed": {"archive/cus\x00\xff')

    with pytest.raises(ValueError) as error:
        read_json(LocalLakeStorage(tmp_path), clean_run.BOOKMARK_KEY)

    assert str(path) in str(error.value)
    assert "restore" in str(error.value)
