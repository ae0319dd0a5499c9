"""The profiles routes, one router per resource; :mod:`profiles.entrypoints.api` lists them."""
