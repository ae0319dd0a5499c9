"""One module per service registers its processes, setup, flows, checks and snapshots.
A new service adds ``faultkit/flows/<service>.py`` and imports it here."""

from faultkit.flows import (  # noqa: F401  (registration on import)
    documents,
    insights,
    matching,
    messaging,
    profiles,
    scheduling,
)
