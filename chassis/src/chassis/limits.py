"""Request body size limit, enforced while streaming (not only from Content-Length)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis.errors import problem_response


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, *, exempt_prefixes: tuple[str, ...] = ()):
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_prefixes = exempt_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        seen = 0
        rejected = False

        async def limited_receive() -> Message:
            nonlocal seen, rejected
            message = await receive()
            if message["type"] == "http.request" and not rejected:
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Answer 413 ourselves; the app sees a disconnect and its reply is dropped.
                    rejected = True
                    await self._reject(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not rejected:
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not rejected:
                raise

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413,
            "Payload too large",
            f"request body exceeds the limit of {self.max_bytes} bytes",
            instance=scope["path"],
        )
        await response(scope, receive, send)
