"""Settings for the property-based tests: the suite replays the same examples on every run, so CI is repeatable;
FUZZ_DEEP=1 explores ten times as many fresh ones (run it before a release, and turn what it finds into a fixed
test)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

DEEP = bool(os.environ.get("FUZZ_DEEP"))


def examples(count: int) -> settings:
    """``count`` replayed examples per test, or ten times as many fresh ones under FUZZ_DEEP=1."""
    return settings(
        max_examples=count * 10 if DEEP else count,
        derandomize=not DEEP,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
