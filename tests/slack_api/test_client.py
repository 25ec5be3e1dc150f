"""The request path's Slack clients: one per request, each with its own budget."""

from slack_api.client import RolloutWebClient, request_client


def test_each_request_gets_a_client_of_its_own():
    """Copied from one kept per token and URL: what a request sets on its client (its
    deadline, the timeout it shrinks, the hook before an effect) is never another's."""
    first = request_client("xoxb-1", "http://127.0.0.1:9/api/", budget=1.0, before_effect=lambda: None)
    second = request_client("xoxb-1", "http://127.0.0.1:9/api/", budget=5.0)
    assert isinstance(first, RolloutWebClient) and first is not second
    first.timeout = 0.2  # as RolloutWebClient.api_call does on the way to its deadline
    assert second.timeout == 5 and second.before_effect is None and second.deadline > first.deadline
    other = request_client("xoxb-2", "http://127.0.0.1:9/api/")
    assert (first.token, other.token) == ("xoxb-1", "xoxb-2")
