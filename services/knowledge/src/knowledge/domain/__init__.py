"""Pure domain rules of this service (no I/O)."""
