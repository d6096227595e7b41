"""The suite's last line: which checks it skipped, and why (printed by tests/conftest.py)."""

from collections import Counter


def skipped_line(stats: dict[str, list]) -> str:
    """One line: how many checks were skipped for each reason, and how many the markers left
    out (``make test-all`` runs those)."""
    reasons = Counter(
        report.longrepr[2].removeprefix("Skipped: ")
        for report in stats.get("skipped", [])
        if isinstance(report.longrepr, tuple)
    )
    skipped = "; ".join(f"{n} × {reason}" for reason, n in reasons.most_common())
    deselected = len(stats.get("deselected", []))
    left = (
        f"; {deselected} not selected (make test-all runs the slow and soak ones)"
        if deselected
        else ""
    )
    return f"ganops: skipped {skipped or 'no check'}{left}"
