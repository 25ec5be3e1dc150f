"""The post-pilot assessment's subcommand, `/rollout assess`, which opens its form: its row of
the grammar (`ROWS`, registered in handlers/grammar.py); the parser is the form's."""

from __future__ import annotations

from handlers import assess_form
from handlers.grammar_rows import Form

# Its row of the `/rollout` grammar, registered in handlers/grammar.py.
ROWS = (Form("assess", ("/rollout assess <playbook>",), assess_form.parse, assess_form.open_form),)
