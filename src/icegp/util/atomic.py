"""Write-then-rename helpers: a crash never leaves a half-written output under its final name."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path, suffix: str | None = None):
    """Yield a temporary path beside `path`; rename it onto `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or ".part", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; outputs get the usual permissions
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_parquet(df, path, metadata: dict | None = None) -> None:
    """DataFrame to parquet atomically; `metadata` goes into the schema as JSON under b"icegp"."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    if metadata is not None:
        meta = dict(table.schema.metadata or {})
        meta[b"icegp"] = json.dumps(metadata, default=str).encode()
        table = table.replace_schema_metadata(meta)
    with atomic_path(path, ".parquet") as tmp:
        pq.write_table(table, tmp)


def read_parquet_metadata(path) -> dict:
    """The JSON metadata written by :func:`write_parquet` ({} when there is none)."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(b"icegp")
    return json.loads(raw) if raw else {}


def write_json(obj, path) -> None:
    with atomic_path(path, ".json") as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")


def write_netcdf(ds, path, **kwargs) -> None:
    with atomic_path(path, ".nc") as tmp:
        ds.to_netcdf(tmp, **kwargs)
