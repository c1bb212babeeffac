"""Probe scheduling: counts per day, spread across sites, next fire times."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from probes.schedule import DAY, load_per_bucket, next_fire_times, probe_offsets
from probes.window import CHINA

SITES = [f"site-{i:04d}" for i in range(2000)]


@pytest.mark.parametrize("per_day", [20, 24, 96, 288])
def test_exact_count_and_bounded_gaps(per_day: int) -> None:
    plan = probe_offsets(SITES[:50], per_day=per_day, seed=7)
    interval = DAY / per_day
    for offsets in plan.values():
        assert len(offsets) == per_day
        assert all(0 <= o < DAY for o in offsets)
        assert offsets == sorted(offsets)
        gaps = [b - a for a, b in itertools.pairwise(offsets)]
        gaps.append(offsets[0] + DAY - offsets[-1])  # across midnight
        # jitter of 10 % of the interval, centred: gaps within +-10 %
        assert min(gaps) >= 0.9 * interval - 1e-6
        assert max(gaps) <= 1.1 * interval + 1e-6


def test_2000_sites_spread_over_minutes() -> None:
    plan = probe_offsets(SITES, per_day=24, seed="2026-11")
    counts = load_per_bucket(plan, bucket=60)
    total = sum(counts)
    assert total == 2000 * 24
    mean = total / len(counts)  # 33.3 probes a minute
    # one probe per slot per round: every minute holds the mean, +-1
    assert mean - 2 <= min(counts) <= max(counts) <= mean + 2, (min(counts), max(counts))


def test_spread_at_288_a_day() -> None:
    plan = probe_offsets(SITES, per_day=288, seed=1)
    counts = load_per_bucket(plan, bucket=60)
    mean = sum(counts) / len(counts)  # 400 a minute
    assert max(counts) <= mean + 2


def test_one_site_and_no_site() -> None:
    plan = probe_offsets(["only"], per_day=20, seed=0)
    assert len(plan["only"]) == 20
    assert probe_offsets([], seed=0) == {}


def test_sites_do_not_keep_the_same_neighbour() -> None:
    # jitter reshuffles neighbours from round to round
    plan = probe_offsets(SITES, per_day=24, seed=5)
    firsts = sorted(SITES, key=lambda s: plan[s][0])
    seconds = sorted(SITES, key=lambda s: plan[s][1])
    assert firsts != seconds


def test_deterministic_and_seeded() -> None:
    a = probe_offsets(SITES[:10], seed=3)
    assert a == probe_offsets(SITES[:10], seed=3)
    assert a != probe_offsets(SITES[:10], seed=4)
    assert list(a) == SITES[:10]  # input order kept


@pytest.mark.parametrize("per_day", [19, 0, 289])
def test_per_day_bounds(per_day: int) -> None:
    with pytest.raises(ValueError):
        probe_offsets(["a"], per_day=per_day, seed=0)


def test_next_fire_times_cross_midnight_in_china_time() -> None:
    offsets = [3600.0, 43200.0]  # 01:00 and 12:00 China time
    after = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # 13:00 China time
    got = next_fire_times(offsets, after=after, count=3)
    assert got == [
        datetime(2026, 11, 26, 1, 0, tzinfo=CHINA),
        datetime(2026, 11, 26, 12, 0, tzinfo=CHINA),
        datetime(2026, 11, 27, 1, 0, tzinfo=CHINA),
    ]
    # strictly after
    exact = datetime(2026, 11, 26, 1, 0, tzinfo=CHINA)
    assert next_fire_times(offsets, after=exact) == [exact + timedelta(hours=11)]


def test_next_fire_times_rejects_naive() -> None:
    with pytest.raises(ValueError):
        next_fire_times([0.0], after=datetime(2026, 11, 25))
