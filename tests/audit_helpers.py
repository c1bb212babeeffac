"""Auditing a generated portal end to end, shared by the end-to-end test modules:
serve the portal and its "external" server on 127.0.0.1, run the real
``audit_site`` (crawl in a child process), keep the truth beside the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from govmon.audit import AuditOptions, Report, audit_site
from govmon.records import Event, EventType
from govmon.sitegen.build import build_portal
from govmon.sitegen.model import GroundTruth, PortalSpec, absolute
from govmon.sitegen.server import serve

AS_OF = date(2026, 11, 25)
AS_OF_INSTANT = datetime(2026, 11, 25, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclass(frozen=True, slots=True)
class Audited:
    truth: GroundTruth
    base: str
    report: Report

    def url(self, site_relative: str) -> str:
        return absolute(self.base, site_relative)

    def of(self, kind: type) -> list[Any]:
        return [d for d in self.report.detections if isinstance(d, kind)]

    def vetoes(self, prefix: str) -> list[Event]:
        return [e for e in self.report.events if e.type is EventType.VETO and e.rule.startswith(prefix)]


def audit_generated(make: Callable[..., PortalSpec], **options: Any) -> Audited:
    """Audit the portal ``make(AS_OF, external_base=...)`` with short timeouts;
    ``options`` override :class:`AuditOptions` fields."""
    with serve(None) as external:
        portal = build_portal(make(AS_OF, external_base=external))
        truth = portal.truth
        with serve(portal) as base:
            settings = {"as_of": AS_OF_INSTANT, "timeout": 5, "recheck_delay": 0.2, **options}
            report = audit_site(base + "/", AuditOptions(**settings), name=truth.site_name,
                                site_code=truth.site_code, deny_hosts=tuple(truth.unfetchable_hosts))
    return Audited(truth=truth, base=base, report=report)
