"""Helpers shared by the Zalo, Messenger and Telegram connectors.

The webhook input flow (``webhook``: check, 200 at once, dedupe, background processing through the
pause gate) and the output channels' common part (``output``: splitting, buttons in groups, custom
payloads); configuration (``config``), the connector database (``database``), duplicate-delivery
detection (``dedupe``), short keys for long button payloads (``payload_keys``), background work
after the webhook answer (``tasks``), message splitting (``splitting``), conversation ids and event
texts (``conversation``), the human-handoff hook (``handoff``), the pause gate (``pause``), typed
delivery errors (``errors``), platform API calls (``api``), defensive reading of webhook JSON
(``json_fields``) and masking of personal data in logs (``masking``).
"""
