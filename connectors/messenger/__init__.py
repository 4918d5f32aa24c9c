"""Facebook Messenger channel (Graph API Send API, X-Hub-Signature-256, thread control).

Rasa loads it from credentials.yml as ``connectors.messenger.MessengerInput``.
"""

from connectors.messenger.channel import MessengerInput
from connectors.messenger.client import GraphClient
from connectors.messenger.output import MessengerOutput

__all__ = ["GraphClient", "MessengerInput", "MessengerOutput"]
