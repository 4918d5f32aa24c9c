"""Web chat channel: a small chat page served by Rasa at ``/webhooks/webchat/``.

Enable it in ``credentials.yml`` with ``connectors.webchat.WebchatInput:`` (optional ``db_path``).
"""

from connectors.webchat.channel import WebchatInput, WebchatOutput

__all__ = ["WebchatInput", "WebchatOutput"]
