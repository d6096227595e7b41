"""The served app's own bounds, before MLflow reads a request: its table's rows, its size."""

import json

import pytest

from ganops.serving.app import latent_bytes, table_rows


@pytest.mark.parametrize(
    ("request_", "rows"),
    [
        ({"dataframe_split": {"columns": ["n"], "data": [[1], [2], [3]]}}, 3),
        ({"dataframe_records": [{"n": 1}, {"n": 2}]}, 2),
        ({"instances": [[0.1, 0.2]] * 5}, 5),
        ({"inputs": {"z": [[0.1]] * 7, "label": [1] * 7}}, 7),
        ({"something": "else"}, None),
        ([1, 2, 3], None),
    ],
)
def test_table_rows_counts_every_request_format(request_, rows):
    assert table_rows(json.dumps(request_).encode()) == rows


def test_a_body_that_is_no_json_is_left_to_mlflow():
    assert table_rows(b"{this is not json") is None and table_rows(b"\xff\xfe") is None


def test_the_largest_valid_latent_request_fits_its_bound():
    z = [[-1.2345678901234567e-10] * 100] * 256
    body = json.dumps({"dataframe_split": {"columns": ["z", "label"], "data": [[v, 9] for v in z]}})
    assert len(body) < latent_bytes(100, 256) < 2 << 20
