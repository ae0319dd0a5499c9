"""Rules for text every service stores (pure, so domain packages can use them)."""

from __future__ import annotations

from chassis.errors import InvalidInput


def check_text(text: str, where: str) -> None:
    """Raise ``InvalidInput`` naming ``where`` for text UTF-8 cannot encode (an unpaired
    surrogate, from a ``\\ud800`` JSON escape): no database or topic can store it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        escape = f"\\u{ord(text[exc.start]):04x}"
        raise InvalidInput(
            f"{where}: text with an unpaired surrogate ({escape}) is not valid Unicode",
            field=where,
        ) from None
