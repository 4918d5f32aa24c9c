"""Two staff members cannot claim the same conversation, nor a claim undo a citizen's cancel.

Conditional UPDATEs decide both races.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from intake_service.db import Database
from intake_service.handoffs import HandoffConflict
from intake_service.models import Handoff, User, WebhookDelivery

from .conftest import ADMIN, STAFF
from .handoff_support import build_app_client, open_handoff


def users(database_url: str) -> list[User]:
    with Database(database_url).session() as session:
        found = [
            session.query(User).filter_by(username=name).one() for name in (ADMIN[0], STAFF[0])
        ]
        for user in found:
            session.expunge(user)
        return found


@pytest.mark.parametrize("rounds", [5])
def test_two_concurrent_claims_give_the_conversation_to_one(
    tmp_path: Path, database_url: str, rounds: int
) -> None:
    first, second = users(database_url)
    first.role = second.role = "staff"  # no administrator privilege in this race
    with build_app_client(tmp_path, database_url) as client:
        service = client.app.state.services.handoffs
        for _ in range(rounds):
            handoff_id = open_handoff(client)["handoff_id"]
            barrier = threading.Barrier(2)
            won: list[str] = []
            lost: list[str] = []

            def claim(
                user: User,
                handoff_id: int = handoff_id,
                barrier: threading.Barrier = barrier,
                won: list[str] = won,
                lost: list[str] = lost,
            ) -> None:
                barrier.wait()
                try:
                    service.claim(handoff_id, user)
                    won.append(user.username)
                except HandoffConflict as exc:
                    lost.append(exc.message)

            threads = [threading.Thread(target=claim, args=(u,)) for u in (first, second)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(won) == 1, (won, lost)
            assert len(lost) == 1 and "đã nhận cuộc trò chuyện này" in lost[0]
            with Database(database_url).session() as session:
                handoff = session.get(Handoff, handoff_id)
                assert handoff is not None
                assert (handoff.status, handoff.claimed_by) == ("claimed", won[0])
                claimed_events = (
                    session.query(WebhookDelivery)
                    .filter_by(handoff_id=handoff_id, event="handoff_claimed")
                    .count()
                )
            assert claimed_events == 1


def test_claiming_again_is_harmless_and_others_are_told_who_has_it(
    tmp_path: Path, database_url: str
) -> None:
    admin, staff = users(database_url)
    with build_app_client(tmp_path, database_url) as client:
        service = client.app.state.services.handoffs
        handoff_id = open_handoff(client)["handoff_id"]
        service.claim(handoff_id, staff)
        assert service.claim(handoff_id, staff).claimed_by == STAFF[0]
        with pytest.raises(HandoffConflict, match="Cán bộ thử"):
            service.claim(handoff_id, admin)
        # Only the owner (or an administrator) may answer or hand back.
        admin.role = "staff"
        with pytest.raises(HandoffConflict, match="phụ trách"):
            service.close(handoff_id, admin)


def claim_while_withdrawing(service: Any, handoff_id: int, user: User) -> tuple[str, bool]:
    """Runs a claim and a withdrawal at the same moment: the claim's outcome, the withdrawal's."""
    barrier = threading.Barrier(2)
    claims: list[str] = []
    withdrawals: list[bool] = []

    def claim() -> None:
        barrier.wait()
        try:
            service.claim(handoff_id, user)
            claims.append("won")
        except HandoffConflict as exc:
            claims.append(exc.message)

    def withdraw() -> None:
        barrier.wait()
        withdrawals.append(service.withdraw(handoff_id)[1])

    threads = [threading.Thread(target=claim), threading.Thread(target=withdraw)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return claims[0], withdrawals[0]


@pytest.mark.parametrize("rounds", [5])
def test_a_claim_and_a_withdrawal_at_once_leave_the_conversation_withdrawn(
    tmp_path: Path, database_url: str, rounds: int
) -> None:
    staff = users(database_url)[1]
    with build_app_client(tmp_path, database_url) as client:
        service = client.app.state.services.handoffs
        for _ in range(rounds):
            handoff_id = open_handoff(client)["handoff_id"]
            claimed, withdrawn = claim_while_withdrawing(service, handoff_id, staff)
            # The withdrawal always ends it; a claim either came first or is told why not.
            assert withdrawn is True
            assert claimed == "won" or "người dân đã hủy yêu cầu" in claimed, claimed
            handoff = service.get(handoff_id)
            assert handoff.status == "withdrawn" and handoff.open_key is None
            assert [m.author for m in handoff.messages].count("system") == 1
            with Database(database_url).session() as session:
                claimed_events = (
                    session.query(WebhookDelivery)
                    .filter_by(handoff_id=handoff_id, event="handoff_claimed")
                    .count()
                )
            assert claimed_events == (1 if claimed == "won" else 0)
