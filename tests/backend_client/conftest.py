"""What the intake client's tests share: an intake on ``httpx.MockTransport`` with set answers."""

from __future__ import annotations

import httpx

from backend_client import IntakeClient


class Recorder:
    """An intake that gives the set answers in turn and records the requests and back-off sleeps.

    Each answer is an ``httpx.Response`` or an exception raised as the transport's failure.
    """

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.delays: list[float] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        """Records the request and gives the next answer."""
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def sleep(self, delay: float) -> None:
        """Records a back-off instead of waiting."""
        self.delays.append(delay)

    def client(self, retries: int = 3) -> IntakeClient:
        """A client of this intake (``http://intake``, API key ``key-123``)."""
        return IntakeClient(
            "http://intake",
            "key-123",
            retries=retries,
            transport=httpx.MockTransport(self.handler),
            sleep=self.sleep,
        )
