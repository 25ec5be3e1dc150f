"""The pulse's subcommand, `/rollout pulse`, which opens its form: its row of the grammar
(`ROWS`, registered in handlers/grammar.py); the parser is the form's."""

from __future__ import annotations

from handlers import pulse_form
from handlers.grammar_rows import Form

# Its rows of the `/rollout` grammar, registered in handlers/grammar.py (help lists them in its order).
# Leave the tuple unannotated: mypy then checks each row's parser, use case and reply as one.
ROWS = (Form("pulse", ("/rollout pulse <playbook>",), pulse_form.parse, pulse_form.open_form),)
