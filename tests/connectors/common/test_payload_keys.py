"""Long button payloads get short keys that any process can resolve."""

from __future__ import annotations

from connectors.common.database import ConnectorDatabase
from connectors.common.payload_keys import PayloadKeys


async def test_short_payloads_are_sent_as_they_are(common_settings):
    keys = PayloadKeys(ConnectorDatabase(common_settings.database_url))
    assert await keys.key_for("/affirm") == "/affirm"
    assert await keys.resolve("/affirm") == "/affirm"


async def test_long_payloads_round_trip_through_another_process(common_settings):
    payload = '/inform{"procedure": "proc_huong_bhxh_mot_lan", "answer": "định cư nước ngoài"}'
    key = await PayloadKeys(ConnectorDatabase(common_settings.database_url)).key_for(payload)

    other_process = PayloadKeys(ConnectorDatabase(common_settings.database_url))

    assert len(key.encode()) <= 64
    assert key == await other_process.key_for(payload)  # deterministic
    assert await other_process.resolve(key) == payload
    assert await other_process.resolve("k:nothing-here") is None
