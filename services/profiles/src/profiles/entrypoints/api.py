"""HTTP API of the profiles service under ``/v1``: each route parses, calls its use case
(handed to it by :mod:`profiles.entrypoints.deps`) and shapes the reply.

Pagination, ``Idempotency-Key``, ``ETag``/``If-Match`` and the documented problems are the
kit's (:mod:`chassis.http`); bodies are capped at ``PROFILES_MAX_REQUEST_BODY_BYTES``
(1 MB) except the bulk import's (``PROFILES_MAX_IMPORT_BODY_BYTES``).

The routes live in :mod:`profiles.entrypoints.routes`, one router per resource; this is
their list, in the order the application includes them.
"""

from fastapi import APIRouter

from profiles.entrypoints.routes import (
    applications,
    joining,
    me,
    members,
    my_data,
    programs,
    search,
)

routers: list[APIRouter] = [
    me.router,
    programs.router,
    joining.router,
    members.router,
    applications.router,
    search.router,
    my_data.router,
]
