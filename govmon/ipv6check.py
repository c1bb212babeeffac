"""IPv6 support of a site (NAT-D-IPV6) as a detection, for audits and stored runs.

Its unknowns carry the site URL with a ``#ipv6`` fragment: they are about the
site, and must not mark the homepage as unobserved.

A site addressed by an IPv4 literal (a test server, an intranet address) has no
name to look up: nothing can be said of its IPv6 support, so that is unknown,
never "IPv6 not done"; so is a resolver that cannot answer.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

from govmon import records as r
from probes.ipv6 import AaaaResolver, check_ipv6, system_resolve_aaaa

log = logging.getLogger(__name__)


def _ipv4_literal(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host), ipaddress.IPv4Address)
    except ValueError:
        return False


async def ipv6_detection(url: str, detections: Sequence[r.Detection], *, timeout: float = 15.0,
                         resolve_aaaa: AaaaResolver = system_resolve_aaaa, concurrency: int = 8) -> r.Detection:
    """Check the homepage and the first-level columns over IPv6, ``concurrency``
    requests at a time (the site's politeness budget), in the crawl's event loop."""
    host = urlsplit(url).hostname or ""
    if _ipv4_literal(host):
        return r.UnknownDetection(url=url + "#ipv6", reason=r.UnknownReason.UNSUPPORTED,
                                  detail="IPv6: the site is addressed by an IPv4 literal, nothing to resolve")
    links = [d.url for d in detections if isinstance(d, r.ColumnDetection) and d.level == 1][:50]
    try:
        return await check_ipv6(url, resolve_aaaa=resolve_aaaa, links=links or None, timeout=timeout,
                                concurrency=concurrency)
    except OSError as exc:
        log.warning("IPv6 check of %s: resolver failed: %s", url, exc)
        return r.UnknownDetection(url=url + "#ipv6", reason=r.UnknownReason.NETWORK,
                                  detail=f"IPv6: the resolver could not answer ({type(exc).__name__})")
