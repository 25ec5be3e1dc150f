"""The application layer: what the bot does, for the Slack listeners and the clock alike.

The listeners (handlers/) parse a request, check Slack membership, call these
functions and render the reply; the clock (bot/usecases/tick.py) calls them to close weeks. Each
function reads the state, asks cadence/ what the rules decide, and writes the outcome
with storage/ in one unit of work: the decisions as typed `cadence.decisions.Decision`
rows, and every message that is not the direct reply to the outbox, in the same
transaction. Refusals (templates.refusals) say why nothing was done.

- reports.py     record a KPI reading, a check-in, an exception, a case count, a rubric score
- weeks.py       close a week: verdicts, transitions, the cycle's result, the scale rule
- governance.py  apply transitions, decide a proposal, set a mode by hand
- registry.py    publish a version, list the registry, adopt a version
- roles.py       who may do what, from the roles the database holds
"""
