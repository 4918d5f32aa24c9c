"""Answers about one procedure: overview, documents, processing time, legal basis.

Each action finds the procedure (named in the message, else the conversation's), asks which one
when there is none, and says what the catalog holds.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import catalog_access, clock, conversation, render_procedure
from bot.actions.base import BotAction
from bot.actions.catalog_access import Procedure
from bot.actions.eligibility import answers_for
from bot.actions.replies import Reply, send
from bot.actions.texts import NOT_IN_CATALOG

__all__ = [
    "ActionDocuments",
    "ActionLegalBasis",
    "ActionProcedureOverview",
    "ActionProcessingTime",
    "ProcedureAction",
]

WHICH_PROCEDURE = "Ông/bà muốn hỏi về thủ tục nào?"


class ProcedureAction(BotAction, ABC):
    """An answer about the current procedure; asks which procedure when none is known.

    ``INTENT`` is sent back by the procedure buttons, with the chosen procedure as entity.
    """

    INTENT: ClassVar[str]

    @abstractmethod
    def answer(self, proc: Procedure, tracker: Tracker) -> list[Reply]:
        """The replies about ``proc``."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Answers and remembers the procedure as the conversation's."""
        proc = catalog_access.procedure(conversation.procedure_id(tracker))
        if proc is None:
            send(dispatcher, render_procedure.choose_procedure(WHICH_PROCEDURE, self.INTENT))
            return []
        send(dispatcher, self.answer(proc, tracker))
        return [SlotSet("procedure", proc.id)]


class ActionProcedureOverview(BotAction):
    """The overview of the procedure the citizen named, with the aspect buttons."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_procedure_overview"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Says the overview, or that the procedure is not in the catalog yet."""
        procedure_id = conversation.procedure_from_message(conversation.latest(tracker))
        proc = catalog_access.procedure(procedure_id)
        if proc is None:
            send(dispatcher, [Reply(NOT_IN_CATALOG), *render_procedure.menu(None)])
            return []
        send(dispatcher, render_procedure.overview(proc))
        return [SlotSet("procedure", proc.id)]


class ActionDocuments(ProcedureAction):
    """The documents checklist, tailored to the eligibility answers already given."""

    INTENT = "ask_documents"

    def name(self) -> str:
        """Action name in the domain."""
        return "action_documents"

    def answer(self, proc: Procedure, tracker: Tracker) -> list[Reply]:
        """Numbered documents; those depending on unanswered questions say so."""
        answers = answers_for(tracker.get_slot("eligibility_answers"), proc.id)
        items = catalog_access.checklist(proc, answers, clock.today())
        return render_procedure.documents(proc, items, tailored=bool(answers))


class ActionProcessingTime(ProcedureAction):
    """How long the office has to decide."""

    INTENT = "ask_processing_time"

    def name(self) -> str:
        """Action name in the domain."""
        return "action_processing_time"

    def answer(self, proc: Procedure, tracker: Tracker) -> list[Reply]:
        """The time limit and its legal basis."""
        return render_procedure.processing_time(proc)


class ActionLegalBasis(ProcedureAction):
    """The legal references of the procedure."""

    INTENT = "ask_legal_basis"

    def name(self) -> str:
        """Action name in the domain."""
        return "action_legal_basis"

    def answer(self, proc: Procedure, tracker: Tracker) -> list[Reply]:
        """One reference per line."""
        return render_procedure.legal_basis(proc)
