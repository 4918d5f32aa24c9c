"""Zalo Official Account channel (OA Open API v3, OAuth v4), with our own thin async client.

Rasa loads it from credentials.yml as ``connectors.zalo.ZaloInput``.
"""

from connectors.zalo.channel import ZaloInput
from connectors.zalo.client import ZaloClient
from connectors.zalo.output import ZaloOutput

__all__ = ["ZaloClient", "ZaloInput", "ZaloOutput"]
