"""`loophub resolve`, `profiles`, `review`, `link` and `unlink`: golden records and the admin's say over them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from loophub.cli.context import console, state
from loophub.errors import ErrorKind, LoopError

if TYPE_CHECKING:
    from identity.resolve import ResolveReport

profiles_app = typer.Typer(help="Golden people and companies: show one, or explain why its records belong together.", no_args_is_help=True)
review_app = typer.Typer(help="Uncertain pairs waiting for a decision: accept links them, reject keeps them apart.", no_args_is_help=True)

EntityOption = Annotated[str, typer.Option("--entity", "-e", help="person or company", show_default=True)]


class NotFound(LoopError):
    kind = ErrorKind.CONFIG


def resolve_command(
    ctx: typer.Context,
    full: Annotated[bool, typer.Option("--full", help="Re-gather all evidence, not only for changed records.")] = False,
    retrain: Annotated[bool, typer.Option("--retrain", help="Train the probabilistic models again before resolving.")] = False,
) -> None:
    """Merge canonical people and companies into golden records (incremental; persistent IDs)."""
    from identity.resolve import resolve

    cli = state(ctx)
    with console.status("resolving companies, then people…"):
        report = resolve(cli.engine(), cli.config().identity, full=full, retrain=retrain)
    console.print(_report_table(report))
    for entity, counts in report.entities.items():
        for golden_id in counts.oversized:
            console.print(f"[yellow]alarm:[/] {entity} {golden_id} is larger than the configured limit; check it with `loophub profiles explain {golden_id}`")


def _report_table(report: ResolveReport) -> Table:
    table = Table(title=f"resolve ({'full' if report.full else 'incremental'})")
    for column in ("entity", "records", "changed", "golden", "created", "merged", "split", "IDs kept", "evidence", "review open", "model"):
        table.add_column(column, justify="left" if column in ("entity", "evidence", "model") else "right")
    for entity, counts in report.entities.items():
        evidence = ", ".join(f"{rule} {count:,}" for rule, count in sorted(counts.edges.items()))
        table.add_row(
            entity, f"{counts.records:,}", f"{counts.changed:,}", f"{counts.golden:,}", f"{counts.created:,}", f"{counts.merged:,}",
            f"{counts.split:,}", f"{counts.unchanged_share:.1%}", evidence or "-", f"{counts.review_open:,}", counts.model_version or "-",
        )  # fmt: skip
    return table


@profiles_app.command("show")
def show(
    ctx: typer.Context,
    golden_id: Annotated[str | None, typer.Argument(help="per_… or com_…", show_default=False)] = None,
    email: Annotated[str | None, typer.Option("--email", help="Find by email address.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Find by phone number, any format.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A golden profile: surviving values with their source and rule, every email and phone, its records."""
    from identity import lookup
    from store import session_scope

    cli = state(ctx)
    with session_scope(cli.engine()) as session:
        found = _find(session, golden_id, email, phone, cli.config().mapping.default_region)
        outputs = []
        for item in found:
            record = lookup.golden_record(session, item.golden_id)
            assert record is not None
            outputs.append({"golden_id": record.golden_id, "entity": record.entity, "redirected_from": item.redirected_from, "profile": record.profile})
    if as_json:
        console.print_json(json.dumps(outputs if len(outputs) != 1 else outputs[0], default=str))
        return
    for output in outputs:
        _print_profile(output)


def _find(session: Any, golden_id: str | None, email: str | None, phone: str | None, region: str) -> list[Any]:
    from identity import lookup

    if sum(value is not None for value in (golden_id, email, phone)) != 1:
        raise typer.BadParameter("give exactly one of ID, --email or --phone")
    if golden_id is not None:
        item = lookup.by_id(session, golden_id)
        found = [item] if item else []
    elif email is not None:
        found = lookup.by_email(session, email)
    else:
        found = lookup.by_phone(session, phone or "", region)
    if not found:
        raise NotFound(f"no golden record for {golden_id or email or phone}; run `loophub resolve` first if the data is new")
    return found


def _print_profile(output: dict[str, Any]) -> None:
    if output["redirected_from"]:
        console.print(f"[yellow]{output['redirected_from']} was merged into {output['golden_id']}[/]")
    profile = output["profile"]
    table = Table(title=f"{output['entity']} {output['golden_id']}", show_lines=False)
    for column in ("field", "value", "from", "rule"):
        table.add_column(column)
    for name, cell in sorted(profile.get("fields", {}).items()):
        source = cell.get("source") or {}
        table.add_row(name, str(cell.get("value")), ":".join(str(source.get(k, "")) for k in ("system", "object", "id")), str(cell.get("rule", "")))
    for kind in ("emails", "phones", "domains"):
        for value in profile.get(kind, []):
            sources = ", ".join(":".join(str(s.get(k, "")) for k in ("system", "object", "id")) for s in value.get("sources", []))
            table.add_row(kind[:-1], str(value.get("value")), sources, "all values kept")
    if profile.get("company"):
        table.add_row("company", profile["company"]["golden_id"], f"{profile['company']['records']} of {profile['company']['of']} records", "most records")
    console.print(table)
    sources = ", ".join(":".join(str(s.get(k, "")) for k in ("system", "object", "id")) for s in profile.get("sources", []))
    console.print(f"records: {sources}")


@profiles_app.command("explain")
def explain(ctx: typer.Context, golden_id: Annotated[str, typer.Argument(help="per_… or com_…")]) -> None:
    """Why each record is in the profile: the rule that linked it, or the match weights and score."""
    from identity import lookup
    from identity.explain import explain_cluster, render_explanation
    from identity.persist import edges_of
    from store import session_scope

    cli = state(ctx)
    with session_scope(cli.engine()) as session:
        item = lookup.by_id(session, golden_id)
        if item is None:
            raise NotFound(f"no golden record {golden_id}")
        rows = lookup.members(session, item.golden_id, item.entity)
        edges = edges_of(session, item.entity, [row["record_id"] for row in rows])
    console.print(render_explanation(explain_cluster(item.golden_id, rows, edges, entity=item.entity)))


@review_app.command("list")
def review_list(ctx: typer.Context, limit: Annotated[int, typer.Option(help="At most this many, most likely first.")] = 50) -> None:
    """Open review items: two records that may be one, with their score."""
    from sqlalchemy import select

    from store import session_scope
    from store.identity import ReviewItem

    cli = state(ctx)
    table = Table(title="review queue (open)")
    for column in ("id", "entity", "left", "right", "score"):
        table.add_column(column)
    with session_scope(cli.engine()) as session:
        query = select(ReviewItem).where(ReviewItem.status == "open").order_by(ReviewItem.score.desc()).limit(limit)
        for item in session.scalars(query):
            table.add_row(str(item.id), item.entity, _ref(session, item.entity, item.left_id), _ref(session, item.entity, item.right_id), f"{item.score:.3f}")
    console.print(table)


def _ref(session: Any, entity: str, record_id: int) -> str:
    from store.canonical import CANONICAL_TABLES

    row = session.get(CANONICAL_TABLES[entity], record_id)
    name = getattr(row, "full_name", None) or getattr(row, "name", None) or ""
    return f"{row.system}:{row.object}:{row.source_id} {name}".strip() if row else str(record_id)


@review_app.command("accept")
def review_accept(ctx: typer.Context, item_id: int) -> None:
    """They are one: a must-link, applied from the next `loophub resolve` on."""
    _decide(ctx, item_id, accept=True)


@review_app.command("reject")
def review_reject(ctx: typer.Context, item_id: int) -> None:
    """They are two: a cannot-link, applied from the next `loophub resolve` on."""
    _decide(ctx, item_id, accept=False)


def _decide(ctx: typer.Context, item_id: int, *, accept: bool) -> None:
    from identity.overrides import decide_review
    from store import session_scope

    with session_scope(state(ctx).engine()) as session:
        decide_review(session, item_id, accept)
    console.print(f"review {item_id} {'accepted: must-link' if accept else 'rejected: cannot-link'}; run `loophub resolve` to apply it")


def link_command(
    ctx: typer.Context,
    left: Annotated[str, typer.Argument(help="system:object:id or a golden id")],
    right: Annotated[str, typer.Argument(help="system:object:id or a golden id")],
    entity: EntityOption = "person",
    reason: Annotated[str, typer.Option(help="Why; kept in the audit trail.")] = "",
) -> None:
    """Must-link: these are one, whatever the evidence says (kept across runs, --full included)."""
    _override(ctx, "must_link", left, right, entity, reason)


def unlink_command(
    ctx: typer.Context,
    left: Annotated[str, typer.Argument(help="system:object:id or a golden id")],
    right: Annotated[str, typer.Argument(help="system:object:id or a golden id")],
    entity: EntityOption = "person",
    reason: Annotated[str, typer.Option(help="Why; kept in the audit trail.")] = "",
) -> None:
    """Cannot-link: these are never one (kept across runs, --full included)."""
    _override(ctx, "cannot_link", left, right, entity, reason)


def _override(ctx: typer.Context, kind: str, left: str, right: str, entity: str, reason: str) -> None:
    from identity.overrides import add_override
    from store import session_scope

    if entity not in ("person", "company"):
        raise typer.BadParameter("--entity is person or company")
    with session_scope(state(ctx).engine()) as session:
        add_override(session, entity, kind, left, right, reason)
    console.print(f"{kind.replace('_', '-')} {left} ↔ {right} saved; run `loophub resolve` to apply it")
