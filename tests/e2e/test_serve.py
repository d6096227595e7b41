"""`mlflow models serve` of a registered generator, answering real HTTP requests (loopback)."""

import numpy as np
import pytest

from e2e_requests import post
from stores import registered_store


@pytest.fixture(scope="module")
def server(tmp_path_factory, digits_input, serve_model):
    folder = tmp_path_factory.mktemp("serve")
    uri = registered_store(folder, digits_input)
    with serve_model(folder, uri, "models:/ganops-gan-digits@champion") as base:
        yield base


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
