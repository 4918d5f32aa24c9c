"""An async httpx client of the intake API contract (docs/contracts.md).

Timeouts, connection errors, HTTP 5xx and 429 are retried with exponential backoff and full
jitter; every other answer is final. A submission always carries an Idempotency-Key that is the
dossier's own id, so a retry (or a later delivery from the outbox) never creates a duplicate.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import ssl
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Literal

import httpx

from backend_client.config import IntakeSettings
from backend_client.exceptions import (
    CodeNotFound,
    CodeUnavailable,
    DossierNotFound,
    FieldError,
    HandoffNotFound,
    HandoffNotOpen,
    IntakeConflict,
    IntakeProtocolError,
    IntakeRejected,
    IntakeUnavailable,
)
from backend_client.handoffs import (
    Attachment,
    CallbackReceipt,
    CallerCode,
    HandoffRequest,
    HandoffTicket,
    HandoffView,
    RelayedMessage,
    WithdrawReason,
)
from backend_client.models import DossierStatus, DossierSubmission, Receipt

__all__ = ["IntakeClient"]

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@functools.lru_cache(maxsize=1)
def shared_tls_context() -> ssl.SSLContext:
    """The TLS settings of every intake client of this process, built once.

    httpx builds a new context for every client, reading the CA certificates again: about 13 %
    of the action server's time in a profile under load, where each action opens a client.
    """
    return httpx.create_ssl_context()


class IntakeClient:
    """Talks to the intake API. Use as an async context manager or call `aclose()`.

    Example::

        async with IntakeClient.from_settings(IntakeSettings.from_env()) as intake:
            receipt = await intake.submit(submission)
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Creates the client.

        Args:
            base_url: the intake service, e.g. "http://127.0.0.1:8000".
            api_key: the bot's API key, sent as X-API-Key.
            timeout: seconds for one request.
            retries: extra attempts after the first one on retryable failures.
            backoff: base delay in seconds; attempt n waits up to backoff * 2**n.
            max_backoff: the cap of one delay.
            transport: an httpx transport (tests pass httpx.MockTransport).
            sleep: the coroutine used to wait between attempts (tests pass a fake).
        """
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers={"X-API-Key": api_key, "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            verify=shared_tls_context(),
        )
        self._retries = retries
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._sleep = sleep

    @classmethod
    def from_settings(cls, settings: IntakeSettings, **kwargs: Any) -> IntakeClient:
        """Creates a client from `IntakeSettings`."""
        return cls(
            settings.base_url,
            settings.api_key,
            timeout=settings.timeout,
            retries=settings.retries,
            **kwargs,
        )

    async def __aenter__(self) -> IntakeClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the connection pool."""
        await self._client.aclose()

    async def submit(self, submission: DossierSubmission) -> Receipt:
        """Submits a dossier; the same submission sent twice yields the same receipt.

        Raises:
            IntakeRejected: a field was refused (the errors say which, in Vietnamese).
            IntakeConflict: the dossier id was used before with other data.
            IntakeUnavailable: the intake could not be reached after the retries.
            IntakeProtocolError: any other answer.
        """
        response = await self._request(
            "POST",
            "/api/v1/dossiers",
            json=submission.body(),
            headers={"Idempotency-Key": submission.dossier_id},
        )
        if response.status_code in (200, 201):
            return Receipt.from_api(self._json(response))
        if response.status_code == 422:
            raise IntakeRejected(self._field_errors(response))
        if response.status_code == 409:
            raise IntakeConflict(f"dossier {submission.dossier_id} was sent with other data")
        raise self._unexpected(response)

    async def get_dossier(self, receipt_code: str) -> DossierStatus:
        """Returns a dossier's status and history (the masked view: the bot only needs the
        status, so the identity and bank fields never travel; issue 17).

        Raises:
            DossierNotFound: no dossier has this receipt code.
        """
        response = await self._request(
            "GET", f"/api/v1/dossiers/{receipt_code}", params={"view": "masked"}
        )
        if response.status_code == 200:
            return DossierStatus.from_api(self._json(response))
        if response.status_code == 404:
            raise DossierNotFound(receipt_code)
        raise self._unexpected(response)

    async def list_dossiers(self, sender_id: str, channel: str) -> list[DossierStatus]:
        """Returns the dossiers submitted from one conversation, newest first."""
        response = await self._request(
            "GET", "/api/v1/dossiers", params={"sender_id": sender_id, "channel": channel}
        )
        if response.status_code != 200:
            raise self._unexpected(response)
        data = self._json(response)
        items = data.get("items", data) if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise IntakeProtocolError("the dossier list is not a list")
        return [DossierStatus.from_api(item) for item in items]

    async def upload_attachment(
        self, receipt_code: str, filename: str, content: bytes, content_type: str
    ) -> dict[str, Any]:
        """Attaches a photo or a PDF to a dossier; returns the intake's description of it."""
        response = await self._request(
            "POST",
            f"/api/v1/dossiers/{receipt_code}/attachments",
            files={"file": (filename, content, content_type)},
        )
        if response.status_code in (200, 201):
            data = self._json(response)
            if not isinstance(data, dict):
                raise IntakeProtocolError("the attachment answer is not an object")
            return data
        if response.status_code == 404:
            raise DossierNotFound(receipt_code)
        if response.status_code in (413, 415, 422):
            errors = self._field_errors(response) or [
                FieldError("file", "Tệp không hợp lệ: chỉ nhận ảnh hoặc PDF, dung lượng vừa phải.")
            ]
            raise IntakeRejected(errors)
        raise self._unexpected(response)

    async def rate(
        self,
        *,
        channel: str,
        sender_id: str,
        score: int,
        comment: str | None = None,
        receipt_code: str | None = None,
    ) -> None:
        """Stores a citizen's rating (1–5) of the help received."""
        body = {
            "channel": channel,
            "sender_id": sender_id,
            "score": score,
            "comment": comment,
            "receipt_code": receipt_code,
        }
        response = await self._request("POST", "/api/v1/ratings", json=body)
        if response.status_code not in (200, 201):
            raise self._unexpected(response)

    # ------------------------------------------------------------------ personal data
    async def erase_conversation(self, *, channel: str, sender_id: str) -> list[str]:
        """Erases what the intake keeps of one conversation (issue 17; the citizen asked).

        Handoff transcripts, call-back requests, ratings and finished notifications go; filed
        dossiers stay with the office.

        Returns:
            The receipt codes of the dossiers kept.

        Raises:
            IntakeUnavailable: the intake could not be reached after the retries.
            IntakeError: any other unexpected answer.
        """
        body = {"channel": channel, "sender_id": sender_id}
        response = await self._request("POST", "/api/v1/privacy/erasures", json=body)
        if response.status_code not in (200, 201):
            raise self._unexpected(response)
        kept = response.json().get("kept_dossiers") or []
        return [str(code) for code in kept]

    # ------------------------------------------------------------------ human handoff
    async def create_handoff(self, request: HandoffRequest) -> HandoffTicket:
        """Hands a conversation to the office; the conversation's open handoff if it has one.

        Retrying is safe: a conversation has at most one open handoff, so a repeated call
        answers the same one (200, ``created`` False).

        Raises:
            IntakeRejected: the body was refused (422).
            IntakeUnavailable: the intake could not be reached after the retries.
            IntakeProtocolError: any other answer.
        """
        response = await self._request("POST", "/api/v1/handoffs", json=request.body())
        if response.status_code in (200, 201):
            return HandoffTicket.from_api(
                self._object(response), created=response.status_code == 201
            )
        if response.status_code == 422:
            raise IntakeRejected(self._field_errors(response))
        raise self._unexpected(response)

    async def post_handoff_message(
        self,
        handoff_id: int,
        text: str,
        *,
        attachments: tuple[Attachment, ...] = (),
        at: str | None = None,
        idempotency_key: str | None = None,
        author: Literal["citizen", "bot"] = "citizen",
    ) -> RelayedMessage:
        """Relays what the citizen wrote while a person owns the conversation.

        With ``author="bot"`` it records what the assistant said to the citizen instead (the
        out-of-hours reply, the call-back question …), so staff read every turn; such a line
        is stored whatever the handoff's status.

        Args:
            handoff_id: the open handoff.
            text: the citizen's text (may be empty when there are attachments).
            attachments: files or places sent with it.
            at: when it was written (ISO 8601); now when absent.
            idempotency_key: the same key on a retry stores the message once.
            author: ``citizen`` (default) or ``bot``.

        Raises:
            HandoffNotOpen: the conversation is back with the assistant (409; citizen lines).
            HandoffNotFound: no such handoff (404).
            IntakeRejected: empty message (422).
        """
        body: dict[str, Any] = {"from": author, "text": text[:4000]}
        if at:
            body["at"] = at
        if attachments:
            body["attachments"] = [item.body() for item in attachments[:10]]
        headers = {"Idempotency-Key": idempotency_key[:200]} if idempotency_key else {}
        response = await self._request(
            "POST", f"/api/v1/handoffs/{handoff_id}/messages", json=body, headers=headers
        )
        if response.status_code in (200, 201):
            return RelayedMessage.from_api(self._object(response))
        if response.status_code == 409:
            raise HandoffNotOpen(f"handoff {handoff_id} is back with the assistant")
        if response.status_code == 404:
            raise HandoffNotFound(str(handoff_id))
        if response.status_code == 422:
            raise IntakeRejected(self._field_errors(response))
        raise self._unexpected(response)

    async def request_callback(
        self, handoff_id: int, phone: str, note: str = ""
    ) -> CallbackReceipt:
        """Leaves the citizen's phone number for a call back (closes a waiting handoff).

        Raises:
            IntakeRejected: the phone number was refused (field ``phone``, Vietnamese message).
            HandoffNotFound: no such handoff (404).
        """
        response = await self._request(
            "POST",
            f"/api/v1/handoffs/{handoff_id}/callback",
            json={"phone": phone, "note": note},
        )
        if response.status_code in (200, 201):
            return CallbackReceipt.from_api(self._object(response))
        if response.status_code == 404:
            raise HandoffNotFound(str(handoff_id))
        if response.status_code == 422:
            raise IntakeRejected(self._field_errors(response))
        raise self._unexpected(response)

    async def active_handoff(self, channel: str, sender_id: str) -> HandoffView | None:
        """The conversation's waiting or claimed handoff; None when the assistant is in charge."""
        response = await self._request(
            "GET",
            "/api/v1/handoffs/active",
            params={"channel": channel, "sender_id": sender_id},
        )
        if response.status_code == 200:
            return HandoffView.from_api(self._object(response))
        if response.status_code == 404:
            return None
        raise self._unexpected(response)

    async def get_handoff(self, handoff_id: int) -> HandoffView:
        """One handoff with its status and the data as corrected by staff.

        Raises:
            HandoffNotFound: no such handoff (404).
        """
        response = await self._request("GET", f"/api/v1/handoffs/{handoff_id}")
        if response.status_code == 200:
            return HandoffView.from_api(self._object(response))
        if response.status_code == 404:
            raise HandoffNotFound(str(handoff_id))
        raise self._unexpected(response)

    async def withdraw_handoff(
        self, handoff_id: int, reason: WithdrawReason = "cancel", at: str | None = None
    ) -> HandoffView | None:
        """Takes the handoff off the staff queue: the citizen cancelled ("hủy", "bắt đầu lại").

        Retrying is safe: a handoff withdrawn before answers the same view again.

        Args:
            handoff_id: the waiting or claimed handoff.
            reason: ``cancel`` or ``restart`` (kept in the intake's audit log).
            at: when the citizen cancelled (ISO 8601 with a time zone); now when absent.

        Returns:
            The withdrawn handoff; None when there was nothing left to withdraw (it ended
            otherwise, 409, or does not exist, 404).

        Raises:
            IntakeRejected: the body was refused (422).
            IntakeUnavailable: the intake could not be reached after the retries.
            IntakeProtocolError: any other answer.
        """
        body: dict[str, Any] = {"reason": reason}
        if at:
            body["at"] = at
        response = await self._request(
            "POST", f"/api/v1/handoffs/{handoff_id}/withdraw", json=body
        )
        if response.status_code == 200:
            return HandoffView.from_api(self._object(response))
        if response.status_code in (404, 409):
            return None
        if response.status_code == 422:
            raise IntakeRejected(self._field_errors(response))
        raise self._unexpected(response)

    async def redeem_code(self, code: str, channel: str, sender_id: str) -> CallerCode:
        """What a staff member prepared for a caller; the code is then used by this conversation.

        The same conversation may redeem it again (a retry).

        Raises:
            CodeNotFound: no such code (404).
            CodeUnavailable: used by another conversation, or expired (410).
        """
        response = await self._request(
            "GET",
            f"/api/v1/handoff-codes/{code}",
            params={"channel": channel, "sender_id": sender_id},
        )
        if response.status_code == 200:
            return CallerCode.from_api(self._object(response))
        if response.status_code == 404:
            raise CodeNotFound(code)
        if response.status_code == 410:
            raise CodeUnavailable(self._detail(response) or "Mã này không còn dùng được.")
        raise self._unexpected(response)

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Sends one request, retrying timeouts, connection errors, 5xx and 429."""
        attempt = 0
        while True:
            try:
                response = await self._client.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                failure = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code not in _RETRYABLE_STATUS:
                    return response
                failure = f"HTTP {response.status_code}"
            if attempt >= self._retries:
                raise IntakeUnavailable(f"{method} {url}: {failure} after {attempt + 1} attempts")
            delay = random.uniform(0, min(self._max_backoff, self._backoff * 2**attempt))
            logger.warning(
                "intake %s %s failed (%s); retrying in %.2fs", method, url, failure, delay
            )
            await self._sleep(delay)
            attempt += 1

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise IntakeProtocolError(f"HTTP {response.status_code}: body is not JSON") from exc

    @classmethod
    def _object(cls, response: httpx.Response) -> dict[str, Any]:
        data = cls._json(response)
        if not isinstance(data, dict):
            raise IntakeProtocolError(f"HTTP {response.status_code}: body is not an object")
        return data

    @staticmethod
    def _detail(response: httpx.Response) -> str | None:
        try:
            detail = response.json().get("detail")
        except (ValueError, AttributeError):
            return None
        return detail if isinstance(detail, str) and detail else None

    @classmethod
    def _field_errors(cls, response: httpx.Response) -> list[FieldError]:
        try:
            detail = response.json().get("detail")
        except (ValueError, AttributeError):
            return []
        if not isinstance(detail, list):
            return [FieldError("", str(detail))] if detail else []
        errors = []
        for item in detail:
            if isinstance(item, dict):
                errors.append(FieldError(str(item.get("field", "")), str(item.get("message", ""))))
        return errors

    @staticmethod
    def _unexpected(response: httpx.Response) -> IntakeProtocolError:
        request = response.request
        return IntakeProtocolError(
            f"HTTP {response.status_code} from {request.method} {request.url.path}"
        )
