"""Outbound delivery that is not Slack's: the loop every outbound lane runs (lane.py,
which the Slack outbox's dispatcher in slack_api/ runs too) and the webhooks' lane, which
posts the decisions' events to other systems over HTTP (webhooks.py; what its HTTP and
sources/' share is http.py's). Decides nothing."""
