"""A thin async client of the Zalo OA Open API v3.

No maintained Python SDK targets OA API v3 (see connectors/README.md), so this client covers
what the assistant needs: customer-service messages, ZBS template messages, uploads, user
details and the message quota.
Every call sends the OA access token in the ``access_token`` header (never in the URL), checks
``error`` in the body (Zalo answers HTTP 200 with ``error != 0``), and on -216/-220 refreshes
the token and retries once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, Protocol

import httpx

from connectors.common.api import json_answer
from connectors.common.config import ZaloSettings
from connectors.common.masking import mask_id
from connectors.zalo.errors import CHANNEL, TOKEN_ERRORS, ZaloAuthError, error_for

logger = logging.getLogger(__name__)

MESSAGE_PATH = "/v3.0/oa/message/cs"
TEMPLATE_PATH = "/v3.0/oa/message/template"
UPLOAD_IMAGE_PATH = "/v2.0/oa/upload/image"
UPLOAD_FILE_PATH = "/v2.0/oa/upload/file"
USER_DETAIL_PATH = "/v3.0/oa/user/detail"
QUOTA_PATH = "/v3.0/oa/quota/message"


class TokenSource(Protocol):
    """Where the client gets access tokens (:class:`connectors.zalo.tokens.ZaloTokens`)."""

    async def access_token(self) -> str:
        """Returns a valid access token."""

    async def refresh(self, stale_access_token: str | None) -> str:
        """Returns a newer token than ``stale_access_token``."""


class ZaloClient:
    """Calls the OA API with a shared ``httpx.AsyncClient``."""

    def __init__(
        self,
        settings: ZaloSettings,
        tokens: TokenSource,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        """Creates the client.

        Args:
            settings: base URL and timeout.
            tokens: access-token source.
            http: an HTTP client to use (created on first call otherwise).
        """
        self._settings = settings
        self._tokens = tokens
        self._http = http

    async def aclose(self) -> None:
        """Closes the HTTP connections."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def send_message(
        self, user_id: str, message: Mapping[str, Any], *, reply_to: str | None = None
    ) -> dict[str, Any]:
        """Sends a customer-service message (``POST /v3.0/oa/message/cs``).

        Args:
            user_id: the citizen's OA-scoped id.
            message: the ``message`` object (text, attachment …).
            reply_to: the citizen's message id; when given the recipient is that message.

        Returns:
            ``data`` of the answer (``message_id``, ``user_id``, ``quota`` …).

        Raises:
            ChannelError: a typed error for Zalo's ``error`` code (window closed, not following,
                rate limited, invalid message, token refused) or ChannelUnavailable.
        """
        recipient = {"message_id": reply_to} if reply_to else {"user_id": user_id}
        body = {"recipient": recipient, "message": dict(message)}
        data = await self._call("POST", MESSAGE_PATH, json_body=body)
        logger.debug("zalo: message sent to %s", mask_id(user_id))
        return data

    async def send_template(
        self, user_id: str, template_id: str, template_data: Mapping[str, str]
    ) -> dict[str, Any]:
        """Sends a ZBS template message (``POST /v3.0/oa/message/template``; unverified).

        Zalo accepts it outside the 7-day window of customer-service messages, for templates
        the office registered and Zalo approved.

        Args:
            user_id: the citizen's OA-scoped id.
            template_id: the approved template.
            template_data: a value for each of the template's parameters.

        Returns:
            ``data`` of the answer.

        Raises:
            ChannelError: a typed error for Zalo's ``error`` code, or ChannelUnavailable.
        """
        body = {
            "user_id": user_id,
            "template_id": template_id,
            "template_data": dict(template_data),
        }
        data = await self._call("POST", TEMPLATE_PATH, json_body=body)
        logger.debug("zalo: template %s sent to %s", template_id, mask_id(user_id))
        return data

    async def upload_image(self, content: bytes, filename: str, content_type: str) -> str:
        """Uploads a JPG/PNG (≤ 1 MB) and returns its ``attachment_id``."""
        data = await self._call(
            "POST", UPLOAD_IMAGE_PATH, files={"file": (filename, content, content_type)}
        )
        return str(data.get("attachment_id", ""))

    async def upload_file(self, content: bytes, filename: str, content_type: str) -> str:
        """Uploads a PDF/DOC/DOCX (≤ 5 MB) and returns its file ``token``."""
        data = await self._call(
            "POST", UPLOAD_FILE_PATH, files={"file": (filename, content, content_type)}
        )
        return str(data.get("token", ""))

    async def user_detail(self, user_id: str) -> dict[str, Any]:
        """Returns the follower's profile (``display_name``, ``user_is_follower`` …)."""
        params = {"data": json.dumps({"user_id": user_id})}
        return await self._call("GET", USER_DETAIL_PATH, params=params)

    async def quota(self, user_id: str) -> dict[str, Any]:
        """Returns the reply quota for a citizen (shape unverified; passed through as is)."""
        return await self._call("POST", QUOTA_PATH, json_body={"user_id": user_id})

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> dict[str, Any]:
        token = await self._tokens.access_token()
        body = await self._request(method, path, token, json_body, params, files)
        code = _error_code(body)
        if code in TOKEN_ERRORS:
            logger.info("zalo: access token rejected (%s); refreshing and retrying once", code)
            token = await self._tokens.refresh(token)
            body = await self._request(method, path, token, json_body, params, files)
            code = _error_code(body)
            if code in TOKEN_ERRORS:
                message = str(body.get("message") or "token refused")
                raise ZaloAuthError(CHANNEL, message, code=code)
        if code != 0:
            message = str(body.get("message") or "")
            logger.warning("zalo: %s %s failed: %s %s", method, path, code, message)
            raise error_for(code, message)
        data = body.get("data")
        return data if isinstance(data, dict) else {}

    async def _request(
        self,
        method: str,
        path: str,
        token: str,
        json_body: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
        files: Mapping[str, tuple[str, bytes, str]] | None,
    ) -> dict[str, Any]:
        call = self._client().request(
            method,
            self._settings.api_base_url + path,
            headers={"access_token": token},
            json=dict(json_body) if json_body is not None else None,
            params=dict(params) if params is not None else None,
            files=dict(files) if files is not None else None,
        )
        _, body = await json_answer(CHANNEL, path, call, failed_from=400)
        return body

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self._settings.timeout_seconds)
        return self._http


def _error_code(body: Mapping[str, Any]) -> int:
    try:
        return int(body.get("error", 0) or 0)
    except (TypeError, ValueError):
        return -1
