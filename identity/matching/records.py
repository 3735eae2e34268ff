"""Turning a caller's table of records into the Arrow table the SQL runs over.

Only the columns the settings use are kept, and each record gets a dense
integer row number (`__row`) so that joins and pairs work on integers rather
than on the caller's id strings.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .settings import MatchSettings

ROW = "__row"
RecordTable = pd.DataFrame | pa.Table


class RecordsError(ValueError):
    """The records do not fit the settings (missing columns, repeated ids)."""


def quote(identifier: str) -> str:
    """A SQL identifier in double quotes, safe for any column name."""
    return '"' + identifier.replace('"', '""') + '"'


def required_columns(settings: MatchSettings) -> list[str]:
    """Columns the model reads, id first."""
    columns = [settings.unique_id_column]
    if settings.dataset_column:
        columns.append(settings.dataset_column)
    columns += settings.compared_columns() + settings.blocking_columns()
    return list(dict.fromkeys(columns))


def prepare_records(records: RecordTable, settings: MatchSettings, *, row_offset: int = 0) -> pa.Table:
    """The records as Arrow with only the needed columns plus `__row` numbered from `row_offset`.

    Raises `RecordsError` naming every missing column, or when ids repeat.
    """
    table = records if isinstance(records, pa.Table) else _arrow_from_pandas(records)
    needed = required_columns(settings)
    missing = [column for column in needed if column not in table.column_names]
    if missing:
        raise RecordsError(f"records lack columns used by the settings: {', '.join(missing)}")
    table = table.select(needed)
    ids = table.column(settings.unique_id_column)
    if ids.null_count or pc.count_distinct(ids).as_py() != table.num_rows:
        raise RecordsError(f"values of {settings.unique_id_column!r} must be present and unique")
    rows = pa.array(np.arange(row_offset, row_offset + table.num_rows, dtype=np.int64))
    return table.append_column(ROW, rows)


def _arrow_from_pandas(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def connect(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh in-process DuckDB connection."""
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con
