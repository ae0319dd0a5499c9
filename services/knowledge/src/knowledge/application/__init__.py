"""Use-case handlers and the ports (Protocols) they need."""
