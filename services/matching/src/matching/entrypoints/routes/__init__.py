"""The matching routes, one router per resource; :mod:`matching.entrypoints.api` lists them."""
