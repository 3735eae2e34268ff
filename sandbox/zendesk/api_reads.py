"""Account settings, field definitions, comments, satisfaction ratings, ticket metrics, tags and search."""

from __future__ import annotations

from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.zendesk.collection import Record
from sandbox.zendesk.context import ZendeskContext, json_body
from sandbox.zendesk.fields import create_field
from sandbox.zendesk.pagination import cursor_page, list_page, offset_page
from sandbox.zendesk.people import raise_if_not_object
from sandbox.zendesk.records import KINDS, render
from sandbox.zendesk.routing import api_route
from sandbox.zendesk.search import SEARCH_LIMIT, search, search_limit_exceeded, sort_results
from sandbox.zendesk.wire import ZendeskError, base_url, int_param, not_found, stamp_epoch
from sandbox.zendesk.writers import rendered

ACCOUNT_SETTINGS: dict[str, Any] = {
    "active_features": {
        "organization_access_enabled": True, "customer_satisfaction": True, "user_org_fields": True,
        "ticket_forms": True, "user_tagging": True, "ticket_tagging": True, "allow_ccs": True, "markdown": True,
        "on_hold_status": True, "business_hours": False, "sandbox": True, "explore": False, "voice": False,
        "chat": False, "light_agents": False, "rich_content_in_emails": True, "is_abusive": False,
    },
    "api": {"accepted_api_agreement": True, "api_password_access": True, "api_token_access": True},
    "tickets": {"comments_public_by_default": True, "list_empty_views": True, "status_hold": True, "collaboration": True},
    "user": {"tagging": True, "time_zone_selection": True, "language_selection": True},
    "localization": {"locale_ids": [1]},
    "routing": {"enabled": False},
}  # fmt: skip


def account_routes(context: ZendeskContext) -> list[Route]:
    async def settings(_: Request) -> Response:
        return JSONResponse({"settings": ACCOUNT_SETTINGS})

    return [api_route(context, "GET", "/account/settings.json", settings)]


def field_routes(context: ZendeskContext) -> list[Route]:
    """`/user_fields`, `/organization_fields` (list, show, create) and `/ticket_fields` (list, show)."""
    routes: list[Route] = []
    for kind_name in ("user_fields", "organization_fields", "ticket_fields"):
        routes += _field_routes_of(context, kind_name)
    return routes


def _field_routes_of(context: ZendeskContext, kind_name: str) -> list[Route]:
    kind = KINDS[kind_name]
    store = context.store

    async def list_fields(request: Request) -> Response:
        base = base_url(request)
        rows = list(store[kind_name].all_in_id_order())
        return JSONResponse(list_page(request, rows, kind_name, lambda field: render(kind, field, base)))

    async def show(request: Request) -> Response:
        field = store[kind_name].get(request.path_params["field_id"])
        if field is None:
            raise not_found()
        return JSONResponse({kind.singular: render(kind, field, base_url(request))})

    async def create(request: Request) -> Response:
        data = raise_if_not_object((await json_body(request)).get(kind.singular), kind.singular)
        field = create_field(store, kind_name, data)
        return JSONResponse({kind.singular: render(kind, field, base_url(request))}, status_code=201)

    routes: list[Route] = [
        api_route(context, "GET", f"/{kind.path}.json", list_fields),
        api_route(context, "GET", f"/{kind.path}/{{field_id:int}}.json", show),
    ]
    if kind_name != "ticket_fields":
        routes.append(api_route(context, "POST", f"/{kind.path}.json", create))
    return routes


def _ratings(context: ZendeskContext, request: Request) -> list[Record]:
    start = int_param(request, "start_time")
    end = int_param(request, "end_time")
    score = request.query_params.get("score")
    rows = []
    for rating in context.store["satisfaction_ratings"].all_in_id_order():
        changed = stamp_epoch(rating.get("updated_at") or rating.get("created_at"))
        if (start is not None and changed < start) or (end is not None and changed > end):
            continue
        if score and score != "received" and rating.get("score") != score:
            continue
        rows.append(rating)
    return rows


def ticket_reads(context: ZendeskContext) -> list[Route]:
    """Satisfaction ratings, ticket metrics and comments."""
    store = context.store
    ratings_kind, metrics_kind, comments_kind = KINDS["satisfaction_ratings"], KINDS["ticket_metrics"], KINDS["ticket_comments"]

    def live_ticket(ticket_id: int) -> Record:
        ticket = store.tickets.get(ticket_id)
        if ticket is None or ticket["status"] == "deleted":
            raise not_found()
        return ticket

    def deleted_ticket(ticket_id: int) -> bool:
        ticket = store.tickets.get(ticket_id)
        return ticket is not None and ticket["status"] == "deleted"

    async def ratings(request: Request) -> Response:
        base = base_url(request)
        page = list_page(request, _ratings(context, request), "satisfaction_ratings", lambda r: render(ratings_kind, r, base))
        return JSONResponse(page)

    async def rating(request: Request) -> Response:
        found = store["satisfaction_ratings"].get(request.path_params["rating_id"])
        if found is None:
            raise not_found()
        return JSONResponse({"satisfaction_rating": render(ratings_kind, found, base_url(request))})

    async def metrics(request: Request) -> Response:
        base = base_url(request)
        rows = [m for m in store["ticket_metrics"].all_in_id_order() if not deleted_ticket(m["ticket_id"])]
        return JSONResponse(list_page(request, rows, "ticket_metrics", lambda m: render(metrics_kind, m, base)))

    async def metric(request: Request) -> Response:
        found = store["ticket_metrics"].get(request.path_params["metric_id"])
        if found is None:
            raise not_found()
        return JSONResponse({"ticket_metric": render(metrics_kind, found, base_url(request))})

    async def ticket_metric(request: Request) -> Response:
        ticket = live_ticket(request.path_params["ticket_id"])
        metric_id = store.metric_by_ticket.get(ticket["id"])
        if metric_id is None:
            raise not_found()
        found = store["ticket_metrics"].records[metric_id]
        return JSONResponse({"ticket_metric": render(metrics_kind, found, base_url(request))})

    async def comments(request: Request) -> Response:
        ticket = live_ticket(request.path_params["ticket_id"])
        rows = sorted(store.ticket_comments(ticket["id"]), key=lambda comment: comment["id"])
        return JSONResponse(list_page(request, rows, "comments", lambda c: render(comments_kind, c, "")))

    return [
        api_route(context, "GET", "/satisfaction_ratings.json", ratings),
        api_route(context, "GET", "/satisfaction_ratings/{rating_id:int}.json", rating),
        api_route(context, "GET", "/ticket_metrics.json", metrics),
        api_route(context, "GET", "/ticket_metrics/{metric_id:int}.json", metric),
        api_route(context, "GET", "/tickets/{ticket_id:int}/metrics.json", ticket_metric),
        api_route(context, "GET", "/tickets/{ticket_id:int}/comments.json", comments),
    ]


def tag_routes(context: ZendeskContext) -> list[Route]:
    """`/tags`: the account's most used tags with counts (the Airbyte source's connection check)."""

    async def tags(request: Request) -> Response:
        counts: Counter[str] = Counter()
        for kind_name in ("tickets", "users", "organizations"):
            for record in context.store[kind_name].records.values():
                if context.store.is_visible(kind_name, record):
                    counts.update(record.get("tags") or [])
        rows = [{"id": index, "name": name, "count": count} for index, (name, count) in enumerate(counts.most_common(), 1)]
        page = list_page(request, rows, "tags", lambda row: {"name": row["name"], "count": row["count"]})
        return JSONResponse(page)

    return [api_route(context, "GET", "/tags.json", tags)]


def search_routes(context: ZendeskContext) -> list[Route]:
    """`/search`, `/search/count` and `/search/export`."""
    store = context.store

    def run(request: Request, type_filter: str | None = None) -> list[tuple[str, Record]]:
        query = request.query_params.get("query")
        if not query:
            raise ZendeskError(400, {"error": "InvalidSearchParameter", "description": "query is required"})
        found = search(store, query, context.control.clock.peek(), type_filter)
        return sort_results(found, request.query_params.get("sort_by"), request.query_params.get("sort_order"))

    def as_result(base: str) -> Any:
        def render_row(row: Record) -> Record:
            kind_name = row["_kind"]
            return rendered(store, kind_name, row["_record"], base) | {"result_type": KINDS[kind_name].singular}

        return render_row

    def rows_of(found: list[tuple[str, Record]]) -> list[Record]:
        return [{"id": record["id"], "_kind": kind_name, "_record": record} for kind_name, record in found]

    async def search_results(request: Request) -> Response:
        page = int_param(request, "page", 1) or 1
        per_page = min(int_param(request, "per_page", 100) or 100, 100)
        if page * per_page > SEARCH_LIMIT:
            raise search_limit_exceeded()
        body = offset_page(request, rows_of(run(request)), "results", as_result(base_url(request)))
        return JSONResponse(body | {"facets": None})

    async def search_count(request: Request) -> Response:
        return JSONResponse({"count": len(run(request))})

    async def search_export(request: Request) -> Response:
        type_filter = request.query_params.get("filter[type]")
        if type_filter not in ("ticket", "user", "organization"):
            raise ZendeskError(400, {"error": "InvalidSearchParameter", "description": "filter[type] is required"})
        rows = sorted(rows_of(run(request, type_filter)), key=lambda row: row["id"])
        body = cursor_page(request, rows, "results", as_result(base_url(request)), max_size=1000)
        return JSONResponse(body | {"facets": None})

    return [
        api_route(context, "GET", "/search.json", search_results),
        api_route(context, "GET", "/search/count.json", search_count),
        api_route(context, "GET", "/search/export.json", search_export),
    ]
