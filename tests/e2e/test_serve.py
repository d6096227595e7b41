"""`ganops serve` (`mlflow models serve` with the project's settings) of a registered
generator, answering real HTTP requests (loopback)."""

import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from e2e_requests import post
from ganops.serving.loadtest import answers_ping, free_port
from stores import registered_store

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def serving(tmp_path_factory, digits_input, command_env):
    """`ganops serve --model ganops-gan-digits --port P` in a fresh process, the store named
    by MLFLOW_TRACKING_URI alone (no --tracking-uri), up and answering /ping."""
    folder = tmp_path_factory.mktemp("serve")
    uri = registered_store(folder, digits_input)
    port, log = free_port(), folder / "serve.log"
    command = [str(BIN / "ganops"), "serve", "--model", "ganops-gan-digits", "--port", str(port)]
    env = {**command_env, "MLFLOW_TRACKING_URI": uri}
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while not answers_ping(base):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"ganops serve did not start: {log.read_text()[-3000:]}")
            time.sleep(1)
        yield SimpleNamespace(base=base, proc=proc, log=log, uri=uri, port=port)
    finally:
        proc.terminate()  # the server itself: ganops serve became it
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(serving) -> str:
    return serving.base


def command_lines(pid: int) -> list[str]:
    """The command lines of process ``pid`` and its descendants (Linux's /proc)."""
    proc = Path(f"/proc/{pid}")
    lines = [(proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()]
    children = proc / "task" / str(pid) / "children"
    for child in children.read_text().split() if children.exists() else []:
        lines += command_lines(int(child))
    return lines


def test_ganops_serve_says_what_it_serves_and_keeps_the_store_off_the_command_line(serving):
    assert serving.log.read_text().splitlines()[0] == (
        f"serving models:/ganops-gan-digits@champion (version 1) at "
        f"http://127.0.0.1:{serving.port}: POST /invocations, GET /ping; Ctrl-C stops it"
    )
    lines = command_lines(serving.proc.pid)
    assert lines and all(serving.uri not in line for line in lines)
    assert all("mlflow.db" not in line for line in lines)


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
        ([[2.9, 0]], ["n", "seed"], "row 0: 'n' must be an integer, got 2.9"),  # not cut to 2
        ([[2, 0.7]], ["n", "seed"], "row 0: 'seed' must be an integer, got 0.7"),
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


def raw_post(base: str, headers: str, body: bytes = b"") -> tuple[int, str]:
    """Send a POST to /invocations with these header lines, as written; the status and body."""
    import socket

    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(f"POST /invocations HTTP/1.1\r\nHost: {host}\r\n{headers}\r\n".encode())
        conn.sendall(body)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, text = answer.decode().partition("\r\n\r\n")
    return int(head.split()[1]), text


def test_a_body_over_the_bound_is_refused_from_its_headers(server):
    """413 before any of the 100 MB is sent; a body of unknown length (chunked) 411."""
    json_type = "Content-Type: application/json\r\n"
    status, text = raw_post(server, f"{json_type}Content-Length: 100000000\r\n")
    assert status == 413 and "the request body is 100000000 bytes, over" in text, text
    chunks = b"2\r\n{}\r\n0\r\n\r\n"
    status, text = raw_post(server, f"{json_type}Transfer-Encoding: chunked\r\n", chunks)
    assert status == 411 and "Content-Length" in text, text


def test_a_table_of_too_many_rows_is_refused_before_mlflow_reads_it(server):
    status, body = post(
        f"{server}/invocations",
        {"dataframe_split": {"columns": ["n", "seed"], "data": [[1, 0]] * 300}},
    )
    assert status == 400 and body["message"] == "at most 256 images per call, asked for 300 rows"
