"""Two staff members cannot claim the same conversation (a conditional UPDATE decides)."""

from __future__ import annotations

import threading
from pathlib import Path

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
