"""A team's people with their emails, as Slack gives them to an app granted
`users:read.email` (how a tool's usage records are matched to Slack people): absent from a
profile, or given empty, a person has none, never a guessed one."""

from slack_sdk import WebClient

from slack_api.members import TeamDirectory
from tests.conftest import BOT_TOKEN


def test_a_team_s_people_carry_the_emails_their_profiles_give(slack):
    slack.add_user("U0MAILED", name="Ada", email="ada@example.com")
    slack.add_user("U0NOMAIL", name="Bo")
    slack.add_channel("C0USAGE", ["U0MAILED", "U0NOMAIL"])
    client = WebClient(token=BOT_TOKEN, base_url=slack.url)
    team = TeamDirectory().teams(client, ["C0USAGE"])["C0USAGE"]
    assert team is not None
    assert {person.user_id: person.email for person in team} == {"U0MAILED": "ada@example.com", "U0NOMAIL": None}
