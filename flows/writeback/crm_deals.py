"""A company's deals as the `crm_context` policy counts them: each real deal once, then won revenue and open pipeline.

Pure functions over `DealFact`s, so the rules (see `flows.writeback.crm_context`)
can be checked without a store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from mapping.vocabulary import DealStage
from store.crm_facts import DealFact

DealKey = tuple[str, date]


@dataclass(frozen=True, slots=True)
class Measured:
    """One measure's value and why it is that."""

    value: Any
    reason: str


@dataclass(frozen=True, slots=True)
class CountedDeal:
    """One real deal: the record that speaks for it, the amount it counts with, and its copies in other CRMs."""

    deal: DealFact
    amount: float | None
    copies: tuple[DealFact, ...] = ()


def same_deal_key(deal: DealFact) -> DealKey | None:
    """What a deal must share with its copy in another CRM: its name (case and spacing aside) and its close date."""
    if not deal.name or not deal.name.strip() or deal.close_date is None:
        return None
    return " ".join(deal.name.casefold().split()), deal.close_date


def count_once(deals: Sequence[DealFact], order: Sequence[str]) -> list[CountedDeal]:
    """Deals with each cross-CRM copy folded into the record of the CRM first in `order`.

    A deal pairs with at most one deal of each other CRM; two deals of one
    CRM are never folded (a CRM that holds a deal twice holds two deals).
    """
    rank = {system: index for index, system in enumerate(order)}
    ordered = sorted(deals, key=lambda d: (rank.get(d.system, len(rank)), d.source_id))
    groups: list[list[DealFact]] = []
    by_key: dict[DealKey, list[list[DealFact]]] = defaultdict(list)
    for deal in ordered:
        key = same_deal_key(deal)
        group = next((g for g in by_key[key] if all(d.system != deal.system for d in g)), None) if key else None
        if group is not None:
            group.append(deal)
            continue
        groups.append([deal])
        if key:
            by_key[key].append(groups[-1])
    return [CountedDeal(g[0], next((d.amount for d in g if d.amount is not None), None), tuple(g[1:])) for g in groups]


def deal_figures(deals: Sequence[CountedDeal], today: date, window_days: int, labels: Mapping[str, str]) -> dict[str, Measured]:
    """Won revenue in the window, open pipeline, open deal count and the stage of the largest open deal."""
    since = today - timedelta(days=window_days)
    won = [d for d in deals if d.deal.stage == DealStage.WON.value and d.deal.close_date is not None and since < d.deal.close_date <= today]
    opened = [d for d in deals if d.deal.stage == DealStage.OPEN.value]
    won_sum, open_sum = _total(won), _total(opened)
    priced = sorted((d for d in opened if d.amount is not None), key=lambda d: (-(d.amount or 0.0), d.deal.close_date or date.max, d.deal.source_id))
    largest = priced[0] if priced else None
    stage = labels.get(largest.deal.stage_raw or "", largest.deal.stage_raw) if largest else None
    return {
        "revenue": Measured(won_sum, f"won in {window_days} days: {_counted(won)}"),
        "open_pipeline": Measured(open_sum, f"open: {_counted(opened)}"),
        "open_deals": Measured(len(opened), f"open: {_counted(opened)}"),
        "largest_open_stage": Measured(
            stage,
            f"stage of {_ref(largest.deal)}, the largest open deal ({largest.amount:,.0f})" if largest else "no open deal with an amount",
        ),
    }


def _total(deals: Sequence[CountedDeal]) -> float:
    return float(sum(d.amount for d in deals if d.amount is not None))


def _counted(deals: Sequence[CountedDeal]) -> str:
    """`3 deals (1 held in both CRMs, counted once; 1 without an amount)`, for a reason."""
    notes = []
    if copies := sum(1 for d in deals if d.copies):
        notes.append(f"{copies} held in both CRMs, counted once")
    if unpriced := sum(1 for d in deals if d.amount is None):
        notes.append(f"{unpriced} without an amount")
    text = f"{len(deals)} deal{'' if len(deals) == 1 else 's'}"
    return f"{text} ({'; '.join(notes)})" if notes else text


def _ref(deal: DealFact) -> str:
    return f"{deal.system}:{deal.object}:{deal.source_id}"
