"""The local stack's mail catcher: a real SMTP server (aiosmtpd) that keeps every mail.

Each mail is written to ``<dir>/<time>-<n>.eml`` and listed over HTTP:
``GET /`` lists them (newest first, JSON: file, from, to, subject, date), ``GET /<file>``
returns one as ``message/rfc822``. Started by ``deploy/local/stack.py`` as the ``smtp``
component; services send digests to it (``MESSAGING_SMTP_HOST``/``_PORT``).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from email import message_from_bytes
from email.policy import default
from http import HTTPStatus
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Keep:
    """aiosmtpd handler: write every accepted mail to the directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.counter = itertools.count()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{next(self.counter):06d}.eml"
        partial = self.directory / f".{name}"
        partial.write_bytes(envelope.content)
        partial.rename(self.directory / name)  # readers never see half a mail
        return "250 OK: kept"


def listing(directory: Path) -> list[dict[str, str]]:
    out = []
    for path in sorted(directory.glob("*.eml"), reverse=True):
        mail = message_from_bytes(path.read_bytes(), policy=default)
        out.append(
            {
                "file": path.name,
                "from": str(mail["From"] or ""),
                "to": str(mail["To"] or ""),
                "subject": str(mail["Subject"] or ""),
                "date": str(mail["Date"] or ""),
            }
        )
    return out


async def serve_http(directory: Path, host: str, port: int) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = (await reader.readline()).decode(errors="replace").split()
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            path = request[1] if len(request) > 1 else "/"
            status, kind, body = HTTPStatus.OK, "application/json", b""
            if path == "/":
                body = json.dumps(listing(directory), indent=1).encode()
            else:
                wanted = directory / path.lstrip("/")
                if wanted.parent == directory and wanted.suffix == ".eml" and wanted.exists():
                    kind, body = "message/rfc822", wanted.read_bytes()
                else:
                    status, body = HTTPStatus.NOT_FOUND, b'{"detail": "no such mail"}'
            head = (
                f"HTTP/1.1 {status.value} {status.phrase}\r\nContent-Type: {kind}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode() + body)
            await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_server(answer, host, port)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025, help="SMTP port")
    parser.add_argument("--http-port", type=int, default=8026, help="where mail is listed")
    parser.add_argument("--dir", type=Path, required=True, help="where mail is kept")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(Keep(args.dir), hostname=args.host, port=args.port)
    controller.start()
    try:
        asyncio.run(serve_http(args.dir, args.host, args.http_port))
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
