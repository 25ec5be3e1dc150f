"""Benchmarks against Slack's limits. Not part of the test suite: `python -m bench.run`."""
