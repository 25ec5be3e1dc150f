"""`rollout demo`: a story told over the real app against a Slack stand-in (story.py,
standin.py), written out as a terminal transcript (terminal.py) and a page (page.py)."""
