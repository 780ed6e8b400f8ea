"""Meta Graph API adapters: Facebook Pages and Instagram (with Facebook Login), and Meta webhooks."""

from .client import GRAPH_API_VERSION
from .connector import FacebookConnector, InstagramConnector
from .webhooks import handshake, parse_delivery, verify_signature

__all__ = [
    "GRAPH_API_VERSION",
    "FacebookConnector",
    "InstagramConnector",
    "handshake",
    "parse_delivery",
    "verify_signature",
]
