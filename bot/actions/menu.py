"""What the assistant can do (the menu), and a bare answer given outside any question."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import attachments, catalog_access, conversation, handoff, render_procedure
from bot.actions.base import BotAction
from bot.actions.caller_codes import caller_code_in, names_a_code
from bot.actions.render_status import receipt_code_in
from bot.actions.replies import Button, Reply, payload, send
from bot.actions.status import attach_files, status_replies
from bot.actions.submission_form import ATTACHMENTS_SLOT
from bot.actions.submit import RECEIPT_SLOT

__all__ = ["ActionInform", "ActionMenu"]

WHICH_PROCEDURE = "Cảm ơn ông/bà. Ông/bà cần hỗ trợ về thủ tục nào?"
FILES_KEPT = (
    "Tôi đã nhận ảnh/tệp của ông/bà. Khi ông/bà nộp hồ sơ qua trợ lý, tôi sẽ đính kèm vào hồ sơ."
)


class ActionMenu(BotAction):
    """The procedure groups, or the procedures of the group the citizen picked."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Shows the menu (``/ask_capabilities{"answer": "<category>"}`` opens one group)."""
        category = conversation.latest(tracker).entity("answer")
        send(dispatcher, render_procedure.menu(category if isinstance(category, str) else None))
        return []


class ActionInform(BotAction):
    """A bare answer outside a question: photos, a receipt code, a caller's code, a procedure.

    Photos and files go to the dossier last sent (e.g. after "cần bổ sung"), else they are kept
    for the next dossier; a receipt code gives that dossier's status.
    """

    def name(self) -> str:
        """Action name in the domain."""
        return "action_inform"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Attaches files, looks a code up, shows the named procedure or the menu."""
        files = attachments.from_metadata((tracker.latest_message or {}).get("metadata"))
        if files:
            return await self._files(files, tracker, dispatcher)
        text = conversation.latest(tracker).text
        code = receipt_code_in(text)
        if code is not None:
            send(dispatcher, await status_replies(tracker, code))
            return []
        caller = caller_code_in(text)
        if caller is not None:
            events = await handoff.caller_code(caller, names_a_code(text), tracker, dispatcher)
            if events is not None:
                return events
        proc = catalog_access.procedure(
            conversation.procedure_from_message(conversation.latest(tracker))
        )
        if proc is None:
            send(dispatcher, render_procedure.featured(WHICH_PROCEDURE))
            return []
        send(dispatcher, render_procedure.overview(proc))
        return [SlotSet("procedure", proc.id)]

    @staticmethod
    async def _files(
        files: list[dict[str, object]], tracker: Tracker, dispatcher: CollectingDispatcher
    ) -> list[EventType]:
        receipt = tracker.get_slot(RECEIPT_SLOT)
        if isinstance(receipt, str) and receipt:
            await attach_files(receipt, files, dispatcher)
            return []
        kept = tracker.get_slot(ATTACHMENTS_SLOT)
        button = Button("Nộp hồ sơ ngay", payload("start_submission"))
        send(dispatcher, [Reply(FILES_KEPT, (button,))])
        return [SlotSet(ATTACHMENTS_SLOT, [*(kept if isinstance(kept, list) else []), *files])]
