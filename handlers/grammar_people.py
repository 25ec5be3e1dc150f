"""The words of the people a playbook and the workspace name, `/rollout owner`, `champion`,
`curator` and `curators-channel`: their parsers and their rows of the grammar (`ROWS`,
registered in handlers/grammar.py). Pure: no Slack, no database."""

from __future__ import annotations

from handlers import replies
from handlers.grammar_rows import Subcommand
from handlers.words import (
    Words,
    parse_channel,
    parse_user,
    playbook_name,
)
from templates.refusals import Refusal
from usecases import commands
from usecases.shared import messages


def _owner(w: Words) -> messages.HandOver:
    if len(w) != 3:
        raise Refusal.of("owner_arguments", usage="owner")
    return messages.HandOver(playbook_name(w.words[1]), parse_user(w.words[2], "owner"))


def _champion(w: Words) -> messages.NameChampion:
    if len(w) != 3:
        raise Refusal.of("champion_arguments", usage="champion")
    return messages.NameChampion(playbook_name(w.words[1]), parse_user(w.words[2], "champion"))


def _curator(w: Words) -> messages.CuratorChange:
    if len(w) != 3 or w.words[1].lower() not in ("add", "remove"):
        raise Refusal.of("curator_arguments", usage="curator")
    return messages.CuratorChange(w.words[1].lower() == "add", parse_user(w.words[2], "curator"))


def _curators_channel(w: Words) -> messages.CuratorsChannel:
    if len(w) != 2:
        raise Refusal.of("curators_channel_arguments", usage="curators-channel")
    return messages.CuratorsChannel(parse_channel(w.words[1], "curators-channel"))


# Its rows of the `/rollout` grammar, registered in handlers/grammar.py (help lists them in its order).
# Leave the tuple unannotated: mypy then checks each row's parser, use case and reply as one.
ROWS = (
    Subcommand("owner", ("/rollout owner <playbook> <@user>",), _owner, commands.hand_over, replies.hand_over),
    Subcommand(
        "champion",
        ("/rollout champion <playbook> <@user>",),
        _champion,
        commands.champion,
        replies.champion,
    ),
    Subcommand("curator", ("/rollout curator add|remove <@user>",), _curator, commands.curator, replies.curator),
    Subcommand(
        "curators-channel",
        ("/rollout curators-channel <#channel>",),
        _curators_channel,
        commands.curators_channel,
        replies.template("curators_channel"),
    ),
)
