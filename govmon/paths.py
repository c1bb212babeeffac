"""Where govmon finds its bundled data (config/) and keeps the user's data."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import platformdirs

_PACKAGE = Path(__file__).resolve().parent


@cache
def config_dir() -> Path:
    """The bundled ``config/`` folder: ``govmon/_config`` in a wheel, ``./config``
    beside the packages in a checkout or editable install."""
    for candidate in (_PACKAGE / "_config", _PACKAGE.parent / "config"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("govmon's config/ data folder is missing from the installation")


def data_dir() -> Path:
    """The user's data directory (database, notices); ``GOVMON_HOME`` overrides it."""
    home = os.environ.get("GOVMON_HOME")
    path = Path(home) if home else Path(platformdirs.user_data_dir("govmon", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path
