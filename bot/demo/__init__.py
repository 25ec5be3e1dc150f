"""`rollout demo`: a story told over the real app against a Slack stand-in (story.py,
its cast and numbers in cast.py, standin/), written out as a transcript (with
templates/terminal.py) and a page (page.py)."""
