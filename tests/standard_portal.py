"""The generator's ``standard`` portal, built once per test session and read
page by page without a server: the analysers are pure functions of url + html."""

from __future__ import annotations

from datetime import date
from functools import cache

from crawler.analysis.page import ParsedPage
from govmon.sitegen.build import Portal, build_portal
from govmon.sitegen.scenarios import standard

AS_OF = date(2026, 11, 25)
BASE = "http://127.0.0.1:8000"


@cache
def portal() -> Portal:
    return build_portal(standard(AS_OF))


def page(path: str) -> ParsedPage:
    """The portal's page at a site-relative ``path``, as if fetched from ``BASE``."""
    p = portal()
    return ParsedPage.parse(BASE + path, p.resources[path].body.decode(p.truth.encoding))
