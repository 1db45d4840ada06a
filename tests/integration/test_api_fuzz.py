"""Property-based requests from the OpenAPI schema (schemathesis): no 5xx, ever."""

import shutil
import subprocess

import pytest

from service.api.app import create_app
from tests.integration.api_server import serve
from tests.integration.datasets import make_data


@pytest.mark.skipif(shutil.which("st") is None, reason="schemathesis is a dev dependency")
def test_schemathesis_finds_no_server_errors(tmp_path):
    settings = make_data(tmp_path)
    with serve(create_app(settings)) as url:
        p = subprocess.run(
            ["st", "run", f"{url}/schema/openapi.json", "--checks", "not_a_server_error",
             "--max-examples", "25", "--seed", "1", "--phases", "examples,coverage,fuzzing",
             "--request-timeout", "30", "--no-color"],
            capture_output=True, text=True, timeout=900, cwd=tmp_path)  # its cache stays out of the repo
    assert p.returncode == 0, p.stdout[-4000:]
