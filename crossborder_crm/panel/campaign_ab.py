"""A campaign's A/B test of subjects as the panel shows it: the two subjects, the sample, when it is decided
(or the decision and its scores), and each group's results; and whether the seller counts opens and clicks."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.campaigns.ab_test import REST, A, B, hold_until
from crossborder_crm.campaigns.models import Campaign
from crossborder_crm.campaigns.results import Breakdown, Results
from crossborder_crm.db import Database

GROUPS = (A, B, REST)


def seller_tracks(db: Database, seller_id: int) -> bool:
    """Whether the seller counts opens and clicks (an A/B test may then be decided by them)."""
    with db.reading() as s:
        return bool(s.scalar(select(Seller.track_engagement).where(Seller.id == seller_id)))


@dataclass(frozen=True)
class GroupResult:
    """One group's emails sent, opened and clicked by people, and attributed orders."""

    key: str
    sent: int
    opened: int
    clicked: int
    orders: int


@dataclass(frozen=True)
class AbSummary:
    """What the campaign page says about its A/B test."""

    language: str
    subject_a: str
    subject_b: str
    other_languages: int  # further versions with a second subject of their own
    sample_percent: int
    decide_after_hours: int
    metric: str
    decide_at: datetime | None  # launched, not decided yet
    winner: str | None = None
    decided_at: datetime | None = None
    scores: list[tuple[str, int, int]] = field(default_factory=list)  # (group, hits, sent)
    groups: list[GroupResult] = field(default_factory=list)  # launched only
    waiting: int = 0
    tracking: bool = False


def ab_summary(campaign: Campaign, results: Results | None, now: datetime) -> AbSummary | None:
    """The campaign's A/B test for its page, or None when it has none."""
    ab = (campaign.details or {}).get("ab")
    if not ab:
        return None
    content = campaign.content or {}
    language = content.get("language", "")
    subject_b = ab.get("subject_b") or {}
    decided = ab.get("decided") or {}
    launched = campaign.launched_at is not None
    summary = dict(
        language=language, subject_a=((content.get("versions") or {}).get(language) or {}).get("subject", ""),
        subject_b=subject_b.get(language, ""), other_languages=len(set(subject_b) - {language}),
        sample_percent=ab.get("sample_percent", 20), decide_after_hours=ab.get("decide_after_hours", 24),
        metric=ab.get("metric", "orders"),
        decide_at=hold_until(ab, campaign.launched_at, now) if launched and not decided else None)
    if decided:
        summary.update(winner=decided.get("winner"),
                       decided_at=datetime.fromisoformat(decided["at"]) if decided.get("at") else None,
                       scores=[(g, *(decided.get("scores") or {}).get(g, (0, 0))) for g in (A, B)])
    if results is not None:
        summary.update(waiting=results.statuses.get("waiting", 0), tracking=results.tracking,
                       groups=[GroupResult(g, p.sent, p.opened, p.clicked, p.orders)
                               for g in GROUPS for p in [results.by_variant.get(g) or Breakdown()]])
    return AbSummary(**summary)
