import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from bot.server import (
    _resolve_event_type,
    _validate_action_result,
    install_cached_event_types,
    install_cached_validation,
)

VALID = {
    "events": [{"event": "slot", "name": "procedure", "value": "cap_lai_the_bhyt"}],
    "responses": [{"text": "Xin chào ông/bà!"}],
}


def test_a_valid_action_response_is_accepted():
    assert _validate_action_result(None, VALID) is True


def test_an_invalid_action_response_is_refused_as_rasa_does():
    broken = {"events": [{"event": "slot", "name": 12}], "responses": "not a list"}
    with pytest.raises(ValidationError) as caught:
        _validate_action_result(None, broken)
    assert "Failed to validate Action server response" in caught.value.message


def test_installing_replaces_rasas_check(monkeypatch):
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    install_cached_validation()
    assert RemoteAction._validate_action_result is _validate_action_result
    assert RemoteAction("action_menu", None)._validate_action_result(VALID) is True


def test_event_classes_are_found_as_rasa_finds_them():
    original = Event.__dict__["resolve_by_type"].__func__
    for name in ("user", "action", "slot", "bot", "pause", "resume", "restart", "session_started"):
        assert _resolve_event_type(name) is original(name)
    assert _resolve_event_type("topic") is None
    assert _resolve_event_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        _resolve_event_type("no_such_event")


def test_a_stored_conversation_reads_back_the_same_with_the_table(monkeypatch):
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])
    events = [UserUttered("xin chào", {"name": "greet"}), ActionExecuted("utter_greet"),
              SlotSet("procedure", "cap_lai_the_bhyt")]
    stored = [event.as_dict() for event in events]
    install_cached_event_types()
    assert [Event.from_parameters(item) for item in stored] == events


async def test_the_objects_of_a_loaded_model_are_frozen_for_the_collector(monkeypatch):
    import gc

    import rasa.core.run as rasa_run

    from bot.server import install_gc_freeze_after_load

    loaded = []

    async def load_agent_on_start(model_path, endpoints, remote_storage, app, loop):
        loaded.append(model_path)
        return "agent"

    monkeypatch.setattr(rasa_run, "load_agent_on_start", load_agent_on_start)
    install_gc_freeze_after_load()
    install_gc_freeze_after_load()  # twice: still one wrapper
    try:
        assert await rasa_run.load_agent_on_start("model.tar.gz", None, None, None, None) == (
            "agent")
        assert loaded == ["model.tar.gz"]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
