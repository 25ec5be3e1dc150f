"""Slack listeners: parse the request, call one use case (bot/usecases/), render what it returns, answer."""
