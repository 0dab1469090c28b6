"""SQLite cache of judge replies, so a re-run costs no calls and a killed run resumes.

Key: sha256 of (judge model, template version, rendered-prompt hash, decoding params).
Only real replies are stored (whatever their text: a reply that fails to parse is as
reproducible at temperature 0 as one that parses). Transport failures — timeouts,
429, 5xx, dead server — are never stored, so a later run tries them again.

Why it survives a kill: every reply is committed in its own transaction the moment it
arrives (WAL journal), and SQLite makes each commit all-or-nothing, so a run killed
half-way leaves every finished reply behind and never a torn row. One connection is
shared by the worker threads behind a lock; the cost is negligible next to an HTTP call.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness_ext.errors import DataFileError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS replies (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    template_version TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    params TEXT NOT NULL,
    reply TEXT NOT NULL,
    latency_s REAL NOT NULL,
    created REAL NOT NULL
)
"""


@dataclass(frozen=True)
class CachedReply:
    """A stored reply and how long the original call took."""

    reply: str
    latency_s: float


def cache_key(model: str, template_version: str, prompt_hash: str, params: dict[str, Any]) -> str:
    """The cache key: one sha256 over the four parts, params as canonical JSON."""
    blob = json.dumps(
        [model, template_version, prompt_hash, params], sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class JudgeCache:
    """A reply cache in one SQLite file (created on first use).

    Args:
        path: The database file; its folder is created if missing.

    Raises:
        DataFileError: The file exists but is not a usable SQLite database.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        fix = "delete the file, or point TOOLPLAN_JUDGE_CACHE (or --cache) elsewhere"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: autocommit; each INSERT is its own durable transaction.
            self._db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=30
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.DatabaseError) as e:
            raise DataFileError(self.path, f"cannot be used as the judge cache ({e})", fix) from e

    def get(self, key: str) -> CachedReply | None:
        """The stored reply for ``key``, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT reply, latency_s FROM replies WHERE key = ?", (key,)
            ).fetchone()
        return CachedReply(row[0], row[1]) if row else None

    def put(
        self,
        key: str,
        *,
        model: str,
        template_version: str,
        prompt_hash: str,
        params: dict[str, Any],
        reply: str,
        latency_s: float,
    ) -> None:
        """Store one reply (first writer wins; a duplicate key is ignored)."""
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO replies VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    model,
                    template_version,
                    prompt_hash,
                    json.dumps(params, sort_keys=True),
                    reply,
                    latency_s,
                    time.time(),
                ),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM replies").fetchone()[0])

    def close(self) -> None:
        """Close the connection (the data is already committed)."""
        with self._lock:
            self._db.close()
