"""The notice as JSON (``schema: govmon.notice/1``) for other systems."""

from __future__ import annotations

import json

from govmon.notices.model import NoticeData, to_plain


def render_json(data: NoticeData) -> str:
    """Stable JSON: field order of the records, UTF-8 kept readable, ISO dates."""
    return json.dumps(to_plain(data), ensure_ascii=False, indent=2) + "\n"
