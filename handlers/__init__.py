"""Slack listeners: parse the request, authorize, call the domain and storage, render, answer."""
