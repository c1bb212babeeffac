"""Rule profiles turned into veto / deduction / bonus / warning events.

The public API, for the CLI (``govmon audit/run/score``) and the notices:

- :func:`load_profile`, :func:`list_profiles` — validated indicator profiles;
- :func:`evaluate` — detections + profile + as-of → events (pure);
- :func:`score` — events + profile → :class:`govmon.records.Score` (site and units);
- :class:`WorkCalendar` — Chinese working days with a user holidays file;
- :func:`load_manual_findings` — imported findings for the manual rules.

The names are imported on first use (PEP 562): ``govmon audit`` loads its
profile before it starts the crawl, and the engine's import (0.2 s) then runs
while the crawl child starts instead of before it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scoring.calendar import WorkCalendar
    from scoring.engine import evaluate, score
    from scoring.manual import load_manual_findings
    from scoring.profiles import Profile, Rule, list_profiles, load_profile

_HOMES = {
    "Profile": "scoring.profiles",
    "Rule": "scoring.profiles",
    "WorkCalendar": "scoring.calendar",
    "evaluate": "scoring.engine",
    "list_profiles": "scoring.profiles",
    "load_manual_findings": "scoring.manual",
    "load_profile": "scoring.profiles",
    "score": "scoring.engine",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'scoring' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)

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
