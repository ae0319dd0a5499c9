"""Constrained types shared by the payloads.

Every string and list has an upper bound: a contract that promises bounds lets consumers
size their storage and reject garbage early. Bounds may later be *neither* tightened (old
events would fail) *nor* loosened (old consumers would reject new events), so they are
chosen generously here.
"""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

#: An opaque platform id (UUID, ObjectId, ULID, ...).
Id = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
]
#: The identity provider's subject (OIDC ``sub``: up to 255 ASCII characters).
UserId = Annotated[str, StringConstraints(min_length=1, max_length=255)]
#: A machine-readable code from an open-ended set (reasons); see each field's known values.
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=5000)]
#: A skill, keyword, interest or other short label.
Tag = Annotated[str, StringConstraints(min_length=1, max_length=100)]
#: A BCP 47 language tag (``en``, ``fr-CA``).
LanguageTag = Annotated[
    str,
    StringConstraints(min_length=2, max_length=35, pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$"),
]
#: An IANA time zone name (``Europe/Paris``). Not checked against a tz database, whose
#: version differs between consumers.
TimeZoneName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$"),
]
_MEDIA_TOKEN = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*"
#: A media type (``application/pdf``, ``video/mp4``).
MediaType = Annotated[
    str,
    StringConstraints(min_length=3, max_length=255, pattern=rf"^{_MEDIA_TOKEN}/{_MEDIA_TOKEN}$"),
]
#: An aggregate version: 1 for the first event of a stream, then +1 per event.
AggregateVersion = Annotated[int, Field(ge=1)]

Role = Literal["mentee", "mentor", "admin"]
MatchMode = Literal["one_to_one", "group"]

#: Bounds on lists of ids of people (a group mentorship or a meeting's attendees).
MAX_PEOPLE = 500
