"""Landing: records and the state that covers them commit together; rereads are absorbed."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import pytest
from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.sources.streams.core import CheckpointMixin
from sqlalchemy import Engine, func, select

from connectors.common import DELETED_AT_FIELD
from flows.landing import Lander
from flows.sync import configured_catalog, saved_state
from store import RawRecord, StreamState, session_scope, upgrade_database
from store.raw import load_stream_states


class NumberedStream(Stream, CheckpointMixin):
    """A test stream of `count` records with increasing cursors; may fail after `fail_after` records."""

    primary_key = "id"
    cursor_field = "updated"
    state_checkpoint_interval = 10

    def __init__(self, count: int, fail_after: int | None = None) -> None:
        self.count, self.fail_after = count, fail_after
        self._state: dict[str, Any] = {}

    @property
    def name(self) -> str:
        return "items"

    @property
    def state(self) -> Mapping[str, Any]:
        return self._state

    @state.setter
    def state(self, value: Mapping[str, Any]) -> None:
        self._state = dict(value)

    def get_json_schema(self) -> Mapping[str, Any]:
        return {"type": "object", "properties": {"id": {"type": "integer"}, "updated": {"type": "integer"}}}

    def read_records(self, sync_mode: SyncMode, cursor_field: Any = None, stream_slice: Any = None, stream_state: Any = None) -> Iterable[Mapping[str, Any]]:
        start = int(self._state.get("updated", 0))
        for number in range(start + 1, self.count + 1):
            if self.fail_after is not None and number > self.fail_after:
                raise ConnectionError("the vendor went away")
            record = {"id": number, "updated": number}
            if number % 7 == 0:
                record[DELETED_AT_FIELD] = "2026-01-01T00:00:00Z"
            self._state = {"updated": number}
            yield record


class NumberedSource(AbstractSource):
    def __init__(self, stream: NumberedStream) -> None:
        self.stream = stream

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> tuple[bool, Any]:
        return True, None

    def streams(self, config: Mapping[str, Any]) -> list[Stream]:
        return [self.stream]


def run_source(engine: Engine, source: NumberedSource, batch_size: int = 1000) -> Lander:
    logger = logging.getLogger("test")
    catalog = configured_catalog(source.discover(logger, {}), full_refresh=False)
    lander = Lander(engine, "test", "testsystem", catalog, batch_size=batch_size)
    lander.land(source.read(logger, {}, catalog, saved_state(engine, "test")))
    return lander


def raw_count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(RawRecord)) or 0


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    upgrade_database(engine)
    return engine


def test_given_records_with_state_when_landed_then_state_and_every_record_are_stored(migrated: Engine) -> None:
    lander = run_source(migrated, NumberedSource(NumberedStream(55)))

    assert raw_count(migrated) == 55
    assert lander.report.streams["items"].inserted == 55
    with session_scope(migrated) as session:
        assert load_stream_states(session, "test") == {"items": {"updated": 55}}
        deleted = session.scalar(select(func.count()).select_from(RawRecord).where(RawRecord.is_deleted))
    assert deleted == 55 // 7


def test_given_a_finished_sync_when_run_again_then_nothing_is_read_or_written(migrated: Engine) -> None:
    run_source(migrated, NumberedSource(NumberedStream(30)))

    again = run_source(migrated, NumberedSource(NumberedStream(30)))

    assert again.report.streams["items"].records == 0
    assert raw_count(migrated) == 30


def test_given_a_failure_mid_stream_when_rerun_then_it_resumes_from_last_state_without_duplicates(migrated: Engine) -> None:
    with pytest.raises(Exception):
        run_source(migrated, NumberedSource(NumberedStream(50, fail_after=34)))
    with session_scope(migrated) as session:
        checkpoint = load_stream_states(session, "test")["items"]["updated"]
    # Records land only with the state that covers them (every 10 here), never ahead of it.
    assert checkpoint == 30
    assert raw_count(migrated) == 30

    resumed = run_source(migrated, NumberedSource(NumberedStream(50)))

    assert resumed.report.streams["items"].records == 20
    assert raw_count(migrated) == 50
    with session_scope(migrated) as session:
        assert session.scalar(select(func.count()).select_from(StreamState)) == 1


def test_given_more_records_than_a_batch_without_state_then_each_full_batch_commits(migrated: Engine) -> None:
    stream = NumberedStream(25)
    stream.state_checkpoint_interval = None  # type: ignore[assignment]

    lander = run_source(migrated, NumberedSource(stream), batch_size=10)

    assert raw_count(migrated) == 25
    assert lander.report.streams["items"].batches >= 3
