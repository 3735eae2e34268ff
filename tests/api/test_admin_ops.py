"""Runs, quarantine, the write-back plan and outbox, keys and the audit log through the admin API."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from api.cursor import encode_cursor
from store import session_scope, utc_now
from store.canonical import MapLedgerEntry
from store.models import Run
from store.writeback import OutboxRow
from tests.api.api_support import LiveApi


def call(
    api: LiveApi,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    key: str | None = None,
) -> httpx.Response:
    return api.client.request(
        method, api.url + path, json=body, headers={"X-API-Key": key or api.admin_key}
    )


def walk(
    api: LiveApi, path: str, limit: int = 3, **params: Any
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(10_000):
        page = api.get(path, key=api.admin_key, limit=limit, cursor=cursor, **params)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the listing never ended")


def test_given_the_loop_when_listing_runs_then_every_run_newest_first_and_filters_hold(
    live_api: LiveApi,
) -> None:
    with session_scope(live_api.engine) as session:
        stored = list(session.scalars(select(Run.id).order_by(Run.id.desc())))
        flow = session.scalars(select(Run.flow).order_by(Run.id)).first()

    runs = walk(live_api, "/v1/admin/runs")
    of_flow = walk(live_api, "/v1/admin/runs", flow=flow)
    one = call(live_api, "GET", f"/v1/admin/runs/{stored[0]}")

    assert [run["id"] for run in runs] == stored and stored
    assert of_flow and {run["flow"] for run in of_flow} == {flow}
    assert (
        one.status_code == 200
        and one.json()["id"] == stored[0]
        and "counts" in one.json()
    )
    assert call(live_api, "GET", "/v1/admin/runs/99999999").status_code == 404
    assert (
        live_api.get(
            "/v1/admin/runs", key=live_api.admin_key, cursor="bm90LWEtY3Vyc29y"
        ).status_code
        == 400
    )
    assert live_api.get("/v1/admin/runs").status_code == 403  # the read key
    beyond = live_api.get(
        "/v1/admin/runs", key=live_api.admin_key, cursor=encode_cursor("runs", [2**40])
    )
    assert (
        beyond.status_code == 400
    )  # ids are 32-bit in PostgreSQL: never sent to the query


def test_given_quarantined_records_when_listing_then_each_comes_once_with_its_reason(
    live_api: LiveApi,
) -> None:
    with session_scope(live_api.engine) as session:
        count = session.scalar(
            select(func.count())
            .select_from(MapLedgerEntry)
            .where(MapLedgerEntry.outcome == "quarantined")
        )

    items = walk(live_api, "/v1/admin/quarantine", limit=5)

    assert len(items) == len({item["raw_record_id"] for item in items}) == count
    assert all(item["reason"] for item in items)


def test_given_the_store_when_previewing_the_plan_then_pages_cover_every_row_once(
    live_api: LiveApi,
) -> None:
    first = live_api.get("/v1/admin/writeback/plan", key=live_api.admin_key, limit=500)
    assert first.status_code == 200, first.text
    total = first.json()["total_rows"]

    paged: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        page = live_api.get(
            "/v1/admin/writeback/plan",
            key=live_api.admin_key,
            limit=max(1, total // 3 or 1),
            cursor=cursor,
        ).json()
        paged += page["rows"]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert (
        len(paged) == total
        and len(
            {
                (
                    row["system"],
                    row["object"],
                    row["record_id"],
                    row["field"],
                    row["policy"],
                )
                for row in paged
            }
        )
        == total
    )
    assert (
        isinstance(first.json()["skipped"], dict)
        and isinstance(first.json()["handoffs"], list)
        and first.json()["policies"]
    )


def test_given_a_parked_row_when_requeued_then_it_is_planned_again_and_audited(
    live_api: LiveApi,
) -> None:
    now = utc_now()
    with session_scope(live_api.engine) as session:
        row = OutboxRow(
            plan_id=0, system="hubspot", object="companies", record_id="admin-test-1", field="loophub_missing_field", golden_id=None, policy="crm_context",
            mode="overwrite", reason="test", old_value=None, new_value="3", status="parked", attempts=5, last_error="property does not exist", created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(row)
        session.flush()
        row_id = row.id

    parked = walk(live_api, "/v1/admin/writeback/outbox", status="parked")
    requeued = call(live_api, "POST", "/v1/admin/writeback/outbox/requeue")
    after = live_api.get(
        "/v1/admin/writeback/outbox",
        key=live_api.admin_key,
        status=["planned", "failed"],
        limit=500,
    ).json()
    bad_status = live_api.get(
        "/v1/admin/writeback/outbox", key=live_api.admin_key, status="lost"
    )

    assert any(
        item["id"] == row_id and item["last_error"] == "property does not exist"
        for item in parked
    )
    assert requeued.status_code == 200 and requeued.json()["outbox"] >= 1
    assert (
        any(item["id"] == row_id and item["attempts"] == 0 for item in after["items"])
        and after["counts"].get("parked", 0) == 0
    )
    assert bad_status.status_code == 400
    entry = call(live_api, "GET", "/v1/admin/audit").json()["items"][0]
    assert (
        entry["action"] == "writeback.requeue"
        and entry["detail"]["outbox"] == requeued.json()["outbox"]
    )


def test_given_an_admin_when_creating_and_revoking_a_key_then_the_secret_is_shown_once_and_both_are_audited(
    live_api: LiveApi,
) -> None:
    created = call(
        live_api, "POST", "/v1/admin/keys", {"name": "portal", "scope": "read"}
    )
    secret, key_id = created.json()["secret"], created.json()["key"]["id"]
    works = live_api.get("/v1/profiles", key=secret, limit=1)
    revoked = call(live_api, "DELETE", f"/v1/admin/keys/{key_id}")
    listed = call(live_api, "GET", "/v1/admin/keys")
    audit = walk(live_api, "/v1/admin/audit", limit=2)

    assert created.status_code == 201 and secret.startswith(
        f"lh_{created.json()['key']['prefix']}_"
    )
    assert works.status_code == 200
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert secret not in listed.text and secret not in str(audit)
    actions = {(item["action"], item["target"]) for item in audit}
    assert {("key.create", f"key:{key_id}"), ("key.revoke", f"key:{key_id}")} <= actions
    assert call(live_api, "DELETE", "/v1/admin/keys/99999999").status_code == 404
    assert call(live_api, "POST", "/v1/admin/keys", {"name": "   "}).status_code == 422
    assert (
        call(
            live_api, "POST", "/v1/admin/keys", {"name": "x"}, key=live_api.read_key
        ).status_code
        == 403
    )


def test_given_the_calling_key_when_it_revokes_itself_then_409_and_it_keeps_working(
    live_api: LiveApi,
) -> None:
    own_id = next(
        item["id"]
        for item in call(live_api, "GET", "/v1/admin/keys").json()["items"]
        if live_api.admin_key.startswith(f"lh_{item['prefix']}_")
    )

    refused = call(live_api, "DELETE", f"/v1/admin/keys/{own_id}")

    assert refused.status_code == 409
    assert call(live_api, "GET", "/v1/admin/keys").status_code == 200
