"""The subcommands that open a playbook's forms, `/rollout new`, `edit` and `kit`: their rows
of the grammar (`ROWS`, registered in handlers/grammar.py); the parsers are the forms'."""

from __future__ import annotations

from handlers import kit_form, playbook_form
from handlers.grammar_rows import Form

# Its rows of the `/rollout` grammar, registered in handlers/grammar.py (help lists them in its order).
# Leave the tuple unannotated: mypy then checks each row's parser, use case and reply as one.
ROWS = (
    Form("new", ("/rollout new",), playbook_form.parse_new, playbook_form.open_form),
    Form("edit", ("/rollout edit <playbook>",), playbook_form.parse_edit, playbook_form.open_form),
    Form("kit", ("/rollout kit <playbook>",), playbook_form.parse_kit, kit_form.open_form),
)
