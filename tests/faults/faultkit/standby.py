"""A pre-imported standby process: ``python standby.py <service> (serve <port> | run <module>)``.

It imports the service's code (the slow part of a Python start, minutes on a loaded
machine), then waits for a line on stdin and only then serves ``<service>.main:app`` on
the port (or runs the module, e.g. a rebuild command). The fault schedule keeps one spare
per instance, so a restart after ``kill -9`` measures what the platform does (lifespan,
consumer group joins, catching up), as a pod whose image is already pulled, not the
interpreter's import time.
"""

from __future__ import annotations

import importlib
import runpy
import sys

service, mode, target = sys.argv[1:4]
importlib.import_module(f"{service}.bootstrap")  # everything the app imports
import uvicorn  # noqa: E402

if sys.stdin.readline().strip() != "go":  # the fault run ended (or died) first
    sys.exit(0)
if mode == "serve":
    uvicorn.run(f"{service}.main:app", host="127.0.0.1", port=int(target))
else:
    runpy.run_module(target, run_name="__main__")
