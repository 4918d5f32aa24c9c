"""Figures for the statistics page: dossiers per day, procedure, province and channel, the
electronic share per province against the 2019 baseline, the satisfaction index, and the
dossiers whose citizen was not told the latest status."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake_service.baseline import Baseline
from intake_service.dossiers import LOCAL_TZ, DossierFilter, DossierService, local_day_start
from intake_service.models import Handoff, HandoffMessage, Rating, User

__all__ = ["ProvinceRow", "RatingStats", "StaffRow", "Stats", "compute"]


@dataclass(frozen=True)
class ProvinceRow:
    """One province on the statistics page."""

    province: str
    total: int
    electronic: int
    baseline: float | None

    @property
    def share(self) -> float:
        """Percent of this province's dossiers submitted electronically."""
        return 100.0 * self.electronic / self.total if self.total else 0.0


@dataclass(frozen=True)
class RatingStats:
    """Citizens' ratings in the period.

    Attributes:
        count: number of ratings.
        average: mean score (1–5), 0 when there is none.
        satisfied_share: percent of ratings of 4 or 5 (the satisfaction index).
        distribution: how many ratings gave 1, 2, 3, 4 and 5.
    """

    count: int
    average: float
    satisfied_share: float
    distribution: tuple[int, int, int, int, int]


@dataclass(frozen=True)
class StaffRow:
    """One staff member's work with the handoffs of the period.

    Attributes:
        name: the name the citizen reads (full name, else the account).
        claimed: conversations taken.
        replies: messages sent to citizens.
        median_claim_minutes: median wait of the citizens until this person took them.
        median_reply_minutes: median time from taking a conversation to the first reply.
    """

    name: str
    claimed: int
    replies: int
    median_claim_minutes: float | None
    median_reply_minutes: float | None


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass
class Stats:
    """Everything the statistics page shows for one period and filter."""

    date_from: date
    date_to: date
    per_day: list[tuple[date, int, int]] = field(default_factory=list)
    per_procedure: list[tuple[str, int, int]] = field(default_factory=list)
    per_province: list[ProvinceRow] = field(default_factory=list)
    per_channel: list[tuple[str, int]] = field(default_factory=list)
    per_status: list[tuple[str, int]] = field(default_factory=list)
    total: int = 0
    electronic: int = 0
    not_notified: int = 0
    national_baseline: float = 0.0
    ratings: RatingStats = RatingStats(0, 0.0, 0.0, (0, 0, 0, 0, 0))
    per_staff: list[StaffRow] = field(default_factory=list)

    @property
    def share(self) -> float:
        """Percent of all dossiers of the period submitted electronically."""
        return 100.0 * self.electronic / self.total if self.total else 0.0


def compute(service: DossierService, flt: DossierFilter, baseline: Baseline) -> Stats:
    """Counts the dossiers matching ``flt`` (whose dates must be set) and the ratings.

    Args:
        service: the dossier service (for its filter query and database).
        flt: the period and the optional procedure/province/channel/status filters.
        baseline: the 2019 figures per current province.
    """
    assert flt.date_from is not None and flt.date_to is not None
    matching = service.filtered(flt).subquery()
    query = select(
        matching.c.created_at,
        matching.c.procedure_id,
        matching.c.province,
        matching.c.channel,
        matching.c.status,
        matching.c.electronic,
    )
    days: dict[date, list[int]] = {}
    day = flt.date_from
    while day <= flt.date_to:
        days[day] = [0, 0]
        day += timedelta(days=1)
    procedures: dict[str, list[int]] = {}
    provinces: dict[str, list[int]] = {}
    channels: Counter[str] = Counter()
    status_counts: Counter[str] = Counter()
    stats = Stats(date_from=flt.date_from, date_to=flt.date_to)
    with service.db.session() as session:
        for created_at, procedure_id, province, channel, status, electronic in session.execute(
            query
        ):
            slot = 0 if electronic else 1
            days.setdefault(created_at.astimezone(LOCAL_TZ).date(), [0, 0])[slot] += 1
            procedures.setdefault(procedure_id, [0, 0])[slot] += 1
            provinces.setdefault(province or "", [0, 0])[slot] += 1
            channels[channel] += 1
            status_counts[status] += 1
            stats.total += 1
            stats.electronic += int(bool(electronic))
        stats.ratings = _ratings(session, flt)
        stats.per_staff = _staff(session, flt)
        not_notified = service.filtered(replace(flt, not_notified=True)).subquery()
        stats.not_notified = session.scalar(select(func.count()).select_from(not_notified)) or 0
    stats.per_day = [(d, e, p) for d, (e, p) in sorted(days.items())]
    stats.per_procedure = sorted(
        ((pid, e + p, e) for pid, (e, p) in procedures.items()), key=lambda r: -r[1]
    )
    stats.per_province = sorted(
        (
            ProvinceRow(name, e + p, e, baseline.share(name) if name else None)
            for name, (e, p) in provinces.items()
        ),
        key=lambda r: (-r.total, r.province),
    )
    stats.per_channel = channels.most_common()
    stats.per_status = status_counts.most_common()
    stats.national_baseline = baseline.national_share()
    return stats


def _staff(session: Session, flt: DossierFilter) -> list[StaffRow]:
    """Response times and workload per staff member, from the handoffs claimed in the period."""
    assert flt.date_from is not None and flt.date_to is not None
    start = local_day_start(flt.date_from)
    end = local_day_start(flt.date_to + timedelta(days=1))
    claims = session.execute(
        select(Handoff.id, Handoff.claimed_by, Handoff.created_at, Handoff.claimed_at).where(
            Handoff.claimed_at.is_not(None),
            Handoff.claimed_at >= start,
            Handoff.claimed_at < end,
        )
    ).all()
    first_replies = dict(
        session.execute(
            select(HandoffMessage.handoff_id, func.min(HandoffMessage.at))
            .where(
                HandoffMessage.author == "staff",
                HandoffMessage.handoff_id.in_([row[0] for row in claims] or [0]),
            )
            .group_by(HandoffMessage.handoff_id)
        ).all()
    )
    replies = Counter(
        dict(
            session.execute(
                select(HandoffMessage.staff_user, func.count())
                .where(
                    HandoffMessage.author == "staff",
                    HandoffMessage.at >= start,
                    HandoffMessage.at < end,
                )
                .group_by(HandoffMessage.staff_user)
            ).all()
        )
    )
    waits: dict[str, list[float]] = {}
    answers: dict[str, list[float]] = {}
    for handoff_id, who, created, claimed in claims:
        if claimed is None:
            continue
        waits.setdefault(who or "", []).append((claimed - created).total_seconds() / 60)
        first = first_replies.get(handoff_id)
        if first is not None:
            answers.setdefault(who or "", []).append(
                max(0.0, (first - claimed).total_seconds() / 60)
            )
    people = set(waits) | {str(name) for name in replies if name}
    names = dict(
        session.execute(select(User.username, User.full_name).where(User.username.in_(people)))
        .tuples()
        .all()
    )
    rows = [
        StaffRow(
            name=(names.get(person) or "").strip() or person or "—",
            claimed=len(waits.get(person, [])),
            replies=replies.get(person, 0),
            median_claim_minutes=_median(waits.get(person, [])),
            median_reply_minutes=_median(answers.get(person, [])),
        )
        for person in people
    ]
    return sorted(rows, key=lambda row: (-row.claimed, -row.replies, row.name))


def _ratings(session: Session, flt: DossierFilter) -> RatingStats:
    assert flt.date_from is not None and flt.date_to is not None
    query = select(Rating.score).where(
        Rating.created_at >= local_day_start(flt.date_from),
        Rating.created_at < local_day_start(flt.date_to + timedelta(days=1)),
    )
    if flt.channel:
        query = query.where(Rating.channel == flt.channel)
    scores = list(session.scalars(query))
    counts = Counter(scores)
    distribution = (counts[1], counts[2], counts[3], counts[4], counts[5])
    if not scores:
        return RatingStats(0, 0.0, 0.0, distribution)
    satisfied = counts[4] + counts[5]
    return RatingStats(
        count=len(scores),
        average=sum(scores) / len(scores),
        satisfied_share=100.0 * satisfied / len(scores),
        distribution=distribution,
    )
