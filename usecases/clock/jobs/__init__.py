"""One module a clock job, each with its `JOB`; named by its capability
(cadence/capabilities.py) and loaded by usecases/clock/registry.py alone."""
