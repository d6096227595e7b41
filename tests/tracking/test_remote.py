import pytest

from ganops.tracking.remote import main

USAGE = "usage: python -m ganops.tracking.remote push|pull [REMOTE]\n"


@pytest.mark.parametrize("argv", [[], ["fetch"], ["push", "a", "b"]])
def test_a_wrong_command_line_gets_the_usage_line(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err == USAGE
