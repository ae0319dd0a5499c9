"""Errors of the documents service that the kit has no class for (their HTTP status)."""

from chassis.errors import Problem


class UnsupportedType(Problem):
    status, title = 415, "Unsupported media type"


class RangeNotSatisfiable(Problem):
    status, title = 416, "Range not satisfiable"


class Gone(Problem):
    status, title = 410, "Gone"
