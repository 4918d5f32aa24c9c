"""The handoff hook: logs, calls the configured callback, survives its failures."""

from __future__ import annotations

import pytest

from connectors.common.handoff import HandoffEvent, LoggingHandoffSignal, load_handoff_signal

RECEIVED: list[HandoffEvent] = []


async def record(event: HandoffEvent) -> None:
    RECEIVED.append(event)


async def explode(event: HandoffEvent) -> None:
    raise RuntimeError("console down")


EVENT = HandoffEvent(kind="human_replied", channel="zalo", sender_id="zalo:1", user_id="1")


async def test_callback_is_loaded_from_its_dotted_path():
    RECEIVED.clear()
    signal = load_handoff_signal("tests.connectors.common.test_handoff:record")
    await signal.notify(EVENT)
    assert RECEIVED == [EVENT]


async def test_a_failing_callback_is_logged_not_raised(caplog):
    await LoggingHandoffSignal(explode).notify(EVENT)
    assert "handoff callback failed" in caplog.text


def test_unknown_callback_is_an_import_error():
    with pytest.raises(ImportError):
        load_handoff_signal("tests.connectors.common.test_handoff:nothing")
