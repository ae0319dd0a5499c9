"""The former name of :mod:`matching.adapters.profile_store`, kept only for
``application/access.py`` (reworked separately); new code imports ``profile_store``."""

from matching.adapters.profile_store import ProfileStore as ProjectionStore
from matching.adapters.profile_store import member_key, program_key, user_key

__all__ = ["ProjectionStore", "member_key", "program_key", "user_key"]
