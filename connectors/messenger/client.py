"""A thin async client of the Graph API for Messenger: Send API and thread control.

``POST {graph}/{version}/me/messages`` with the Page access token as the ``access_token`` query
parameter (as Meta documents it) plus ``appsecret_proof``; the httpx log lines are redacted by
:func:`connectors.common.masking.install_log_redaction`. Thread control (``pass_thread_control`` /
``take_thread_control``) hands a conversation to the Page Inbox and takes it back.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from connectors.common.api import json_answer
from connectors.common.config import MessengerSettings
from connectors.common.masking import install_log_redaction
from connectors.messenger.errors import CHANNEL, error_for

logger = logging.getLogger(__name__)


class GraphClient:
    """Calls the Graph API with a shared ``httpx.AsyncClient``."""

    def __init__(self, settings: MessengerSettings, http: httpx.AsyncClient | None = None) -> None:
        """Creates the client.

        Args:
            settings: Page token, app secret, Graph URL and version.
            http: an HTTP client to use (created on first call otherwise).
        """
        self._settings = settings
        self._http = http
        proof = hmac.new(
            settings.app_secret.encode(), settings.page_access_token.encode(), hashlib.sha256
        )
        self._auth = {
            "access_token": settings.page_access_token,
            "appsecret_proof": proof.hexdigest(),
        }

    async def aclose(self) -> None:
        """Closes the HTTP connections."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def send(
        self,
        psid: str,
        message: Mapping[str, Any],
        *,
        messaging_type: str = "RESPONSE",
        tag: str | None = None,
    ) -> dict[str, Any]:
        """Sends one message (``POST /me/messages``).

        Args:
            psid: the citizen's page-scoped id.
            message: the ``message`` object (text, quick_replies, attachment …).
            messaging_type: ``RESPONSE`` (within 24 h), ``UPDATE`` or ``MESSAGE_TAG``.
            tag: with ``MESSAGE_TAG``, e.g. ``HUMAN_AGENT`` (a person's reply within 7 days).

        Returns:
            ``{"recipient_id", "message_id"}``.

        Raises:
            ChannelError: typed error (window closed, unreachable, rate limited, token …).
        """
        body: dict[str, Any] = {
            "recipient": {"id": psid},
            "messaging_type": "MESSAGE_TAG" if tag else messaging_type,
            "message": dict(message),
        }
        if tag:
            body["tag"] = tag
        return await self._post("/me/messages", body)

    async def pass_thread_control(
        self, psid: str, target_app_id: str | None = None, metadata: str = ""
    ) -> None:
        """Hands the conversation to another app (the Page Inbox by default).

        Args:
            psid: the citizen's page-scoped id.
            target_app_id: the receiving app; ``MESSENGER_INBOX_APP_ID`` by default.
            metadata: a note the receiving app sees (≤ 1000 characters).
        """
        body = {
            "recipient": {"id": psid},
            "target_app_id": target_app_id or self._settings.inbox_app_id,
            "metadata": metadata[:1000],
        }
        await self._post("/me/pass_thread_control", body)

    async def take_thread_control(self, psid: str, metadata: str = "") -> None:
        """Takes the conversation back (the assistant answers again).

        Args:
            psid: the citizen's page-scoped id.
            metadata: a note for the app that loses control.
        """
        await self._post(
            "/me/take_thread_control", {"recipient": {"id": psid}, "metadata": metadata[:1000]}
        )

    async def _post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        s = self._settings
        url = f"{s.graph_base_url}/{s.graph_version}{path}"
        call = self._client().post(url, params=self._auth, json=dict(body))
        status, answer = await json_answer(CHANNEL, path, call, failed_from=500)
        error = answer.get("error")
        if status >= 400 or isinstance(error, dict):
            failure = error_for(error if isinstance(error, dict) else {}, status)
            logger.warning("messenger: %s failed: %s", path, failure)
            raise failure
        return answer

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            install_log_redaction()
            self._http = httpx.AsyncClient(timeout=self._settings.timeout_seconds)
        return self._http
