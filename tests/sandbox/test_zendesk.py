"""The Zendesk stand-in, driven by the unmodified zenpy client over a real socket."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from zenpy import Zenpy
from zenpy.lib.api_objects import User
from zenpy.lib.exception import APIException, RecordNotFoundException

from sandbox.server import SandboxServer
from sandbox.world import World
from sandbox.zendesk.seed import zendesk_world

Connect = Callable[[World], tuple[Zenpy, SandboxServer]]


@pytest.fixture
def connect(start_sandbox: Callable[[World], SandboxServer], monkeypatch: pytest.MonkeyPatch) -> Iterator[Connect]:
    """Start a sandbox on a world and point an unmodified zenpy at its Zendesk stand-in."""

    def connect_to(world: World, **options: Any) -> tuple[Zenpy, SandboxServer]:
        server = start_sandbox(world)
        monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
        monkeypatch.setenv("ZENPY_FORCE_NETLOC", server.url("zendesk").removeprefix("http://"))
        client = Zenpy(subdomain="loophub", email="agent@example.com", token="secret", disable_cache=True, **options)
        return client, server

    yield connect_to


def sandbox_call(server: SandboxServer, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, server.url("zendesk") + path, timeout=10, **kwargs)


def api(server: SandboxServer, path: str, **params: Any) -> requests.Response:
    return requests.get(server.url("zendesk") + path, params=params, auth=("agent@example.com/token", "secret"), timeout=10)


def advance_clock(server: SandboxServer, seconds: float) -> None:
    sandbox_call(server, "POST", "/_sandbox/clock/advance", json={"seconds": seconds}).raise_for_status()


def now_epoch(server: SandboxServer) -> int:
    return int(server.clock.peek().timestamp())


# --- incremental exports ---------------------------------------------------------------


def test_given_25_users_when_zenpy_exports_them_by_cursor_with_10_a_page_then_it_reads_3_pages_to_end_of_stream(
    connect: Connect,
) -> None:
    zenpy, server = connect(zendesk_world(users=25))

    exported = list(zenpy.users.incremental(start_time=0, per_page=10))

    assert sorted(user.email for user in exported) == sorted(f"person{index}@example.com" for index in range(25))
    assert server.control("zendesk").calls.calls("/api/v2/incremental/users/cursor.json") == 3


def test_given_a_deleted_ticket_when_exporting_tickets_by_cursor_then_it_comes_with_status_deleted_unless_excluded(
    connect: Connect,
) -> None:
    zenpy, server = connect(zendesk_world(users=3, tickets=12))
    doomed = zenpy.tickets(id=next(iter(server.stand_ins["zendesk"].app.state.store.tickets.records)))
    zenpy.tickets.delete(doomed)
    advance_clock(server, 61)

    exported = {ticket.id: ticket for ticket in zenpy.tickets.incremental(start_time=0, per_page=5)}
    first = api(server, "/api/v2/incremental/tickets/cursor.json", start_time=0, exclude_deleted="true").json()

    assert len(exported) == 12
    assert exported[doomed.id].status == "deleted"
    assert all(isinstance(ticket.generated_timestamp, int) for ticket in exported.values())
    assert doomed.id not in {ticket["id"] for ticket in first["tickets"]}
    assert first["end_of_stream"] is True and first["after_cursor"]
    assert first["after_url"].startswith(server.url("zendesk") + "/api/v2/incremental/tickets/cursor.json?")


def test_given_organizations_one_second_apart_when_exporting_by_time_then_pages_repeat_the_boundary_second(
    connect: Connect,
) -> None:
    zenpy, server = connect(zendesk_world(users=0, organizations=5, tickets=0))

    exported = list(zenpy.organizations.incremental(start_time=0, per_page=2))
    last_second = int(exported[-1].updated.timestamp())
    last_page = api(server, "/api/v2/incremental/organizations.json", start_time=last_second, per_page=2)

    assert {organization.name for organization in exported} == {f"Org {index:05d}" for index in range(5)}
    assert len(exported) > 5, "next_page restarts at end_time, so the boundary organization comes twice"
    assert last_page.json()["end_of_stream"] is True
    assert last_page.json()["count"] < 2


def test_given_more_organizations_in_one_second_than_a_page_holds_when_exporting_by_time_then_the_export_still_ends(
    connect: Connect,
) -> None:
    world = zendesk_world(users=0, organizations=7, tickets=0)
    same_second = world.zendesk["organizations"][0]["updated_at"]
    for organization in world.zendesk["organizations"][:5]:
        organization["updated_at"] = same_second
    _, server = connect(world)

    pages, seen, start_time = 0, set(), 0
    while pages < 10:
        page = api(server, "/api/v2/incremental/organizations.json", start_time=start_time, per_page=2).json()
        pages += 1
        seen |= {organization["id"] for organization in page["organizations"]}
        if page["end_of_stream"]:
            break
        start_time = page["end_time"]

    assert seen == {organization["id"] for organization in world.zendesk["organizations"]}
    assert pages <= 4


def test_given_a_start_time_30_seconds_ago_when_exporting_then_zendesk_answers_400_too_recent(connect: Connect) -> None:
    zenpy, server = connect(zendesk_world())

    with pytest.raises(APIException) as raised:
        zenpy.users.incremental(start_time=now_epoch(server) - 30)

    assert raised.value.response.status_code == 400
    assert "Too recent start_time" in raised.value.response.json()["description"]


def test_given_a_ticket_a_customer_just_opened_when_exporting_then_it_appears_only_after_a_minute(connect: Connect) -> None:
    zenpy, server = connect(zendesk_world(tickets=2))
    opened = sandbox_call(
        server,
        "POST",
        "/_sandbox/records/tickets",
        json={"subject": "Cannot log in", "body": "Help!", "requester": {"name": "New Customer", "email": "new@example.com"}},
    ).json()
    start_time = now_epoch(server) - 120

    before = [ticket.id for ticket in zenpy.tickets.incremental(start_time=start_time)]
    advance_clock(server, 61)
    after = [ticket.id for ticket in zenpy.tickets.incremental(start_time=start_time)]

    assert opened["via"]["channel"] == "web" and opened["submitter_id"] == opened["requester_id"]
    assert before == []
    assert after == [opened["id"]]


def test_given_ticket_comments_when_exporting_ticket_events_with_comment_events_then_each_comment_is_a_child_event(
    connect: Connect,
) -> None:
    _, server = connect(zendesk_world(tickets=3, comments_per_ticket=2))

    page = api(server, "/api/v2/incremental/ticket_events.json", start_time=0, include="comment_events").json()
    without = api(server, "/api/v2/incremental/ticket_events.json", start_time=0).json()

    comments = [child for event in page["ticket_events"] for child in event["child_events"] if child["event_type"] == "Comment"]
    assert len(comments) == 6 and page["end_of_stream"] is True
    assert all(child["body"] for child in comments)
    assert not [child for event in without["ticket_events"] for child in event["child_events"]]


# --- bulk writes and job statuses -------------------------------------------------------


def test_given_two_new_users_when_created_in_bulk_then_the_job_status_walks_to_completed_with_per_item_results(
    connect: Connect,
) -> None:
    zenpy, server = connect(zendesk_world(users=2))

    job = zenpy.users.create([User(name="Ada", email="ada@example.com"), User(name="Dup", email="PERSON1@example.com")])
    polls = [zenpy.job_status(id=job.id) for _ in range(2)]

    assert job.status == "queued" and job.url.startswith(server.url("zendesk"))
    assert [poll.status for poll in polls] == ["working", "completed"]
    created, duplicate = polls[1].results
    assert created.status == "Created" and created.success is True
    assert zenpy.users(id=created.id).email == "ada@example.com"
    assert duplicate.status == "Failed" and "already being used" in duplicate.details


def test_given_101_users_when_created_in_bulk_then_zendesk_refuses_too_many_values(connect: Connect) -> None:
    zenpy, _ = connect(zendesk_world(users=0))

    with pytest.raises(APIException) as raised:
        zenpy.users.create([User(name=f"U{index}", email=f"u{index}@example.com") for index in range(101)])

    assert raised.value.response.status_code == 400
    assert raised.value.response.json()["error"] == "TooManyValues"


def test_given_users_matched_by_email_when_create_or_update_many_then_existing_ones_are_updated(connect: Connect) -> None:
    zenpy, server = connect(zendesk_world(users=2))

    job = zenpy.users.create_or_update(
        [User(name="Renamed", email="person0@example.com"), User(name="Fresh", email="fresh@example.com")]
    )
    zenpy.job_status(id=job.id)
    results = zenpy.job_status(id=job.id).results

    assert [(result.action, result.status) for result in results] == [("update", "Updated"), ("create", "Created")]
    assert zenpy.users(id=results[0].id).name == "Renamed"


def test_given_two_tickets_when_zenpy_updates_them_in_bulk_then_both_change_and_the_job_is_gone_after_an_hour(
    connect: Connect,
) -> None:
    zenpy, server = connect(zendesk_world(tickets=3))
    first_two = list(zenpy.tickets())[:2]
    for ticket in first_two:
        ticket.priority = "high"

    job = zenpy.tickets.update(first_two)
    zenpy.job_status(id=job.id)
    done = zenpy.job_status(id=job.id)
    advance_clock(server, 3601)

    assert [result.status for result in done.results] == ["Updated", "Updated"]
    assert [zenpy.tickets(id=ticket.id).priority for ticket in first_two] == ["high", "high"]
    with pytest.raises(RecordNotFoundException):
        zenpy.job_status(id=job.id)


# --- reads, writes and validation ------------------------------------------------------------


def test_given_records_when_searching_then_users_by_email_orgs_by_external_id_and_tickets_by_status_are_found(
    connect: Connect,
) -> None:
    zenpy, _ = connect(zendesk_world(users=5, organizations=3, tickets=10))

    users = list(zenpy.search(type="user", email="person3@example.com"))
    organizations = list(zenpy.search(type="organization", external_id="001ORG000000000002"))
    open_tickets = list(zenpy.search(type="ticket", status="open"))
    unsolved = list(zenpy.search("status<solved", type="ticket"))

    assert [user.name for user in users] == ["Person 00003"]
    assert [organization.name for organization in organizations] == ["Org 00002"]
    assert {ticket.subject for ticket in open_tickets} == {"Ticket 1", "Ticket 6"}
    assert {ticket.status for ticket in unsolved} == {"new", "open", "pending"} and len(unsolved) == 6


def test_given_a_search_with_more_than_1000_results_when_paging_past_1000_then_zendesk_answers_422(connect: Connect) -> None:
    _, server = connect(zendesk_world(users=1001, organizations=1, tickets=0))

    first = api(server, "/api/v2/search.json", query="type:user", per_page=100, page=10)
    eleventh = api(server, "/api/v2/search.json", query="type:user", per_page=100, page=11)

    assert first.json()["count"] == 1001 and first.json()["next_page"]
    assert eleventh.status_code == 422 and eleventh.json()["error"] == "invalid"


def test_given_an_organization_when_zenpy_updates_its_custom_field_then_unknown_keys_are_ignored(connect: Connect) -> None:
    zenpy, _ = connect(zendesk_world(organizations=1))
    organization = next(iter(zenpy.search(type="organization", name="Org 00000")))

    organization.organization_fields = {"arr": 5000.0, "no_such_field": "x"}
    zenpy.organizations.update(organization)

    assert zenpy.organizations(id=organization.id).organization_fields == {"arr": 5000.0}


def test_given_a_new_user_field_when_defined_twice_then_the_second_is_refused_422(connect: Connect) -> None:
    _, server = connect(zendesk_world())
    auth = ("agent@example.com/token", "secret")
    field = {"user_field": {"type": "text", "key": "health", "title": "Health"}}

    first = requests.post(server.url("zendesk") + "/api/v2/user_fields.json", json=field, auth=auth, timeout=10)
    second = requests.post(server.url("zendesk") + "/api/v2/user_fields.json", json=field, auth=auth, timeout=10)
    user = api(server, "/api/v2/users.json", per_page=1).json()["users"][0]

    assert first.status_code == 201 and first.json()["user_field"]["key"] == "health"
    assert second.status_code == 422 and second.json()["details"]["key"][0]["error"] == "DuplicateValue"
    assert user["user_fields"] == {"plan": "free", "health": None}


def test_given_an_existing_email_when_zenpy_creates_a_user_then_it_raises_422_record_invalid(connect: Connect) -> None:
    zenpy, _ = connect(zendesk_world(users=2))

    with pytest.raises(APIException) as raised:
        zenpy.users.create(User(name="Twin", email="Person0@Example.com"))

    body = raised.value.response.json()
    assert raised.value.response.status_code == 422
    assert body["error"] == "RecordInvalid"
    assert body["details"]["email"][0]["error"] == "DuplicateValue"


def test_given_a_ticket_when_zenpy_adds_a_comment_and_solves_it_then_comments_and_metrics_follow(connect: Connect) -> None:
    zenpy, _ = connect(zendesk_world(tickets=1))
    ticket = next(iter(zenpy.tickets()))

    ticket.status = "solved"
    ticket.comment = {"body": "Fixed it for you", "public": True}
    audit = zenpy.tickets.update(ticket)
    comments = list(zenpy.tickets.comments(ticket.id))

    assert audit.ticket.status == "solved"
    assert [comment.body for comment in comments] == ["Problem number 0", "Fixed it for you"]
    assert zenpy.tickets.metrics(ticket.id).solved_at is not None


def test_given_a_ticket_an_agent_edited_since_it_was_read_when_safe_updating_then_zendesk_answers_409(
    connect: Connect,
) -> None:
    zenpy, server = connect(zendesk_world(tickets=1))
    ticket = next(iter(zenpy.tickets()))
    sandbox_call(server, "PATCH", f"/_sandbox/records/tickets/{ticket.id}", json={"priority": "urgent"}).raise_for_status()

    ticket.subject = "Overwritten"
    ticket.safe_update = True
    ticket.updated_stamp = ticket.updated_at
    with pytest.raises(APIException) as raised:
        zenpy.tickets.update(ticket)

    assert raised.value.response.status_code == 409
    assert raised.value.response.json()["error"] == "UpdateConflict"
    assert zenpy.tickets(id=ticket.id).subject == "Ticket 0"


def test_given_150_users_when_zenpy_lists_them_then_it_follows_the_absolute_cursor_link(connect: Connect) -> None:
    zenpy, server = connect(zendesk_world(users=150, organizations=1, tickets=0))

    listed = list(zenpy.users())

    assert len(listed) == 150
    assert server.control("zendesk").calls.calls("/api/v2/users.json", method="GET") == 2


def test_given_an_organization_with_members_when_zenpy_lists_its_users_then_only_members_come_back(connect: Connect) -> None:
    zenpy, server = connect(zendesk_world(users=6, organizations=2, tickets=4))
    organization = next(iter(zenpy.search(type="organization", name="Org 00001")))

    members = [user.name for user in zenpy.organizations.users(organization)]
    tickets = api(server, f"/api/v2/organizations/{organization.id}/tickets.json").json()

    assert members == ["Person 00001", "Person 00003", "Person 00005"]
    assert {ticket["subject"] for ticket in tickets["tickets"]} == {"Ticket 1", "Ticket 3"}


def test_given_no_credentials_when_calling_the_api_then_zendesk_answers_401(connect: Connect) -> None:
    _, server = connect(zendesk_world())

    anonymous = requests.get(server.url("zendesk") + "/api/v2/users/me.json", timeout=10)
    sandbox_call(server, "PUT", "/_sandbox/settings", json={"allowed_secrets": ["right"]}).raise_for_status()
    wrong = requests.get(server.url("zendesk") + "/api/v2/users/me.json", auth=("a@b.c/token", "wrong"), timeout=10)
    right = requests.get(server.url("zendesk") + "/api/v2/users/me.json", headers={"Authorization": "Bearer right"}, timeout=10)

    assert anonymous.status_code == 401 and anonymous.json() == {"error": "Couldn't authenticate you"}
    assert wrong.status_code == 401
    assert right.status_code == 200 and right.json()["user"]["role"] == "admin"


def test_given_the_official_connector_check_when_reading_account_settings_then_organization_access_is_enabled(
    connect: Connect,
) -> None:
    _, server = connect(zendesk_world())

    settings = api(server, "/api/v2/account/settings.json")

    assert settings.json()["settings"]["active_features"]["organization_access_enabled"] is True
    assert int(settings.headers["X-Rate-Limit"]) == 700
    assert int(settings.headers["X-Rate-Limit-Remaining"]) < 700
