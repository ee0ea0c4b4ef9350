"""Hypothesis profiles: `ci` (the default) is derandomised — the same inputs on every run, so a
failure in CI is reproduced by running the test again; `dev` explores new inputs each run
(HYPOTHESIS_PROFILE=dev). bench/fuzz.py runs ≥ 10,000 inputs with its own settings."""

import os

import pytest
from hypothesis import HealthCheck, settings

_common = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
}
settings.register_profile("ci", derandomize=True, max_examples=40, **_common)
settings.register_profile("dev", max_examples=200, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def fuzz_settings(settings):
    """Rate limits would turn most generated posts into 429s: the fuzzing is about what the
    forms do with the input, so they are off here (tests of the limits live elsewhere)."""
    settings.RATELIMIT_ENABLE = False
    return settings
