"""A/B test of subjects: which group each recipient is in, when the rest may go, and the winner.

A stable hash of (campaign, buyer) puts `sample_percent` of the recipients in the test, half A and
half B; the rest wait until the test is decided and then get the better subject. Pure functions."""
from __future__ import annotations

import zlib
from datetime import datetime, timedelta

A, B, REST = "a", "b", "rest"


def group(campaign_id: int, buyer_id: int, sample_percent: int) -> str:
    """a, b or rest, the same on every relaunch."""
    bucket = zlib.crc32(f"{campaign_id}:{buyer_id}".encode()) % 100
    if bucket < sample_percent / 2:
        return A
    return B if bucket < sample_percent else REST


def hold_until(ab: dict, launched_at: datetime | None, now: datetime) -> datetime | None:
    """Until when the rest wait (None once decided): the launch plus the test's hours."""
    if ab.get("decided"):
        return None
    return (launched_at or now) + timedelta(hours=ab["decide_after_hours"])


def subject_of(grp: str | None, ab: dict | None) -> str:
    """Which subject a message carries when planned: B for group B, the winner's for the rest once decided."""
    if ab is None or grp is None:
        return A
    if grp == REST:
        return (ab.get("decided") or {}).get("winner", A)
    return grp


def winner(scores: dict[str, tuple[int, int]]) -> str:
    """The group with the better rate (hits per sent email); A on a tie or when nothing was sent."""
    def rate(g: str) -> float:
        hits, sent = scores.get(g, (0, 0))
        return hits / sent if sent else 0.0
    return B if rate(B) > rate(A) else A
