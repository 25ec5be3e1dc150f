"""The clock's jobs (issue 94): what a tick does, one job a module (`jobs/`), each named by
its capability (cadence/capabilities.py) and ordered in `registry.py`; usecases/tick.py
reads, then runs each job of the list."""
