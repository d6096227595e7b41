"""One throw-away registry for the serving tests: tiny untrained generators of three kinds."""

import pytest

from stores import registered_store

VARIANTS = ("gan", "cgan", "infogan")  # unconditional, labels, codes (and continuous codes)


@pytest.fixture(scope="session")
def tracking_uri(tmp_path_factory, digits_input):
    """A store where ``ganops-<variant>-digits@champion`` is each of VARIANTS."""
    return registered_store(tmp_path_factory.mktemp("registry"), digits_input, VARIANTS)
