"""The Slack adapters: the Web API client with Slack's pacing (client.py), who is on a
team (members.py), which workspace the bot serves (workspace.py), and the dispatcher that
delivers the outbox (dispatch.py). Nothing here decides anything; the application layer
(usecases/) and the wiring use them."""
