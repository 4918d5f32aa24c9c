"""Zalo OA access tokens: stored durably, refreshed once, never by two processes at a time.

An OA access token lasts 25 hours; the refresh token lasts 3 months and is **single use**: each
refresh returns a new pair and kills the old refresh token. If two processes refreshed with the
same refresh token, one would get an error and, worse, could overwrite the good pair. So:

* the pair lives in the connector database (``connector_oauth_tokens``), one row per app;
* a refresh happens inside a database transaction that holds a lock (SQLite ``BEGIN IMMEDIATE``,
  PostgreSQL ``SELECT … FOR UPDATE``); inside it, the row is read again and, if another process
  already replaced the token we saw as stale, its new token is used and Zalo is not called;
* the new pair is written in that same transaction, before anyone uses it.

The token is refreshed proactively ``refresh_margin_seconds`` before it expires, and on demand
when the API answers -216/-220. The OAuth call is a short synchronous httpx request made in the
worker thread that holds the lock (about once a day).

The store is seeded from ``ZALO_REFRESH_TOKEN``; it is seeded again only when that value changes
(an admin re-consented and configured a new token).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from connectors.common.config import ZaloSettings
from connectors.common.database import ConnectorDatabase, insert_ignoring_conflict, oauth_tokens
from connectors.common.errors import ChannelUnavailable
from connectors.zalo.errors import CHANNEL, ZaloAuthError

logger = logging.getLogger(__name__)

TOKEN_PATH = "/v4/oa/access_token"


@dataclass(frozen=True)
class TokenPair:
    """A stored token pair.

    Attributes:
        access_token: the OA access token (``None`` until the first refresh).
        refresh_token: the refresh token to use next.
        expires_at: when the access token expires, epoch seconds (0 = unknown).
        generation: how many refreshes the row has seen.
    """

    access_token: str | None
    refresh_token: str
    expires_at: float
    generation: int


@dataclass(frozen=True)
class Refreshed:
    """What the OAuth server returned."""

    access_token: str
    refresh_token: str
    expires_in: float


Refresher = Callable[[str], Refreshed]


class OAuthRefresher:
    """Calls ``POST {oauth}/v4/oa/access_token`` with ``grant_type=refresh_token``."""

    def __init__(self, settings: ZaloSettings) -> None:
        """Creates the refresher.

        Args:
            settings: app id, app secret, OAuth base URL and timeout.
        """
        self._settings = settings

    def __call__(self, refresh_token: str) -> Refreshed:
        """Exchanges a refresh token for a new pair (synchronous; run in a worker thread).

        Args:
            refresh_token: the current refresh token (consumed by this call).

        Returns:
            The new pair.

        Raises:
            ZaloAuthError: the OAuth server refused (e.g. -14014 invalid refresh token): an OA
                admin must grant access again.
            ChannelUnavailable: network error or server error.
        """
        s = self._settings
        try:
            with httpx.Client(timeout=s.timeout_seconds) as http:
                response = http.post(
                    s.oauth_base_url + TOKEN_PATH,
                    headers={"secret_key": s.app_secret},
                    data={
                        "refresh_token": refresh_token,
                        "app_id": s.app_id,
                        "grant_type": "refresh_token",
                    },
                )
        except httpx.HTTPError as exc:
            reason = f"token refresh failed: {type(exc).__name__}"
            raise ChannelUnavailable(CHANNEL, reason) from exc
        if response.status_code >= 500:
            raise ChannelUnavailable(CHANNEL, "token refresh failed", code=response.status_code)
        try:
            body = response.json()
        except ValueError as exc:
            raise ChannelUnavailable(CHANNEL, "token refresh: not JSON") from exc
        if not isinstance(body, dict) or not body.get("access_token"):
            code = body.get("error") if isinstance(body, dict) else None
            name = body.get("error_name") if isinstance(body, dict) else None
            raise ZaloAuthError(CHANNEL, f"token refresh refused: {name or 'no token'}", code=code)
        return Refreshed(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]),
            expires_in=float(body.get("expires_in") or 90000),
        )


class ZaloTokens:
    """Hands out a valid access token; refreshes it single-flight across processes."""

    def __init__(
        self,
        settings: ZaloSettings,
        database: ConnectorDatabase,
        refresher: Refresher | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Creates the token manager.

        Args:
            settings: the Zalo settings (seed refresh token, refresh margin).
            database: the connector database.
            refresher: exchanges a refresh token; :class:`OAuthRefresher` by default.
            clock: current epoch seconds.
        """
        self._settings = settings
        self._database = database
        self._refresher = refresher or OAuthRefresher(settings)
        self._clock = clock
        self._account = f"zalo:{settings.app_id}"
        self._seeded = False
        self._cached: TokenPair | None = None
        self._lock = asyncio.Lock()

    async def access_token(self) -> str:
        """Returns an access token valid for at least the refresh margin, refreshing if needed.

        Returns:
            The token to send in the ``access_token`` header.

        Raises:
            ZaloAuthError: no valid token and the refresh was refused.
            ChannelUnavailable: the refresh failed and the current token has expired.
        """
        if self._cached is not None and self._fresh(self._cached):
            return str(self._cached.access_token)
        if not self._seeded:
            await asyncio.to_thread(self.seed)
        stored = await asyncio.to_thread(self.read)
        if stored is not None and self._fresh(stored):
            self._cached = stored
            return str(stored.access_token)
        try:
            return await self.refresh(stored.access_token if stored else None)
        except ChannelUnavailable:
            if stored is not None and stored.access_token and stored.expires_at > self._clock():
                logger.warning("zalo: proactive token refresh failed; using the current token")
                return stored.access_token
            raise

    async def refresh(self, stale_access_token: str | None) -> str:
        """Replaces ``stale_access_token`` unless another worker already did.

        Args:
            stale_access_token: the token the caller found rejected or about to expire.

        Returns:
            A newer access token.
        """
        async with self._lock:
            cached = self._cached
            if (
                cached is not None
                and cached.access_token != stale_access_token
                and self._fresh(cached)
            ):
                return str(cached.access_token)
            if not self._seeded:
                await asyncio.to_thread(self.seed)
            pair = await asyncio.to_thread(self.refresh_locked, stale_access_token)
            self._cached = pair
            return str(pair.access_token)

    def seed(self) -> None:
        """Stores the configured refresh token, unless this very seed was stored before."""
        fingerprint = _fingerprint(self._settings.refresh_token)
        now = self._clock()
        seeded = {
            "access_token": None,
            "refresh_token": self._settings.refresh_token,
            "access_expires_at": 0.0,
            "seed_fingerprint": fingerprint,
            "generation": 0,
            "updated_at": now,
        }
        table = oauth_tokens
        engine = self._database.engine()
        with engine.begin() as conn:
            row = self._locked_row(conn)
            if row is None:
                conn.execute(
                    insert_ignoring_conflict(engine, table, {"account": self._account, **seeded})
                )
            elif row.seed_fingerprint != fingerprint:
                logger.info("zalo: token store seeded again from a new ZALO_REFRESH_TOKEN")
                conn.execute(
                    update(table).where(table.c.account == self._account).values(**seeded)
                )
        self._seeded = True

    def read(self) -> TokenPair | None:
        """Reads the stored pair without locking."""
        table = oauth_tokens
        with self._database.engine().connect() as conn:
            row = conn.execute(select(table).where(table.c.account == self._account)).first()
        return None if row is None else _pair(row)

    def refresh_locked(self, stale_access_token: str | None) -> TokenPair:
        """The critical section: lock the row, re-check, refresh, store (worker thread).

        Args:
            stale_access_token: the token the caller saw.

        Returns:
            The pair to use from now on.

        Raises:
            ZaloAuthError: no stored token, or the OAuth server refused.
            ChannelUnavailable: the OAuth server could not be reached.
        """
        table = oauth_tokens
        with self._database.engine().begin() as conn:
            row = self._locked_row(conn)
            if row is None:
                raise ZaloAuthError(CHANNEL, "no token stored; set ZALO_REFRESH_TOKEN")
            current = _pair(row)
            if (
                current.access_token is not None
                and current.access_token != stale_access_token
                and self._fresh(current)
            ):
                return current
            try:
                refreshed = self._refresher(current.refresh_token)
            except ZaloAuthError:
                logger.error(
                    "zalo: the refresh token was refused; an OA admin must grant access again "
                    "and set a new ZALO_REFRESH_TOKEN (see connectors/README.md)"
                )
                raise
            pair = TokenPair(
                access_token=refreshed.access_token,
                refresh_token=refreshed.refresh_token,
                expires_at=self._clock() + refreshed.expires_in,
                generation=current.generation + 1,
            )
            conn.execute(
                update(table)
                .where(table.c.account == self._account)
                .values(
                    access_token=pair.access_token,
                    refresh_token=pair.refresh_token,
                    access_expires_at=pair.expires_at,
                    generation=pair.generation,
                    updated_at=self._clock(),
                )
            )
        logger.info("zalo: access token refreshed (generation %d)", pair.generation)
        return pair

    def _locked_row(self, conn: Connection) -> Any:
        table = oauth_tokens
        query = select(table).where(table.c.account == self._account).with_for_update()
        return conn.execute(query).first()

    def _fresh(self, pair: TokenPair) -> bool:
        margin = self._settings.refresh_margin_seconds
        return bool(pair.access_token) and pair.expires_at - self._clock() > margin


def _pair(row: Any) -> TokenPair:
    return TokenPair(
        access_token=row.access_token,
        refresh_token=str(row.refresh_token),
        expires_at=float(row.access_expires_at),
        generation=int(row.generation),
    )


def _fingerprint(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode("utf-8")).hexdigest()[:32]
