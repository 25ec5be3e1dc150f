"""Wiring: settings, the Bolt app, the HTTP server, the CLI."""
