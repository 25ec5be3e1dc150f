"""The application layer: what the bot does, for the Slack listeners and the clock alike.

The listeners (handlers/) parse a request into a typed command (shared/messages.py),
have it carried out here with the caller (shared/caller.py: who asks, and the lookups that
resolve and authorize them), through bus.py for `/rollout`, and render what it returns; the clock (bot/processes.py) calls tick.py, which closes weeks
(shared/weeks.py) and sends the digest (digest.py). Each use case reads
from top to bottom: resolve the playbook and week, authorize, ask cadence/ what the rules
decide, write the outcome with storage/ in one unit of work (the decisions as typed
`cadence.decisions.Decision` rows, and every message that is not the direct reply to the
outbox, in the same transaction), and return what happened. Refusals
(templates.refusals) say why nothing was done.

Entry use cases, one module per surface (the listeners, the API, the web view, the
command line and the clock call these, and nothing below them):

- bus.py         runs the use case an edge names in its turn: `/rollout` goes through it
- commands.py    one use case per `/rollout` subcommand that acts, each taking its command
- status.py      what `/rollout status` and `/rollout history` show, and to whom
- checkins.py    the check-in forms and buttons: which week, recording, the DM updated after
- proposals.py   the Approve, Reject and Publish buttons
- events.py      Slack's events about channels and people, and Slack accepting the token
- people.py      people who leave (deactivated in Slack): nothing more to them; a playbook they own waits
- home.py        the App Home tab
- learnings.py   `/rollout learn`, the learning form, and undoing one
- api_reports.py, api_reads.py, api_readiness.py, api_digest.py, tokens.py   the reporting API (and an assistant's tools): its reports, reads and tokens
- web.py         the web view: who is signed in and what each page shows them
- operator.py    what the command line asks: load files, list and show playbooks, start a cycle, export
- tick.py        the clock's minute: what is due (nudges, check-ins, reminders, closes), once each
- digest.py      the curators' weekly digest (with its charts, templates/charts.py)

What each capability shows, in sections/: a section per capability (pulse.py, value.py,
readiness.py, ...; base.py, what a section is), named by their capabilities
(cadence/capabilities.py) and loaded in sections/__init__.py, where each surface's loop over them is. A surface imports that list, never a section's module.

The work they share, in shared/ (it calls no entry module; tests/test_layers.py):

- messages.py    the commands: every `/rollout` subcommand's typed value (the grammar parses into them)
- services.py    what the use cases work with (the store, one repository per area; the clock, Slack's team lookups)
- caller.py      who asks: the playbook, step and week they name, and whether they may
- recording.py   record a KPI reading, a check-in, an exception, a case count, a rubric score; undo
- life.py        a playbook's life: cycles, pause, resume, retire, hand over, a channel lost
- governance.py  apply transitions, decide a proposal, set a mode by hand
- registry.py    publish a version, list the registry
- adoption.py    adopt a version: the team's own values, the wave, the announcements
- readiness.py   what readiness reads: attestation, learnings, the owner, rubric weeks
- roles.py       who may do what, from the roles the database holds
- weeks.py       close a round of weeks: the close's rules, each read in batch, then each week judged
- close/         the close's rules, one module each, ordered in close/registry.py
- listings.py    where a playbook's lists are read in full, and how much of each
- collector.py   the garbage collector paused around a tick, a digest and the overview (kept for speed)
"""
