"""Helpers shared by the Zalo, Messenger and Telegram connectors.

Configuration (``config``), the connector database (``database``), duplicate-delivery detection
(``dedupe``), short keys for long button payloads (``payload_keys``), background work after the
webhook answer (``tasks``), message splitting (``splitting``), conversation ids and event texts
(``conversation``), the human-handoff hook (``handoff``), typed delivery errors (``errors``) and
masking of personal data in logs (``masking``).
"""
