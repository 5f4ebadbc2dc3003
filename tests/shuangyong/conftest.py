"""Fixtures of the core app's tests: a city above the test county (issue 15)."""

from tests.levels_fixtures import *  # noqa: F403
