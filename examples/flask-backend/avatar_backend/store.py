"""SQLite persistence: issued uploads, their outcome, and webhook event ids seen (replay guard).

The current avatar is the newest *issued* upload that became ready, so a late or redelivered
notification for an older upload never replaces a newer picture.
"""

from __future__ import annotations

import sqlite3
import time

SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    upload_id   TEXT NOT NULL UNIQUE,
    sub         TEXT NOT NULL,
    issued_at   REAL NOT NULL,
    status      TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'ready', 'rejected')),
    avatar_key  TEXT,
    variants    TEXT NOT NULL DEFAULT '',
    width       INTEGER,
    height      INTEGER,
    error       TEXT,
    updated_at  REAL
);
CREATE INDEX IF NOT EXISTS uploads_by_sub ON uploads (sub, status, seq);
CREATE TABLE IF NOT EXISTS webhook_events (
    event_id    TEXT PRIMARY KEY,
    received_at REAL NOT NULL
);
"""


def connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=10)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    return db


def init(path: str) -> None:
    with connect(path) as db:
        db.executescript(SCHEMA)
        # A database from before the avatar variants (AVIF/WebP beside the JPEG) gains the column.
        if "variants" not in {row["name"] for row in db.execute("PRAGMA table_info(uploads)")}:
            db.execute("ALTER TABLE uploads ADD COLUMN variants TEXT NOT NULL DEFAULT ''")


def record_upload(db: sqlite3.Connection, sub: str, upload_id: str) -> None:
    with db:
        db.execute(
            "INSERT INTO uploads (upload_id, sub, issued_at) VALUES (?, ?, ?)",
            (upload_id, sub, time.time()),
        )


def upload(db: sqlite3.Connection, sub: str, upload_id: str) -> sqlite3.Row | None:
    return db.execute(
        "SELECT * FROM uploads WHERE sub = ? AND upload_id = ?", (sub, upload_id)
    ).fetchone()


def mark_ready(db, sub, upload_id, avatar_key, width, height, variants="") -> None:
    """`variants`: the other encodings' formats, comma-separated, preferred first. A backfill
    notifies again for an upload that is ready already, with the same key and more variants."""
    with db:
        db.execute(
            "UPDATE uploads SET status = 'ready', avatar_key = ?, width = ?, height = ?, variants = ?,"
            " error = NULL, updated_at = ? WHERE sub = ? AND upload_id = ?",
            (avatar_key, width, height, variants, time.time(), sub, upload_id),
        )


def mark_rejected(db, sub, upload_id, error) -> None:
    with db:
        db.execute(
            "UPDATE uploads SET status = 'rejected', error = ?, updated_at = ?"
            " WHERE sub = ? AND upload_id = ? AND status = 'issued'",
            (error, time.time(), sub, upload_id),
        )


def current_avatar(db: sqlite3.Connection, sub: str) -> sqlite3.Row | None:
    return db.execute(
        "SELECT * FROM uploads WHERE sub = ? AND status = 'ready' ORDER BY seq DESC LIMIT 1", (sub,)
    ).fetchone()


def first_sighting(db: sqlite3.Connection, event_id: str, window: int) -> bool:
    """Records a webhook event id; False if it was seen before (a replay). Ids older than the
    signature window are pruned: a replay that old already fails the timestamp check."""
    now = time.time()
    with db:
        db.execute("DELETE FROM webhook_events WHERE received_at < ?", (now - 2 * window,))
        inserted = db.execute(
            "INSERT OR IGNORE INTO webhook_events (event_id, received_at) VALUES (?, ?)",
            (event_id, now),
        ).rowcount
    return inserted == 1
