"""Write each service's OpenAPI document (from its code, no server) into a folder."""

import importlib
import json
import sys
from pathlib import Path

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
for name in sys.argv[2:]:
    app = importlib.import_module(f"{name}.bootstrap").create_app()
    (out / f"{name}.json").write_text(json.dumps(app.openapi(), indent=1, sort_keys=True))
