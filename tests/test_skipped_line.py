"""The suite's last line says which checks it skipped and why (tests/skips.py)."""

from types import SimpleNamespace

from skips import skipped_line

CHROMIUM = "headless Chromium missing: apt-get install chromium-driver"
POSTGRES = "PostgreSQL's initdb is not installed: apt-get install postgresql"


def skipped(reason: str) -> SimpleNamespace:
    """A skipped test's report, as pytest keeps it: (file, line, reason)."""
    return SimpleNamespace(longrepr=("tests/x.py", 1, f"Skipped: {reason}"))


def test_skips_are_counted_by_reason_most_first_with_the_checks_left_out():
    stats = {
        "skipped": [skipped(CHROMIUM), skipped(POSTGRES), skipped(POSTGRES)],
        "deselected": [object()] * 67,
        "passed": [object()] * 950,
    }
    assert skipped_line(stats) == (
        f"ganops: skipped 2 × {POSTGRES}; 1 × {CHROMIUM}; "
        "67 not selected (make test-all runs the slow and soak ones)"
    )


def test_nothing_skipped_says_so():
    assert skipped_line({"passed": [object()]}) == "ganops: skipped no check"
