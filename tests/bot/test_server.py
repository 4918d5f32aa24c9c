import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.server import _validate_action_result, install_cached_validation

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
