""""Xóa dữ liệu của tôi": the citizen withdraws consent and has their conversation data erased.

``action_erase_my_data`` (intent ``erase_my_data``, from anywhere; a form under way is left):

1. without a confirmation it asks one ("Xóa dữ liệu" / "Không xóa"; the buttons send
   ``/erase_my_data{"answer": "erase_yes"|"erase_no"}``) — erasure cannot be undone;
2. confirmed, it asks the intake service to erase what it keeps of the conversation (handoff
   transcripts, call-back requests, ratings, finished notifications; ``POST
   /api/v1/privacy/erasures``, recorded in the intake's audit log as the proof of the request);
   filed dossiers stay with the office, and the citizen is told which;
3. then it tells the citizen, and sends :data:`ERASE_MARKER` (a custom payload the channels never
   show): the Rasa server erases the conversation itself — its tracker (every message, answer and
   the consent record), the web chat's stored messages and uploads, the messages kept for later
   delivery (``connectors.common.erasure``). The next message starts a new conversation.

If the intake cannot be reached nothing is erased and the citizen is asked to try again later
(or call 1900 9068): half an erasure would be worse than none.
"""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import conversation, intake_access
from bot.actions.base import BotAction
from bot.actions.consent import notice
from bot.actions.replies import Button, Reply, payload, send

__all__ = ["CONFIRM", "ERASE_MARKER", "KEEP", "ActionEraseMyData"]

logger = logging.getLogger(__name__)

INTENT = "erase_my_data"
CONFIRM, KEEP = "erase_yes", "erase_no"
ERASE_MARKER = {"bhxh_privacy": "erase_conversation"}
"""Sent as a custom payload after the confirmation: ``connectors.common.erasure`` catches it."""


class ActionEraseMyData(BotAction):
    """``action_erase_my_data``: confirm, erase at the intake, then have the Rasa server erase."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_erase_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Asks for the confirmation, or erases, or keeps everything."""
        texts = notice()
        leave_form: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
        answer = conversation.latest(tracker).entity("answer")
        if answer == KEEP:
            send(dispatcher, [Reply(texts.render("erase_kept"))])
            return leave_form
        if answer != CONFIRM:
            buttons = (
                Button("Xóa dữ liệu", payload(INTENT, answer=CONFIRM)),
                Button("Không xóa", payload(INTENT, answer=KEEP)),
            )
            send(dispatcher, [Reply(texts.render("erase_confirm"), buttons)])
            return leave_form
        channel = str(tracker.get_latest_input_channel() or "rest")
        try:
            kept = await intake_access.erase_conversation(channel, tracker.sender_id)
        except intake_access.IntakeError as error:
            logger.warning("erasure not done, the intake failed: %s", type(error).__name__)
            send(dispatcher, [Reply(texts.render("erase_failed"))])
            return leave_form
        said = [Reply(texts.render("erased"))]
        if kept:
            said.append(
                Reply(texts.render("erased_dossiers", count=len(kept), codes=", ".join(kept)))
            )
        send(dispatcher, said)
        dispatcher.utter_message(json_message=dict(ERASE_MARKER))
        return [*leave_form, AllSlotsReset()]
