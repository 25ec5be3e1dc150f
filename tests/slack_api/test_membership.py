"""Team membership is Slack's: a change that reaches one process reaches every process."""

from bot.app import create_app
from bot.demo.standin.workspace import BOT_USER
from bot.http_server import InThread
from bot.web import make_asgi
from storage.store import Store
from tests.conftest import CHANNEL, MEMBER, SlackRequests, settings_for
from tests.handlers.test_commands import row_counts


def _another_process(database_url, slack, engine, clock) -> SlackRequests:
    """A second web process on the same database: its own app, store and team lists."""
    app = create_app(settings_for(database_url, slack), Store(engine), clock=clock)
    return SlackRequests(InThread(make_asgi(app, Store(engine), clock)).start().url)


def test_a_member_who_left_is_refused_by_every_process_at_once(bot, playbook, slack, database_url, engine, clock):
    other = _another_process(database_url, slack, engine, clock)
    assert "Recorded" in other.command("kpi support-replies 18", user=MEMBER).text  # it has read the team
    slack.workspace.channels[CHANNEL].remove(MEMBER)
    assert bot.event({"type": "member_left_channel", "user": MEMBER, "channel": CHANNEL}).status == 200
    before = row_counts(engine)
    reply = other.command("kpi support-replies 19", user=MEMBER)  # the event reached the first process only
    assert "Recorded" not in reply.text and "members of" in reply.text, reply.text
    assert row_counts(engine) == before


def test_a_member_who_joined_is_accepted_by_every_process_at_once(bot, playbook, slack, database_url, engine, clock):
    other = _another_process(database_url, slack, engine, clock)
    newcomer = "UNEWCOMER1"
    slack.add_user(newcomer)
    assert "Recorded" not in other.command("kpi support-replies 18", user=newcomer).text
    slack.workspace.channels[CHANNEL].append(newcomer)
    assert bot.event({"type": "member_joined_channel", "user": newcomer, "channel": CHANNEL}).status == 200
    assert "Recorded" in other.command("kpi support-replies 19", user=newcomer).text


def test_the_bot_removed_from_the_team_channel_pauses_its_playbooks(bot, playbook, slack, store):
    """Bolt's authorization gives each request the bot's own user id (auth.test's, bot/app.py
    _BotToken): the bot leaving the channel is told apart from a member leaving it."""
    assert bot.event({"type": "member_left_channel", "user": BOT_USER, "channel": CHANNEL}).status == 200
    state = store.playbooks.state("support-replies")
    assert state.playbook.status == "paused" and "not_in_channel" in state.playbook.status_reason
