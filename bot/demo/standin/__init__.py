"""A Slack stand-in on loopback, for the tests, the demo and the benchmarks.

- `server.py`: `SlackStandIn`, the Web API's HTTP server: it records every call, can be
  told to fail the next calls of a method (`faults.py`) and enforces Slack's limits;
- `web_api.py`: the answers of the methods the bot calls, the way Slack gives them;
- `sign_in.py`: Sign in with Slack (OpenID Connect);
- `socket_mode.py`: Socket Mode's WebSocket server;
- `workspace.py`: the ids, channels and users Slack knows;
- `slack_requests.py`: Slack's requests to the bot (signed commands, clicks, events).
"""
