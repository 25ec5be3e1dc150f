"""The domain: playbook definitions, the cycle calendar and weekly figures.

Plain Python over plain data. Nothing in here imports Slack or the database, and
nothing reads the clock: every function that depends on time takes it as a parameter.
"""
