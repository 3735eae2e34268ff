"""Zendesk tickets with their conversation, metrics and satisfaction ratings.

A ticket's times are drawn first (created, solved, comment times) and every
derived record is computed from them, so metrics always agree with the
comments and the status: replies count the agents' public comments, reply
and resolution minutes are differences of the stored timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox.population.context import Build
from sandbox.population.draw import chance, one_of, pick
from sandbox.population.model import Person, Staff
from sandbox.population.rates import (
    REOPEN_RATE,
    SATISFACTION_RATE,
    SATISFACTION_SCORES,
    STATUS_BY_AGE,
    TICKET_CHANNEL,
    TICKET_PRIORITY,
    TICKET_TYPE,
    TICKETS_PER_USER,
)
from sandbox.population.support import Issue, draw_issue, first_message
from sandbox.population.timeline import whole_seconds
from sandbox.population.vocabulary import AGENT_REPLIES, INTERNAL_NOTES, RATING_COMMENTS, REQUESTER_FOLLOW_UPS

SOLVED_STATUSES = frozenset({"solved", "closed"})
MAX_TICKET_DAYS = 14
DAYS_UNTIL_CLOSED = 4  # Zendesk closes solved tickets after a few days
INTERNAL_NOTE_RATE = 0.15
BUSINESS_SHARE = (0.25, 0.6)  # business minutes as a share of calendar minutes


@dataclass(frozen=True, slots=True)
class Requester:
    """An end-user record tickets are raised by (a person may have two)."""

    user_id: int
    person: Person
    organization_id: int | None
    created: datetime


@dataclass(frozen=True, slots=True)
class Comment:
    author_id: int
    body: str
    public: bool
    at: datetime
    by_agent: bool


def render_tickets(build: Build, requesters: list[Requester], product_area_field: int) -> None:
    """0–5 tickets per end-user record, in user order."""
    for requester in requesters:
        for _ in range(pick(build.rng, TICKETS_PER_USER)):
            _ticket(build, requester, product_area_field)


def _ticket(build: Build, requester: Requester, product_area_field: int) -> None:
    rng, timeline, zendesk = build.rng, build.timeline, build.world.zendesk
    requester_id, person = requester.user_id, requester.person
    created = whole_seconds(timeline.since(rng, requester.created))
    status = _status_for_age((timeline.latest - created).total_seconds() / 86400, build)
    issue = draw_issue(rng)
    agent = one_of(rng, build.cast.support) if status != "new" else None
    solved_at = None
    if status in SOLVED_STATUSES:
        solved_at = whole_seconds(
            timeline.between(rng, created + timedelta(minutes=10), created + timedelta(days=MAX_TICKET_DAYS))
        )
    comments = _conversation(build, issue, person, requester_id, agent, created, solved_at, status)
    updated = max(comment.at for comment in comments)
    if solved_at:
        updated = max(updated, solved_at)
    if status == "closed":
        closing = updated + timedelta(days=DAYS_UNTIL_CLOSED)
        updated = whole_seconds(timeline.between(rng, closing, closing + timedelta(days=1)))
    ticket_id = build.world.ids.zendesk("tickets")
    channel = pick(rng, TICKET_CHANNEL)
    rating = _rating(build, ticket_id, requester_id, agent, solved_at) if solved_at and agent else None
    if rating:
        updated = max(updated, rating["updated_at"])
    zendesk["tickets"].append({
        "id": ticket_id,
        "subject": issue.subject,
        "description": comments[0].body,
        "status": status,
        "priority": pick(rng, TICKET_PRIORITY),
        "type": pick(rng, TICKET_TYPE),
        "requester_id": requester_id,
        "submitter_id": agent.zd_user_id if agent and channel == "voice" else requester_id,
        "assignee_id": agent.zd_user_id if agent else None,
        "organization_id": requester.organization_id,
        "tags": issue.tags + (["vip"] if chance(rng, 0.03) else []),
        "custom_fields": [{"id": product_area_field, "value": issue.area}],
        "via": {"channel": channel},
        "external_id": None,
        "created_at": created,
        "updated_at": updated,
    })
    for comment in comments:
        zendesk["ticket_comments"].append({
            "id": build.world.ids.zendesk("ticket_comments"), "ticket_id": ticket_id, "author_id": comment.author_id,
            "body": comment.body, "public": comment.public, "created_at": comment.at,
        })
    if rating:
        zendesk["satisfaction_ratings"].append(rating)
    zendesk["ticket_metrics"].append(_metrics(build, ticket_id, comments, created, solved_at, updated))
    build.truth("zendesk", "tickets", ticket_id, person.key, person.company.key)


def _status_for_age(age_days: float, build: Build) -> str:
    for max_age, statuses in STATUS_BY_AGE:
        if age_days <= max_age:
            return pick(build.rng, statuses)
    return "closed"


def _conversation(
    build: Build, issue: Issue, person: Person, requester_id: int, agent: Staff | None,
    created: datetime, solved_at: datetime | None, status: str,
) -> list[Comment]:
    rng, timeline = build.rng, build.timeline
    opening = Comment(requester_id, first_message(rng, issue, person.first), True, created, False)
    if agent is None:
        return [opening]
    end = solved_at or min(timeline.latest, created + timedelta(days=MAX_TICKET_DAYS))
    times = sorted(whole_seconds(timeline.between(rng, created, end)) for _ in range(rng.randint(1, 4)))
    if solved_at:
        times[-1] = solved_at  # the solving reply
    comments = [opening]
    for index, moment in enumerate(times):
        last = index == len(times) - 1
        by_agent = index % 2 == 0 or (last and status in {"solved", "closed", "pending"})
        if by_agent:
            internal = 0 < index and not last and chance(rng, INTERNAL_NOTE_RATE)
            body = one_of(rng, INTERNAL_NOTES if internal else AGENT_REPLIES)
            comments.append(Comment(agent.zd_user_id, body, not internal, moment, True))
        else:
            comments.append(Comment(requester_id, one_of(rng, REQUESTER_FOLLOW_UPS), True, moment, False))
    return comments


def _rating(build: Build, ticket_id: int, requester_id: int, agent: Staff | None, solved_at: datetime) -> dict[str, Any] | None:
    rng = build.rng
    if not chance(rng, SATISFACTION_RATE) or agent is None:
        return None
    score = pick(rng, SATISFACTION_SCORES)
    created = whole_seconds(build.timeline.between(rng, solved_at, solved_at + timedelta(days=3)))
    return {
        "id": build.world.ids.zendesk("satisfaction_ratings"), "ticket_id": ticket_id, "requester_id": requester_id,
        "assignee_id": agent.zd_user_id, "score": score,
        "comment": one_of(rng, RATING_COMMENTS[score]),
        "created_at": created, "updated_at": created,
    }


def _metrics(
    build: Build, ticket_id: int, comments: list[Comment], created: datetime, solved_at: datetime | None, updated: datetime
) -> dict[str, Any]:
    rng = build.rng
    agent_replies = [comment for comment in comments if comment.by_agent and comment.public]
    reopens = 1 if solved_at and len(comments) > 2 and chance(rng, REOPEN_RATE) else 0
    first_solved = comments[-2].at if reopens else solved_at  # a reopened ticket was first solved one reply earlier
    business_share = rng.uniform(*BUSINESS_SHARE)  # one working-hours pattern per ticket keeps first <= full
    return {
        "id": build.world.ids.zendesk("ticket_metrics"),
        "ticket_id": ticket_id,
        "replies": len(agent_replies),
        "reopens": reopens,
        "reply_time_in_minutes": _minutes(created, agent_replies[0].at if agent_replies else None, business_share),
        "first_resolution_time_in_minutes": _minutes(created, first_solved, business_share),
        "full_resolution_time_in_minutes": _minutes(created, solved_at, business_share),
        "solved_at": solved_at,
        "created_at": created,
        "updated_at": updated,
    }


def _minutes(start: datetime, end: datetime | None, business_share: float) -> dict[str, int | None]:
    if end is None:
        return {"calendar": None, "business": None}
    calendar = int((end - start).total_seconds() // 60)
    return {"calendar": calendar, "business": int(calendar * business_share)}
