"""One call to a platform's HTTP API, its failures as typed errors.

The Zalo OA API and the Graph API answer JSON objects; a transport error, an HTTP error status
or an answer that is not JSON means the platform is unavailable (:class:`ChannelUnavailable`).
What the object says (``error`` codes) is read by each platform's client.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import httpx

from connectors.common.errors import ChannelUnavailable


async def json_answer(
    channel: str, path: str, call: Awaitable[httpx.Response], *, failed_from: int
) -> tuple[int, dict[str, Any]]:
    """Awaits one API call and reads its answer.

    Args:
        channel: channel name, for the error.
        path: the API path, for the error (no token).
        call: the request, not awaited yet.
        failed_from: the lowest HTTP status that means the platform failed (Zalo: 400, Graph:
            500, whose 4xx answers carry an ``error`` object).

    Returns:
        The HTTP status and the answer's JSON object (empty for JSON that is not an object).

    Raises:
        ChannelUnavailable: network error or timeout, an HTTP status of ``failed_from`` or
            above, or an answer that is not JSON.
    """
    try:
        response = await call
    except httpx.HTTPError as exc:
        raise ChannelUnavailable(channel, f"{path}: {type(exc).__name__}") from exc
    if response.status_code >= failed_from:
        reason = "server error" if response.status_code >= 500 else "HTTP error"
        raise ChannelUnavailable(channel, f"{path}: {reason}", code=response.status_code)
    try:
        answer = response.json()
    except ValueError as exc:
        raise ChannelUnavailable(channel, f"{path}: answer is not JSON") from exc
    return response.status_code, answer if isinstance(answer, dict) else {}
