"""Video rooms: the default provider makes Jitsi Meet links with unguessable room names.

Jitsi Meet creates a room when the first person opens its URL, so the room name is the
only secret: 128 random bits, not derived from the meeting id. Another provider (a
company's Zoom or Teams integration) implements ``VideoRooms.new_room`` the same way.
"""

from __future__ import annotations

import secrets


class JitsiRooms:
    def __init__(self, base_url: str = "https://meet.jit.si") -> None:
        self.base_url = base_url.rstrip("/")

    def new_room(self, meeting_id: str) -> str:
        return f"{self.base_url}/Mentorship-{secrets.token_urlsafe(16)}"


class NoVideo:
    """For deployments without video: meetings get no room."""

    def new_room(self, meeting_id: str) -> str:
        return ""
