"""Test helpers shared by every suite: real infrastructure, isolation, tokens, processes."""


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}
