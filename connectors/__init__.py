"""Rasa input/output channels: web chat, Zalo OA, Facebook Messenger, Telegram, intake events."""
