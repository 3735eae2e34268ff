"""Seed timestamps: all in the past, millisecond-precise, ordered the way vendors order them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sandbox.population.draw import chance, moment_between
from sandbox.population.rates import HISTORY_DAYS, SAFETY_MARGIN_SECONDS

UNCHANGED_SINCE_CREATION_RATE = 0.3


@dataclass(frozen=True, slots=True)
class Timeline:
    """The window seed records live in: [earliest, latest], with latest safely before `now`."""

    now: datetime
    earliest: datetime
    latest: datetime

    @classmethod
    def ending(cls, now: datetime) -> Timeline:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        now = now.astimezone(UTC)
        latest = truncate_ms(now - timedelta(seconds=SAFETY_MARGIN_SECONDS))
        return cls(now=now, earliest=latest - timedelta(days=HISTORY_DAYS), latest=latest)

    @property
    def today(self) -> date:
        return self.latest.date()

    def between(self, rng: random.Random, start: datetime, end: datetime) -> datetime:
        """A moment in [start, end], clamped into the window."""
        start, end = max(start, self.earliest), min(end, self.latest)
        return moment_between(rng, min(start, end), end)

    def since(self, rng: random.Random, start: datetime) -> datetime:
        return self.between(rng, start, self.latest)

    def modified(self, rng: random.Random, created: datetime) -> datetime:
        """When a record was last changed: often never since creation, otherwise any time after."""
        return created if chance(rng, UNCHANGED_SINCE_CREATION_RATE) else self.since(rng, created)

    def salesforce_stamps(self, rng: random.Random, created: datetime, modified: datetime | None = None) -> dict[str, datetime]:
        """CreatedDate <= LastModifiedDate <= SystemModstamp (system jobs bump only the modstamp)."""
        last_modified = modified if modified is not None else self.modified(rng, created)
        modstamp = last_modified if chance(rng, 0.8) else self.since(rng, last_modified)
        return {"CreatedDate": created, "LastModifiedDate": last_modified, "SystemModstamp": modstamp}

    def days_ago(self, days: float) -> datetime:
        return self.latest - timedelta(days=days)


def truncate_ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def whole_seconds(moment: datetime) -> datetime:
    """Zendesk keeps whole seconds."""
    return moment.replace(microsecond=0)


def hubspot_timestamp(moment: datetime) -> str:
    """HubSpot's property format: ISO 8601, milliseconds, Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def hubspot_date(day: date) -> str:
    """HubSpot date-valued properties (closedate) come back as midnight UTC."""
    return f"{day.isoformat()}T00:00:00.000Z"
