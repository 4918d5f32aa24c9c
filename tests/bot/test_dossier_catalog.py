"""Every procedure of the real catalog can be collected: examples valid, messages well formed."""

from __future__ import annotations

import unicodedata

import pytest

from bhxh_catalog.config import CATALOG_DIR_ENV
from bot.actions import catalog_access, dossier, render_dossier
from bot.actions.dossier import DossierState
from bot.actions.replies import MAX_BUTTONS, Reply
from tests.bot.conftest import TODAY

pytestmark = pytest.mark.usefixtures("real_catalog")


def procedure_ids() -> list[str]:
    import os

    saved = os.environ.pop(CATALOG_DIR_ENV, None)
    try:
        return [proc.id for proc in catalog_access.all_procedures()]
    finally:
        if saved is not None:
            os.environ[CATALOG_DIR_ENV] = saved


def check(replies: list[Reply]) -> None:
    assert replies
    for reply in replies:
        assert reply.text.strip()
        assert unicodedata.is_normalized("NFC", reply.text)
        assert "bạn" not in reply.text.lower()
        assert len(reply.buttons) <= MAX_BUTTONS


def an_answer(item) -> object:
    if item.type == "yes_no":
        return "có"
    if item.options:
        return item.options[0].value
    return item.example


@pytest.mark.parametrize("procedure_id", procedure_ids())
def test_every_field_can_be_asked_read_and_summed_up(procedure_id):
    proc = catalog_access.procedure(procedure_id)
    assert proc is not None and proc.fields
    fields: dict[str, object] = {}
    for item in proc.fields:
        check(render_dossier.field_prompt(item, not item.required))
        check(render_dossier.field_help(item, None, not item.required))
        raw = an_answer(item)
        assert raw, f"{procedure_id}.{item.id} has no example to show"
        fields[item.id] = dossier.read_field(DossierState(proc), item, raw)
        if item.example and item.type not in ("yes_no", "choice"):
            assert "Ví dụ" in render_dossier.field_prompt(item, False)[0].text
    state = DossierState(proc, {}, fields)
    rows = [(item, fields.get(item.id)) for item in dossier.active_fields(state, TODAY)]
    check(render_dossier.summary(proc, rows, [], dossier.documents(state, TODAY)))
    check(
        render_dossier.receipt(
            proc,
            "HS-7K3M-9Q2P",
            proc.submission.processing_time.describe(),
            dossier.paper_documents(state, TODAY),
        )
    )
    check(render_dossier.choose_document(1, dossier.documents(state, TODAY)))
