"""One module a clock job, each with its `JOB`; only usecases/clock/registry.py lists them."""
