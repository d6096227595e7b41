"""`mlflow models serve` of a registered generator, answering real HTTP requests (loopback)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from stores import registered_store

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, json.dumps(payload).encode(), {"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory, digits_input):
    folder = tmp_path_factory.mktemp("serve")
    uri = registered_store(folder, digits_input)
    port = free_port()
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": uri,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }  # serve execs uvicorn
    log = open(folder / "serve.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [
            str(BIN / "mlflow"),
            "models",
            "serve",
            "-m",
            "models:/ganops-gan-digits@champion",
            "--env-manager",
            "local",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=folder,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/ping", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                if proc.poll() is not None:
                    pytest.fail((folder / "serve.log").read_text()[-3000:])
                time.sleep(1)
        else:
            pytest.fail("server did not answer /ping in 180 s")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_a_request_table_gives_images(server):
    status, body = post(
        f"{server}/invocations",
        {"dataframe_split": {"columns": ["n", "seed"], "data": [[2, 0], [1, 5]]}},
    )
    assert status == 200, body
    images = np.asarray(body["predictions"])
    assert images.shape == (3, 16, 16, 1) and images.min() >= 0 and images.max() <= 1


def test_latent_vectors_give_one_image_each(server):
    z = [[0.1, -0.2, 0.3, 0.0], [1.0, 0.5, -1.0, 2.0]]  # the served GAN's latent_dim is 4
    status, body = post(
        f"{server}/invocations", {"dataframe_split": {"columns": ["z"], "data": [[v] for v in z]}}
    )
    assert status == 200, body
    assert np.asarray(body["predictions"]).shape == (2, 16, 16, 1)


@pytest.mark.parametrize(
    ("data", "columns", "message"),
    [
        ([[0, 1]], ["n", "seed"], "n must be between"),
        ([[500, 1]], ["n", "seed"], "n must be between"),
        ([[1, 1]], ["count", "seed"], "n"),
        ([[[0.1, 0.2]]], ["z"], "'z' must be 4 finite numbers"),
        ([[["a", "b", "c", "d"]]], ["z"], "z"),
        ([[1, 0, 3]], ["n", "seed", "label"], "'label': this generator is not conditional"),
    ],
)
def test_bad_requests_get_a_400_and_the_server_keeps_serving(server, data, columns, message):
    status, body = post(
        f"{server}/invocations", {"dataframe_split": {"columns": columns, "data": data}}
    )
    assert status == 400, body
    assert message in body["message"]
    ok, _ = post(
        f"{server}/invocations", {"dataframe_split": {"columns": ["n", "seed"], "data": [[1, 0]]}}
    )
    assert ok == 200
