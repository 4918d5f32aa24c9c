"""domain.yml, the rules and the action package agree with each other and with the catalog."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import ActionExecutor

from bot.actions import catalog_access
from bot.actions.question_loop import NEVER_AN_ANSWER
from bot.actions.texts import MAIN_MENU

ROOT = Path(__file__).resolve().parents[2]
# Rasa's own actions that the domain lists only to override them.
OVERRIDDEN_DEFAULTS = {"action_restart", "action_default_fallback"}


pytestmark = pytest.mark.usefixtures("real_catalog")


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def test_every_domain_action_is_implemented_and_every_action_declared(domain):
    executor = ActionExecutor()
    executor.register_package("bot.actions")
    registered = set(executor.actions)
    assert set(domain["actions"]) == registered


def test_one_procedure_intent_per_catalog_procedure(domain):
    intents = {intent for intent in domain["intents"] if intent.startswith("proc_")}
    assert intents == {f"proc_{proc.id}" for proc in catalog_access.all_procedures()}


def test_every_procedure_intent_has_an_overview_rule(domain):
    rules = yaml.safe_load((ROOT / "bot/data/rules.yml").read_text(encoding="utf-8"))["rules"]
    overview_intents = {
        rule["steps"][0]["intent"]
        for rule in rules
        if rule["steps"][-1] == {"action": "action_procedure_overview"}
    }
    assert overview_intents == {i for i in domain["intents"] if i.startswith("proc_")}


def test_intents_and_entities_are_those_of_the_shared_list(domain):
    shared = (ROOT / "docs/nlu-intents.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z0-9_]+)`", shared))
    # EXTERNAL_* intents are triggered by the server (connectors/intake_events.py), never said.
    said = {intent for intent in domain["intents"] if not intent.startswith("EXTERNAL_")}
    assert said <= named
    assert set(domain["entities"]) <= named


def test_the_greeting_shows_the_main_menu(domain):
    from rasa.core.nlg.interpolator import interpolate_text

    for response in ("utter_greet", "utter_anything_else", "utter_out_of_scope"):
        buttons = domain["responses"][response][0]["buttons"]
        # What the citizen's button sends, after Rasa fills {slot} placeholders of responses.
        shown = [(b["title"], interpolate_text(b["payload"], {})) for b in buttons]
        assert shown == list(MAIN_MENU)


def test_responses_are_polite_nfc_vietnamese_with_at_most_five_buttons(domain):
    for name, variants in domain["responses"].items():
        for variant in variants:
            text = variant["text"]
            assert unicodedata.is_normalized("NFC", text), name
            assert "bạn" not in text.lower(), name
            assert len(variant.get("buttons", [])) <= 5, name


def test_the_loops_never_take_as_an_answer_what_the_domain_excludes(domain):
    for slot in (
        "eligibility_answer",
        "amount_input",
        "submission_answer",
        "submission_confirm",
        "rating_score",
        "rating_comment",
    ):
        from_text = [m for m in domain["slots"][slot]["mappings"] if m["type"] == "from_text"]
        assert set(from_text[0]["not_intent"]) == NEVER_AN_ANSWER
