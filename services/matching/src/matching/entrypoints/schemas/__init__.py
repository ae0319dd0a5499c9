"""Bodies of the HTTP API: requests (every string and list bounded, unknown fields
refused) and responses (typed views of what the use cases return), one module per
resource, as the routes are; what several share is in :mod:`.base`."""
