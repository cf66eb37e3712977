"""Shared test configuration.

Hypothesis profiles (select with the environment variable HYPOTHESIS_PROFILE; default "ci"):

* ci       - deterministic (derandomize=True, no example database), no deadline, print_blob=True
             so a failure prints the `@reproduce_failure` blob. Baseline max_examples = 100.
* dev      - random, with the local example database, 20 examples: a quick edit/run loop.
* thorough - random, 1000 examples: for a long soak (`HYPOTHESIS_PROFILE=thorough pytest`).

Property tests size their example counts *relative to the profile* with `scaled(weight)`
(weight 1.0 = the profile's max_examples) instead of a fixed `max_examples`, so that choosing a
profile actually changes how much they run.
"""

import os
import sys

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))

import z3_oracle  # noqa: E402  (sets z3's strict mode before any z3 context exists)

_slow_ok = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "ci",
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=_slow_ok,
)
settings.register_profile(
    "dev",
    max_examples=20,
    deadline=None,
    print_blob=True,
    suppress_health_check=_slow_ok,
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    print_blob=True,
    suppress_health_check=_slow_ok,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def z3_strict():
    """The z3 oracle module, with strict SMT-LIB 2 mode checked to be on."""
    z3_oracle.assert_strict_mode()
    return z3_oracle
