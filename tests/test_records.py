"""The shared vocabulary round-trips through its JSON form unchanged."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from govmon import records as r

CASES = [
    r.HomepageDetection(url="http://a/", newest=date(2026, 11, 2), navigation_only=True),
    r.ColumnDetection(
        url="http://a/gzdt/",
        name="工作动态",
        column_class=r.ColumnClass.NEWS,
        newest=date(2026, 11, 2),
        dates=(date(2026, 11, 2), date(2026, 10, 30)),
        unit="0101",
    ),
    r.LinkDetection(url="http://a/x.pdf", status=404, on_pages=("http://a/",), element=r.Element.A),
    r.PageDetection(url="http://a/", footer_missing=(r.FooterMarker.ICP,), tags_missing=("SiteName",)),
    r.UnknownDetection(url="http://a/waf", reason=r.UnknownReason.BLOCKED, status=412),
    r.AvailabilityDetection(url="http://a/", window_end=datetime(2026, 11, 25, tzinfo=UTC)),
    r.ManualFinding(url="", rule="AJ-NOTIFIED", on=date(2026, 11, 1), note="市通报"),
]


@pytest.mark.parametrize("record", CASES, ids=lambda d: d.KIND.value)
def test_detection_round_trip(record: r.Detection) -> None:
    data = r.to_dict(record)
    assert data["kind"] == record.KIND.value
    assert r.detection_from_dict(data) == record


def test_column_class_is_named_class_in_json() -> None:
    data = r.to_dict(CASES[1])
    assert data["class"] == "news" and "column_class" not in data


def test_unknown_field_is_an_error_naming_it() -> None:
    with pytest.raises(KeyError, match="colour"):
        r.detection_from_dict({"kind": "page", "url": "x", "colour": "red"})


def test_every_kind_has_a_record_class() -> None:
    assert set(r.detection_kinds()) == set(r.DetectionKind)


def test_fingerprint_follows_identity_not_state() -> None:
    a = r.ColumnDetection(url="http://a/c/", name="通知公告", newest=date(2026, 1, 1))
    b = r.ColumnDetection(url="http://a/c/", name="通知公告", newest=date(2026, 2, 1))
    assert a.fingerprint() == b.fingerprint()
