"""The local edge (nginx, deploy/local/edge.py) and the Kubernetes Ingress
(deploy/k8s/base/ingress.yaml) route the same paths: the web app at ``/`` and each
service's API at ``/api/<service>/`` with the prefix stripped; every service is routed."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "local"))
import edge  # noqa: E402

INGRESS = REPO / "deploy" / "k8s" / "base" / "ingress.yaml"


def ingress_routes() -> dict[str, str]:
    """Public path prefix -> backend Service, from the Ingress's regex paths."""
    (doc,) = [d for d in yaml.safe_load_all(INGRESS.read_text()) if d]
    assert doc["kind"] == "Ingress"
    assert doc["metadata"]["annotations"]["nginx.ingress.kubernetes.io/rewrite-target"] == "/$2"
    routes = {}
    for rule in doc["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            match = re.fullmatch(r"(/(?:api/[a-z]+)?)\(?(/\|\$)?\)?\(\.\*\)", path["path"])
            assert match, f"unexpected Ingress path {path['path']!r}"
            prefix = match[1].rstrip("/") + "/"
            routes[prefix] = path["backend"]["service"]["name"]
    return routes


def edge_routes(tmp_path: Path) -> dict[str, str]:
    """Public path prefix -> where nginx sends it (``static`` for the app)."""
    upstreams = {name: f"http://127.0.0.1:{8001 + i}" for i, name in enumerate(edge.API_SERVICES)}
    conf = edge.render(8080, upstreams, state_dir=tmp_path, issuer="http://127.0.0.1:8009")
    routes = {}
    for prefix, body in re.findall(r"location (/[^ ]*) \{(.*?)\n        \}", conf, re.S):
        target = re.search(r"proxy_pass (http://[^;]+);", body)
        routes[prefix] = target[1] if target else "static"
    return routes


def test_the_edge_and_the_ingress_route_the_same_paths(tmp_path: Path) -> None:
    local = edge_routes(tmp_path)
    cluster = ingress_routes()
    api = {p for p in local if p.startswith("/api/")}
    assert api == {p for p in cluster if p.startswith("/api/")}
    assert local["/"] == "static" and cluster["/"] == "web"
    for prefix in api:
        service = prefix.split("/")[2]
        assert cluster[prefix] == service
        # The prefix is stripped: nginx's proxy_pass ends in "/", the Ingress rewrites to /$2.
        assert local[prefix].endswith("/")


def test_every_service_is_routed() -> None:
    services = {p.name for p in (REPO / "services").iterdir() if (p / "pyproject.toml").exists()}
    assert services <= set(edge.API_SERVICES)


def test_the_development_issuer_is_local_only(tmp_path: Path) -> None:
    assert edge.ISSUER_PATH in edge_routes(tmp_path)
    assert edge.ISSUER_PATH not in ingress_routes()


def test_websockets_are_upgraded_on_every_api_route(tmp_path: Path) -> None:
    conf = edge.render(8080, {"messaging": "http://127.0.0.1:8003"}, state_dir=tmp_path)
    (body,) = re.findall(r"location /api/messaging/ \{(.*?)\n        \}", conf, re.S)
    assert "proxy_set_header Upgrade $http_upgrade;" in body
    assert "proxy_set_header Connection $connection_upgrade;" in body
