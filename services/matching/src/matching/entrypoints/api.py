"""HTTP API of the matching service under ``/v1``: parse, call the service, shape the reply.

Every route needs a bearer token; the tenant comes from it and scopes every lookup, so an
id from another tenant answers 404. Creating POSTs take an ``Idempotency-Key``; lists are
paginated with an opaque ``cursor`` (both the kit's, :mod:`chassis.http`). Every route
answers a typed model (``schemas/``) built from what the use case returns.

The routes live in :mod:`matching.entrypoints.routes`, one router per resource; this is
their list, in the order the application includes them.
"""

from fastapi import APIRouter

from matching.entrypoints.routes import groups, matches, mentors, recommendations, requests, rounds

routers: list[APIRouter] = [
    recommendations.router,
    mentors.router,
    requests.router,
    matches.router,
    groups.router,
    rounds.router,
]
