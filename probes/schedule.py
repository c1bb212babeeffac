"""Probe scheduling maths: when in the day each site is probed (pure).

The inspection probes at least 20 times a day "at intervals".  Thousands of
sites probed from one machine must not fire together (a burst would measure our
own queueing, not the sites), and one site's probes should not fall on the same
second every day (a nightly cron restart would be always hit or always missed).
So each site gets:

* a slot of its own in every probe round: a round is one interval (a day /
  ``per_day``) cut into one slot per site, sites ranked by a seeded hash;
* jitter that keeps the spread: in each round the ranks are shuffled inside
  blocks of neighbours no wider than ``jitter`` × interval, and the probe moves
  a little inside its slot.  Every slot still holds exactly one probe per round
  (so any minute holds the mean number of probes, ±1), each site's gaps stay
  within ``interval × (1 ± jitter)``, and the count per day is exact.

Offsets are seconds into the local day (China time by default).  The plan is a
pure function of (site ids, per_day, seed): the scheduler recomputes it when the
set of sites changes (adding a site may shift the others' phases, by design:
that keeps the spread even).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import datetime, time, timedelta, tzinfo
from typing import TypeVar

from probes.window import CHINA

DAY = 86_400.0
#: The inspection's minimum, and one probe every 5 minutes at most.
MIN_PER_DAY = 20
MAX_PER_DAY = 288

K = TypeVar("K", bound=Hashable)


def _rank_key(seed: str | int, site_id: Hashable) -> str:
    return hashlib.sha256(f"{seed}\x1f{site_id}".encode()).hexdigest()


def probe_offsets(
    site_ids: Iterable[K],
    *,
    per_day: int = 24,
    seed: str | int,
    jitter: float = 0.1,
) -> dict[K, list[float]]:
    """Seconds into the day of each site's probes, sorted, ``per_day`` per site."""
    if not MIN_PER_DAY <= per_day <= MAX_PER_DAY:
        raise ValueError(f"per_day must be between {MIN_PER_DAY} and {MAX_PER_DAY}, "
                         f"not {per_day}")
    if not 0.0 <= jitter < 1.0:
        raise ValueError("jitter must be in [0, 1): a fraction of the interval")
    ids = list(dict.fromkeys(site_ids))
    n = len(ids)
    if n == 0:
        return {}
    interval = DAY / per_day
    slot = interval / n  # each probe round has one slot per site
    half = jitter * interval / 2
    block = max(1, int(half // slot))  # a site moves at most block-1 slots
    ranked = sorted(ids, key=lambda s: _rank_key(seed, s))
    site_rngs = [random.Random(_rank_key(seed, s)) for s in ranked]
    plan: dict[K, list[float]] = {s: [] for s in ranked}
    for k in range(per_day):
        # a permutation of the ranks inside blocks of ``block`` neighbours:
        # still one probe per slot in this round, each site moved a little
        order = list(range(n))
        if block > 1:
            round_rng = random.Random(f"{seed}\x1fround{k}")
            for b in range(0, n, block):
                chunk = order[b : b + block]
                round_rng.shuffle(chunk)
                order[b : b + block] = chunk
        for position, rank in enumerate(order):
            wiggle = (site_rngs[rank].random() - 0.5) * min(slot, half)
            at = k * interval + (position + 0.5) * slot + wiggle
            plan[ranked[rank]].append(at % DAY)
    for offsets in plan.values():
        offsets.sort()
    return {s: plan[s] for s in ids}


def load_per_bucket(plan: Mapping[K, Sequence[float]], *, bucket: float = 60.0) -> list[int]:
    """Probes starting in each ``bucket``-second slice of the day (for checks and
    capacity planning: the maximum is the burst the machine must absorb)."""
    counts = [0] * int(-(-DAY // bucket))
    for offsets in plan.values():
        for off in offsets:
            counts[int(off // bucket)] += 1
    return counts


def next_fire_times(
    offsets: Sequence[float],
    *,
    after: datetime,
    count: int = 1,
    tz: tzinfo = CHINA,
) -> list[datetime]:
    """The next ``count`` instants strictly after ``after`` given a site's
    offsets into the local day, as aware datetimes in ``tz``."""
    if after.tzinfo is None:
        raise ValueError("after must be an aware datetime")
    if not offsets or count <= 0:
        return []
    ordered = sorted(offsets)
    local = after.astimezone(tz)
    day = local.date()
    out: list[datetime] = []
    while len(out) < count:
        midnight = datetime.combine(day, time(0), tz)
        for off in ordered:
            at = midnight + timedelta(seconds=off)
            if at > after:
                out.append(at)
                if len(out) == count:
                    break
        day += timedelta(days=1)
    return out
