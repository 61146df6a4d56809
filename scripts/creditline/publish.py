"""Write-audit-publish for the DuckDB warehouse file.

The daily run never writes the published file. It copies it to `<name>.building`, builds
and tests there, and only when everything passed moves the copy onto the published path
with `os.replace`, which is atomic on POSIX: a reader opens either the old file or the new
one, never a mix, and a reader that already has the old file open keeps reading it.
"""

import os
import shutil
from pathlib import Path

import duckdb

BUILDING_SUFFIX = ".building"


def building_path(published: Path) -> Path:
    return published.with_name(published.name + BUILDING_SUFFIX)


def wal_path(db: Path) -> Path:
    return db.with_name(db.name + ".wal")


def discard_building(published: Path) -> list[Path]:
    """Remove a copy (and its WAL) left by an earlier run that failed or was killed."""
    removed = []
    for path in (building_path(published), wal_path(building_path(published))):
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed


def prepare_building(published: Path) -> Path:
    """A fresh copy of the published warehouse (with its WAL, if one was left) to build in;
    an empty path when nothing is published yet."""
    discard_building(published)
    building = building_path(published)
    if published.is_file():
        shutil.copyfile(published, building)
        if wal_path(published).is_file():
            shutil.copyfile(wal_path(published), wal_path(building))
    return building


def checkpoint(db: Path) -> None:
    """Fold the WAL into the database file, so the file alone is the whole warehouse."""
    con = duckdb.connect(str(db))
    try:
        con.execute("checkpoint")
    finally:
        con.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(building: Path, published: Path) -> None:
    """Atomically replace the published warehouse with the built copy."""
    checkpoint(building)
    if wal_path(building).exists():
        raise RuntimeError(f"{building} still has a WAL after checkpoint; not publishing")
    _fsync(building)
    # A WAL beside the published file belongs to the old file; it must not meet the new one.
    if wal_path(published).exists():
        wal_path(published).unlink()
    os.replace(building, published)
    _fsync(published.parent)
