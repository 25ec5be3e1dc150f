"""The assistant's tools (handlers/mcp_tools.py): the tool errors a call is answered with,
each one sentence, naming the tool and its parameters, never the value sent: the
refusals, each a key of the catalogue this module registers (templates/refusals.py) and
no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "tool_unknown": "there is no such tool; the tools are {tools}",
    "tool_failed": "the bot failed to answer this call (it is in the bot's log); try again later",
    "tool_takes": "{tool} takes {takes}",
    "tool_takes_nothing": "{tool} takes no parameters",
    "tool_takes_an_object": "{tool} takes its parameters as an object: {takes}",
    "tool_needs": "{tool} needs {field}: {what}",
    "tool_parameter_is": "{field} is {what}",
    # what a parameter is, for a call that gives it wrong: "slug is a playbook's slug ..."
    "tool_slug": "a playbook's slug (lowercase letters, digits and '-'), as list_playbooks gives it",
    "tool_since": "a day, YYYY-MM-DD",
    "tool_function": "a function's name, as text of at most 100 characters",
    "tool_query": "text of at most {most:,} characters",
}
