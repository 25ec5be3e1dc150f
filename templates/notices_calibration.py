"""The messages of a calibration set (docs/playbooks.md, "Calibration"): one typed
function per message, rendering its template with exactly the names it declares."""

from __future__ import annotations

from templates import render
from templates.notices import Payload


def waits(*, slug: str, step: str, why: str, standing: str) -> Payload:
    """To the owner, once: a promotion to ai-led waits for the step's calibration."""
    return render("calibration_waits", **locals())
