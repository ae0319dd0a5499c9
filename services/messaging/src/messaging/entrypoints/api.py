"""HTTP and WebSocket API of the messaging service under ``/v1``."""

from messaging.entrypoints import stream
from messaging.entrypoints.routes import conversations, exchanges, me, messages

routers = [conversations.router, messages.router, exchanges.router, me.router, stream.router]
