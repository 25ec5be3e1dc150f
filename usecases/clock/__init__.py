"""The clock's jobs (issue 94): what a tick does, one job a module (`jobs/`), listed once,
in order, in `registry.py`; usecases/tick.py reads, then runs each job of the list."""
