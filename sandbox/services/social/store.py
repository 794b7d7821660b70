"""The social app's own SQLite database: the only module with SQL.

What is here, and what is deliberately not (audit rules SOC-DATA and SOC-ORDER):

- people: handle, display name, creator flag, followers, a *hash* of their session token and
  the opaque `link_token` the marketplace gave them. No NIK, no address, no phone, no bank or
  virtual account number.
- videos and the product ids tagged in them. Not prices or stock: those are fetched live from
  the marketplace every time a video is opened.
- orders: only the order id, whose order it is, the video it came from and the last status the
  marketplace told us. No amounts, no items, no payment data: the order lives at the
  marketplace, this table is only the "my orders" list.
- notifications: ids of webhooks already handled, so a retried webhook has no effect twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from sandbox.framework.institution_store import InstitutionStore
from sandbox.services.social import rules

migrations = sqlite_utils.Migrations("social")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    """The first schema."""
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("""
        CREATE TABLE users (
            user_id INTEGER PRIMARY KEY,
            handle TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            is_creator INTEGER NOT NULL,
            followers INTEGER NOT NULL,
            session_hash TEXT NOT NULL UNIQUE,  -- sha256 of the token, never the token
            link_token TEXT NOT NULL            -- opaque id of their marketplace buyer account
        )""")
    db.execute("""
        CREATE TABLE videos (
            video_id INTEGER PRIMARY KEY,
            creator_id INTEGER NOT NULL REFERENCES users(user_id),
            caption TEXT NOT NULL,
            views INTEGER NOT NULL,
            likes INTEGER NOT NULL,
            posted_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX videos_newest ON videos (posted_at DESC, video_id DESC)")
    db.execute("CREATE INDEX videos_by_creator ON videos (creator_id)")
    db.execute("""
        CREATE TABLE video_products (
            video_id INTEGER NOT NULL REFERENCES videos(video_id),
            product_id INTEGER NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (video_id, product_id)
        )""")
    db.execute("""
        CREATE TABLE orders (
            order_id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(user_id),
            video_id INTEGER,
            status TEXT NOT NULL,
            update_time REAL,         -- the marketplace's time of that status (NULL: none yet)
            updated_at REAL NOT NULL,
            created_at REAL NOT NULL
        )""")
    db.execute("CREATE INDEX orders_by_user ON orders (user_id, created_at)")
    db.execute("""
        CREATE TABLE notifications (
            notification_id TEXT PRIMARY KEY,
            order_id TEXT NOT NULL,
            status TEXT NOT NULL,
            update_time REAL NOT NULL,
            received_at REAL NOT NULL,
            outcome TEXT NOT NULL     -- applied, stale, unknown_order
        )""")
    db.execute("CREATE INDEX notifications_by_order ON notifications (order_id)")


@migrations()
def m002_purchases(db: sqlite_utils.Database) -> None:
    """Purchases in flight: written before we ask the marketplace, so an order whose answer is
    lost on the way back can still be matched to the person when its webhook arrives."""
    db.execute("""
        CREATE TABLE purchases (
            purchase_id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(user_id),
            video_id INTEGER NOT NULL,
            order_id TEXT,            -- NULL until the marketplace's answer or webhook names it
            created_at REAL NOT NULL
        )""")


TABLES_CHILD_FIRST = (
    "notifications",
    "purchases",
    "orders",
    "video_products",
    "videos",
    "users",
    "meta",
)
"""Deleting in this order never breaks a foreign key."""


def session_hash(token: str) -> str:
    """How a session token is stored: like a password, a copy of the database cannot log in.

    Looking rows up by this hash also means a timing difference in the lookup tells an attacker
    about the hash, not about any real token.
    """
    return hashlib.sha256(token.encode()).hexdigest()


class SocialStore(InstitutionStore):
    """Reads and writes of the social app, each one a short method. A reset drops orders and
    notifications."""

    migrations = migrations
    TABLES = TABLES_CHILD_FIRST

    # --- seeding ------------------------------------------------------------------------------

    def insert_seed(self, seed: Mapping[str, Any]) -> None:
        """The seeded world: users (sessions only as hashes), videos and the products in them."""
        data = seed["data"]
        self.db.table("users").insert_all(
            (
                {
                    "user_id": u["user_id"],
                    "handle": u["handle"],
                    "display_name": u["display_name"],
                    "is_creator": int(u["is_creator"]),
                    "followers": u["followers"],
                    "session_hash": session_hash(u["session_token"]),
                    "link_token": u["link_token"],
                }
                for u in data["users"]
            ),
            batch_size=500,
        )
        self.db.table("videos").insert_all(
            (
                {
                    "video_id": v["video_id"],
                    "creator_id": v["creator_id"],
                    "caption": v["caption"],
                    "views": v["views"],
                    "likes": v["likes"],
                    "posted_at": v["posted_at"],
                }
                for v in data["videos"]
            ),
            batch_size=500,
        )
        self.db.table("video_products").insert_all(
            (
                {"video_id": v["video_id"], "product_id": pid, "position": i}
                for v in data["videos"]
                for i, pid in enumerate(v["product_ids"])
            ),
            batch_size=500,
        )
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES ('seed', ?)", [json.dumps(seed.get("seed"))]
        )

    # --- people -------------------------------------------------------------------------------

    def user_by_session(self, token: str) -> dict[str, Any] | None:
        """The person a session token belongs to, or None."""
        rows = self.db.query("SELECT * FROM users WHERE session_hash = ?", [session_hash(token)])
        return next(iter(rows), None)

    def user_by_handle(self, handle: str) -> dict[str, Any] | None:
        """A person by their public handle, or None."""
        return next(iter(self.db.query("SELECT * FROM users WHERE handle = ?", [handle])), None)

    # --- videos -------------------------------------------------------------------------------

    _VIDEO_SELECT = """
        SELECT v.*, u.handle, u.display_name,
               (SELECT json_group_array(product_id) FROM
                   (SELECT product_id FROM video_products p
                    WHERE p.video_id = v.video_id ORDER BY position)) AS product_ids
        FROM videos v JOIN users u ON u.user_id = v.creator_id"""

    def feed(self, limit: int, after: tuple[str, int] | None) -> list[dict[str, Any]]:
        """Up to `limit + 1` videos, newest first, strictly after the cursor position."""
        sql, params = self._VIDEO_SELECT, []
        if after is not None:
            sql += " WHERE (v.posted_at < ? OR (v.posted_at = ? AND v.video_id < ?))"
            params = [after[0], after[0], after[1]]
        sql += " ORDER BY v.posted_at DESC, v.video_id DESC LIMIT ?"
        return [_video(row) for row in self.db.query(sql, [*params, limit + 1])]

    def video(self, video_id: int) -> dict[str, Any] | None:
        """One video with its creator and tagged product ids, or None."""
        rows = self.db.query(self._VIDEO_SELECT + " WHERE v.video_id = ?", [video_id])
        return next((_video(row) for row in rows), None)

    def videos_by(self, creator_id: int, limit: int = 50) -> list[dict[str, Any]]:
        """A creator's newest videos."""
        sql = (
            self._VIDEO_SELECT + " WHERE v.creator_id = ?"
            " ORDER BY v.posted_at DESC, v.video_id DESC LIMIT ?"
        )
        return [_video(row) for row in self.db.query(sql, [creator_id, limit])]

    # --- orders -------------------------------------------------------------------------------

    def add_order(
        self, order_id: str, user_id: int, video_id: int, status: str, now: float
    ) -> None:
        """Remember an order the marketplace just created for this person.

        A webhook about the order can overtake the marketplace's answer to our create call
        (the marketplace sends it as soon as the order exists). Such a webhook was kept in
        `notifications` as `unknown_order`; we apply the newest of them here.
        """
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO orders (order_id, user_id, video_id, status, update_time, "
                "updated_at, created_at) VALUES (?, ?, ?, ?, NULL, ?, ?)",
                [order_id, user_id, video_id, status, now, now],
            )
            early = list(
                self.db.query(
                    "SELECT * FROM notifications WHERE order_id = ? ORDER BY received_at",
                    [order_id],
                )
            )
            for note in early:
                self._apply(order_id, note["status"], note["update_time"])

    def start_purchase(self, purchase_id: str, user_id: int, video_id: int, now: float) -> None:
        """Note a purchase before asking the marketplace for its order."""
        self.db.execute(
            "INSERT OR IGNORE INTO purchases (purchase_id, user_id, video_id, order_id, "
            "created_at) "
            "VALUES (?, ?, ?, NULL, ?)",
            [purchase_id, user_id, video_id, now],
        )

    def finish_purchase(self, purchase_id: str, order_id: str) -> None:
        """The marketplace named the order of this purchase."""
        self.db.execute(
            "UPDATE purchases SET order_id = ? WHERE purchase_id = ?", [order_id, purchase_id]
        )

    def orders_of(self, user_id: int, limit: int = 100) -> list[dict[str, Any]]:
        """The person's orders, newest first."""
        return list(
            self.db.query(
                "SELECT * FROM orders WHERE user_id = ? ORDER BY created_at DESC, rowid DESC "
                "LIMIT ?",
                [user_id, limit],
            )
        )

    def order_of(self, user_id: int, order_id: str) -> dict[str, Any] | None:
        """One order, only if it is this person's."""
        rows = self.db.query(
            "SELECT * FROM orders WHERE order_id = ? AND user_id = ?", [order_id, user_id]
        )
        return next(iter(rows), None)

    def receive_update(
        self,
        notification_id: str,
        order_id: str,
        status: str,
        update_time: float,
        now: float,
        purchase_id: str | None = None,
    ) -> str:
        """Handle one order-status webhook once; returns what happened.

        `duplicate`: this notification id was handled before (a retry): no effect.
        `recovered`: the order of one of our purchases whose create answer never came back
        (matched by `purchase_id`): now the person's order. `unknown_order`: not an order this
        app created (kept, in case our create call is still on its way back). `stale`: older
        than what we already know. `applied`.
        """
        with self.db.atomic():
            seen = self.db.query(
                "SELECT 1 FROM notifications WHERE notification_id = ?", [notification_id]
            )
            if list(seen):
                return "duplicate"
            order = next(
                iter(self.db.query("SELECT * FROM orders WHERE order_id = ?", [order_id])), None
            )
            purchase = (
                next(
                    iter(
                        self.db.query(
                            "SELECT * FROM purchases WHERE purchase_id = ? AND order_id IS NULL",
                            [purchase_id],
                        )
                    ),
                    None,
                )
                if purchase_id and order is None
                else None
            )
            if purchase is not None:
                self.db.execute(
                    "INSERT INTO orders (order_id, user_id, video_id, status, update_time, "
                    "updated_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        order_id,
                        purchase["user_id"],
                        purchase["video_id"],
                        status,
                        update_time,
                        now,
                        purchase["created_at"],
                    ],
                )
                self.db.execute(
                    "UPDATE purchases SET order_id = ? WHERE purchase_id = ?",
                    [order_id, purchase_id],
                )
                outcome = "recovered"
            elif order is None:
                outcome = "unknown_order"
            elif self._apply(order_id, status, update_time):
                outcome = "applied"
            else:
                outcome = "stale"
            self.db.execute(
                "INSERT INTO notifications (notification_id, order_id, status, update_time, "
                "received_at, outcome) VALUES (?, ?, ?, ?, ?, ?)",
                [notification_id, order_id, status, update_time, now, outcome],
            )
            return outcome

    def _apply(self, order_id: str, status: str, update_time: float) -> bool:
        """Set the order's status if this update is newer than what we have (see rules)."""
        row = next(
            iter(
                self.db.query(
                    "SELECT status, update_time FROM orders WHERE order_id = ?", [order_id]
                )
            )
        )
        if not rules.is_newer((row["update_time"], row["status"]), (update_time, status)):
            return False
        self.db.execute(
            "UPDATE orders SET status = ?, update_time = ?, updated_at = ? WHERE order_id = ?",
            [status, update_time, update_time, order_id],
        )
        return True


def _video(row: dict[str, Any]) -> dict[str, Any]:
    """A video row with its product ids as a list."""
    return {**row, "product_ids": json.loads(row["product_ids"] or "[]")}
