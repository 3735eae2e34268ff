"""Time stamps and scalar values the way HubSpot writes and reads them.

HubSpot answers with ISO-8601 instants carrying milliseconds and `Z`, and
accepts instants either as epoch milliseconds or as ISO strings (search
filters on date properties are usually epoch milliseconds).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso_ms(moment: datetime) -> str:
    """`2024-05-01T12:00:00.123Z`: HubSpot's stamp format."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_instant(value: object) -> datetime | None:
    """An instant from epoch milliseconds (int or digit string), an ISO string or a date; None if unreadable."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return EPOCH + timedelta(milliseconds=float(value))
    text = str(value).strip()
    if not text:
        return None
    if text.lstrip("-").isdigit():
        return EPOCH + timedelta(milliseconds=float(text))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def epoch_ms(value: object) -> float | None:
    """Epoch milliseconds of an instant given any way `parse_instant` reads, else None."""
    instant = parse_instant(value)
    if instant is None:
        return None
    return (instant - EPOCH).total_seconds() * 1000


def to_number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def parse_bool(value: str | None, default: bool = False) -> bool:
    """Query flags: the SDK sends `False`/`True`, browsers and curl `false`/`true`."""
    if value is None or value == "":
        return default
    return value.strip().lower() in {"true", "1", "yes"}

