"""Short reply templates staff insert into the handoff reply box (edited by administrators)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from intake_service.db import Database
from intake_service.dossiers import SubmissionRejected
from intake_service.models import ReplyTemplate, utcnow

__all__ = ["MAX_TEXT", "MAX_TITLE", "ReplyTemplates"]

MAX_TITLE = 80
MAX_TEXT = 1000


def _checked(title: str, text: str) -> tuple[str, str]:
    title, text = title.strip(), text.strip()
    errors = []
    if not title:
        errors.append(("title", "Cần tên ngắn cho mẫu trả lời."))
    elif len(title) > MAX_TITLE:
        errors.append(("title", f"Tên mẫu dài quá {MAX_TITLE} ký tự."))
    if not text:
        errors.append(("text", "Cần nội dung mẫu trả lời."))
    elif len(text) > MAX_TEXT:
        errors.append(("text", f"Nội dung dài quá {MAX_TEXT} ký tự."))
    if errors:
        raise SubmissionRejected(errors)
    return title, text


@dataclass
class ReplyTemplates:
    """The reply templates of one database.

    Args:
        db: the database.
    """

    db: Database

    def all(self) -> list[ReplyTemplate]:
        """Every template, in display order."""
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(ReplyTemplate).order_by(ReplyTemplate.position, ReplyTemplate.id)
                )
            )

    def add(self, title: str, text: str, actor: str) -> ReplyTemplate:
        """Adds a template at the end.

        Raises:
            SubmissionRejected: empty or too long title or text.
        """
        title, text = _checked(title, text)
        with self.db.transaction() as session:
            last = session.scalar(select(func.max(ReplyTemplate.position))) or 0
            template = ReplyTemplate(
                title=title, text=text, position=last + 1, updated_by=actor, updated_at=utcnow()
            )
            session.add(template)
        return template

    def update(self, template_id: int, title: str, text: str, actor: str) -> ReplyTemplate:
        """Changes a template.

        Raises:
            SubmissionRejected: empty or too long title or text, or no such template.
        """
        title, text = _checked(title, text)
        with self.db.transaction() as session:
            template = session.get(ReplyTemplate, template_id)
            if template is None:
                raise SubmissionRejected([("id", "Không tìm thấy mẫu trả lời.")])
            template.title, template.text = title, text
            template.updated_by, template.updated_at = actor, utcnow()
        return template

    def delete(self, template_id: int) -> ReplyTemplate | None:
        """Removes a template; returns it (None when it did not exist)."""
        with self.db.transaction() as session:
            template = session.get(ReplyTemplate, template_id)
            if template is not None:
                session.delete(template)
        return template
