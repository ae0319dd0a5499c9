"""Programs, members, profiles, mentor applications and profile search."""
