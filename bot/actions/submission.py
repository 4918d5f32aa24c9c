"""Where and how to submit (step by step per way), and "Nộp hồ sơ ngay".

The assistant cannot take a dossier yet (the generic catalog-driven form comes with the intake
issue): "Nộp hồ sơ ngay" remembers the procedure in ``submission_procedure`` and shows the ways to
submit today.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bhxh_catalog.vntext import fold
from bot.actions import conversation, render_procedure
from bot.actions.catalog_access import Procedure, SubmissionChannel
from bot.actions.conversation import LatestMessage
from bot.actions.procedure_info import ProcedureAction
from bot.actions.replies import Reply

__all__ = ["ActionStartSubmission", "ActionWhereToSubmit", "channel_asked"]

# Words that name a way to submit in a typed question ("làm trên VssID thế nào?").
_CHANNEL_WORDS = (
    ("vssid", "vssid"),
    ("dich vu cong", "online_portal"),
    ("truc tuyen", "online_portal"),
    ("online", "online_portal"),
    ("buu dien", "post"),
    ("buu chinh", "post"),
    ("truc tiep", "in_person"),
    ("den co quan", "in_person"),
    ("cong ty", "employer"),
    ("don vi", "employer"),
)


def channel_asked(proc: Procedure, message: LatestMessage) -> SubmissionChannel | None:
    """The way to submit the citizen asks about: a button's kind, else words of the message."""
    channels = {channel.kind: channel for channel in proc.submission.channels}
    chosen = message.entity("answer")
    if isinstance(chosen, str) and chosen in channels:
        return channels[chosen]
    if message.is_payload:
        return None
    text = fold(message.text)
    for words, kind in _CHANNEL_WORDS:
        if words in text and kind in channels:
            return channels[kind]
    return None


class ActionWhereToSubmit(ProcedureAction):
    """Where to submit and the ways; the steps of one way when the citizen picked it."""

    INTENT = "ask_where_to_submit"

    def name(self) -> str:
        """Action name in the domain."""
        return "action_where_to_submit"

    def answer(self, proc: Procedure, tracker: Tracker) -> list[Reply]:
        """The chosen way step by step, the only way, or the list of ways."""
        channel = channel_asked(proc, conversation.latest(tracker))
        if channel is None and len(proc.submission.channels) == 1:
            channel = proc.submission.channels[0]
        if channel is not None:
            return render_procedure.submission_channel(proc, channel)
        return render_procedure.submission_overview(proc)


class ActionStartSubmission(ProcedureAction):
    """"Nộp hồ sơ ngay": online submission through the assistant is coming; the ways today."""

    INTENT = "start_submission"

    def name(self) -> str:
        """Action name in the domain."""
        return "action_start_submission"

    def answer(self, proc: Procedure, tracker: Tracker) -> list[Reply]:
        """Explains and offers the ways to submit."""
        return render_procedure.submission_soon(proc)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Also remembers the procedure for the submission form to come."""
        events = await super().run(dispatcher, tracker, domain)
        chosen = [event for event in events if event.get("name") == "procedure"]
        return [*events, *(SlotSet("submission_procedure", event["value"]) for event in chosen)]
