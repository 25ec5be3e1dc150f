"""The application layer: what the bot does, for the Slack listeners and the clock alike.

The listeners (handlers/) parse a request, call one use case here with the caller
(caller.py: who asks, and the lookups that resolve and authorize them) and render what it
returns; the clock (bot/processes.py) calls tick.py, which closes weeks (weeks.py) and
sends the digest (digest.py). Each use case reads
from top to bottom: resolve the playbook and week, authorize, ask cadence/ what the rules
decide, write the outcome with storage/ in one unit of work (the decisions as typed
`cadence.decisions.Decision` rows, and every message that is not the direct reply to the
outbox, in the same transaction), and return what happened. Refusals
(templates.refusals) say why nothing was done.

- services.py    what the use cases work with (the store, the outbox, the clock, Slack's team lookups)
- caller.py      who asks: the playbook, step and week they name, and whether they may
- commands.py    one use case per `/rollout` subcommand that acts
- status.py      what `/rollout status` and `/rollout history` show, and to whom
- checkins.py    the check-in forms and buttons: which week, recording, the DM updated after
- proposals.py   the Approve, Reject and Publish buttons
- events.py      Slack's events about channels and people
- people.py      people who leave (deactivated in Slack): nothing more to them; a playbook they own waits
- home.py        the App Home tab
- operator.py    what the command line asks: load files, list and show playbooks, start a cycle
- reports.py     record a KPI reading, a check-in, an exception, a case count, a rubric score; undo
- life.py        a playbook's life: cycles, pause, resume, retire, hand over, a channel lost
- governance.py  apply transitions, decide a proposal, set a mode by hand
- registry.py    publish a version, list the registry, adopt a version
- roles.py       who may do what, from the roles the database holds
- weeks.py       close a week: verdicts, transitions, the cycle's result, the scale rule
- tick.py        the clock's minute: what is due (nudges, check-ins, reminders, closes), once each
- digest.py      the curators' weekly digest (with its charts, templates/charts.py)
- collector.py   the garbage collector paused around a tick and a digest (measured: docs/architecture.md)
"""
