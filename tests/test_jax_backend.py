"""The JAX backend's own tests (``tests/jax_backend``), run in a process whose Keras runs on
JAX, and how the backend is chosen."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ganops.quiet import backend_problem

REPO = Path(__file__).resolve().parents[1]


def test_the_jax_tests_pass_under_jax(request):
    markers = request.config.getoption("-m")  # `make test-all` runs the slow ones there too
    command = [sys.executable, "-m", "pytest", "tests/jax_backend", "-q", "-p", "no:cacheprovider"]
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    done = subprocess.run(
        [*command, "-m", markers], cwd=REPO, env=env, capture_output=True, text=True, timeout=1800
    )
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    counts = done.stdout.strip().splitlines()[-1]  # pytest's own last line
    assert " passed" in counts and " skipped" not in counts, done.stdout[-2000:]


@pytest.mark.parametrize(
    ("wanted", "hidden", "problem"),
    [
        ("tensorflow", None, None),
        ("jax", None, None),
        ("theano", None, "KERAS_BACKEND=theano: ganops trains on tensorflow or jax"),
        ("jax", "jax", "KERAS_BACKEND=jax, but jax is not installed: pip install it ('jax[cpu]'"),
    ],
)
def test_an_unusable_backend_is_named(monkeypatch, wanted, hidden, problem):
    monkeypatch.setenv("KERAS_BACKEND", wanted)
    if hidden:
        monkeypatch.setitem(sys.modules, hidden, None)  # what find_spec sees when not installed
    found = backend_problem()
    assert found == problem if problem is None else found.startswith(problem)


def test_a_machine_without_tensorflow_runs_on_jax():
    code = (
        "import sys; sys.modules['tensorflow'] = None; import ganops, keras; "
        "print(keras.backend.backend())"
    )
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "jax", done.stderr[-2000:]
