"""Slack listeners: parse the request, call one use case (usecases/), render what it returns, answer."""
