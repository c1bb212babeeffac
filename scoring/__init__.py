"""Rule profiles turned into veto / deduction / bonus / warning events.

The public API, for the CLI (``govmon audit/run/score``) and the notices:

- :func:`load_profile`, :func:`list_profiles` — validated indicator profiles;
- :func:`evaluate` — detections + profile + as-of → events (pure);
- :func:`score` — events + profile → :class:`govmon.records.Score` (site and units);
- :class:`WorkCalendar` — Chinese working days with a user holidays file;
- :func:`load_manual_findings` — imported findings for the manual rules.
"""

from __future__ import annotations

from scoring.calendar import WorkCalendar
from scoring.engine import evaluate, score
from scoring.manual import load_manual_findings
from scoring.profiles import Profile, Rule, list_profiles, load_profile

__all__ = [
    "Profile",
    "Rule",
    "WorkCalendar",
    "evaluate",
    "list_profiles",
    "load_manual_findings",
    "load_profile",
    "score",
]
