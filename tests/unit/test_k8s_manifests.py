"""deploy/k8s: the manifests agree with the code they run, without a cluster.

Every YAML file parses; every kustomization lists files that exist; every service under
services/ has a Deployment, Service, PodDisruptionBudget and HorizontalPodAutoscaler; probes
hit /readyz and /healthz on the container port; every container has requests and limits and
meets the `restricted` Pod Security profile; every environment variable a manifest sets is a
real setting of that service (its pydantic Settings class: ``env_prefix`` + field name), so a
typo fails here instead of being ignored at run time; the environment the example overlay
gives each service passes the production guards of ``chassis.settings``; every service
runs the ``mongodb`` storage profile (never the local stand-in's ``ferretdb``) with the
profile's own layout, and only the services with object storage settings (documents) get
MinIO settings and keys; every container that talks to Kafka (services, the topics Job, the init containers) gets the same security
protocol and, for SASL, its username and password from a Secret; the network policies let
each pod reach what its configuration points at; no Secret with data is committed. ``kubectl kustomize`` (kubectl ships with this machine image) renders the base and
the example overlay.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tomllib
import typing
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from chassis.kafka import client_options
from chassis.settings import ObjectStorageSettings, ServiceSettings

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
BASE = K8S / "base"
EXAMPLE = K8S / "overlays" / "example"
SECRET_TEMPLATE = K8S / "secrets.template.yaml"
TOPICS_CLI = REPO / "chassis" / "src" / "chassis" / "topics_cli.py"
WAIT_FOR_TOPICS = K8S / "wait_for_topics.py"
#: The Kafka connection flags and environment both tools share (``add_kafka_arguments``).
CHASSIS_KAFKA = REPO / "chassis" / "src" / "chassis" / "kafka.py"
DOCKERFILE = K8S / "Dockerfile"
#: The web app: its own image (nginx-unprivileged), Deployment and Service, no settings class.
WEB = "web"
WEB_DOCKERFILE = K8S / "Dockerfile.web"
WEB_NGINX = K8S / "web-nginx.conf"
SHARED_CONFIG = "platform-config"
#: The settings only a service with object storage has (``MINIO_ENDPOINT`` ...).
OBJECT_STORAGE_SETTINGS = {
    field.upper()
    for field in set(ObjectStorageSettings.model_fields) - set(ServiceSettings.model_fields)
}
#: Environment variables read by libraries rather than by the settings classes.
LIBRARY_ENV = {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}
#: Settings that hold credentials: they must come from a Secret.
SECRET_SETTINGS = {
    "MONGO_URL",
    "MINIO_ACCESS_KEY",
    "MINIO_SECRET_KEY",
    "KAFKA_SASL_USERNAME",
    "KAFKA_SASL_PASSWORD",
}
#: How a Kafka client connects: settings of every service (after its prefix) and the names
#: ``chassis.topics_cli`` and ``wait_for_topics.py`` read (no prefix).
KAFKA_CONNECTION = ("KAFKA_BOOTSTRAP", "KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM")
KAFKA_CA_FILE = "KAFKA_SSL_CAFILE"
KAFKA_CREDENTIALS = ("KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD")
#: The Pod Security ``restricted`` profile, as far as these manifests can break it.
ALLOWED_VOLUME_KINDS = {"emptyDir", "configMap", "secret", "projected", "downwardAPI"}

Doc = dict[str, Any]


# --------------------------------------------------------------------------- loading


def yaml_files() -> list[Path]:
    return sorted(K8S.rglob("*.yaml"))


@functools.cache
def load(path: Path) -> tuple[Doc, ...]:
    with path.open() as handle:
        return tuple(doc for doc in yaml.safe_load_all(handle) if doc is not None)


def kustomization_dirs() -> list[Path]:
    return sorted(p.parent for p in K8S.rglob("kustomization.yaml"))


def kustomization(directory: Path) -> Doc:
    (doc,) = load(directory / "kustomization.yaml")
    return doc


def resource_files(directory: Path) -> list[Path]:
    """The YAML files a kustomization includes as resources, through its bases."""
    files: list[Path] = []
    for entry in kustomization(directory).get("resources", []):
        path = (directory / entry).resolve()
        files += resource_files(path) if path.is_dir() else [path]
    return files


def parse_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def generated_config(directory: Path) -> dict[str, dict[str, str]]:
    """ConfigMap name -> data from the configMapGenerators of a kustomization and its bases."""
    configs: dict[str, dict[str, str]] = {}
    for entry in kustomization(directory).get("resources", []):
        if (directory / entry).is_dir():
            configs.update(generated_config((directory / entry).resolve()))
    for generator in kustomization(directory).get("configMapGenerator", []):
        data: dict[str, str] = {}
        for env_file in generator.get("envs", []):
            data.update(parse_env_file(directory / env_file))
        for literal in generator.get("literals", []):
            key, _, value = literal.partition("=")
            data[key] = value
        if generator.get("behavior") == "merge":
            configs[generator["name"]] = {**configs.get(generator["name"], {}), **data}
        else:
            configs[generator["name"]] = data
    return configs


def objects(files: list[Path], kind: str) -> dict[str, Doc]:
    found = {}
    for path in files:
        for doc in load(path):
            if doc.get("kind") == kind:
                found[doc["metadata"]["name"]] = doc
    return found


def base_files() -> list[Path]:
    return resource_files(BASE)


def pod_templates(files: list[Path]) -> dict[str, Doc]:
    """Name -> pod template of every service's Deployment and of the Job (the web app's
    pod, nginx and no settings, is checked on its own below)."""
    templates = {
        name: d["spec"]["template"]
        for name, d in objects(files, "Deployment").items()
        if name != WEB
    }
    templates.update({name: d["spec"]["template"] for name, d in objects(files, "Job").items()})
    return templates


def containers(template: Doc) -> Iterator[Doc]:
    yield from template["spec"].get("initContainers", [])
    yield from template["spec"]["containers"]


@functools.cache
def services() -> dict[str, type[ServiceSettings]]:
    """Every service under services/ and its settings class."""
    found: dict[str, type[ServiceSettings]] = {}
    for directory in sorted((REPO / "services").iterdir()):
        if not (directory / "pyproject.toml").exists():
            continue
        module = importlib.import_module(f"{directory.name}.settings")
        classes = [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, ServiceSettings)
            and value.__module__ == module.__name__
        ]
        assert len(classes) == 1, f"{module.__name__}: expected one ServiceSettings subclass"
        found[directory.name] = classes[0]
    return found


def env_prefix(cls: type[ServiceSettings]) -> str:
    return str(cls.model_config["env_prefix"])


def setting_names(cls: type[ServiceSettings]) -> set[str]:
    return {env_prefix(cls) + field.upper() for field in cls.model_fields}


def uses_object_storage(service: str) -> bool:
    return issubclass(services()[service], ObjectStorageSettings)


def sources(path: Path) -> list[ast.AST]:
    """A script's syntax tree, and chassis.kafka's when the script uses its shared flags."""
    text = path.read_text()
    trees = [ast.parse(text)]
    if "add_kafka_arguments" in text:
        trees.append(ast.parse(CHASSIS_KAFKA.read_text()))
    return trees


def environ_names(path: Path) -> set[str]:
    """The names a script reads with ``os.environ.get("NAME", ...)``."""
    names = set()
    for node in (n for tree in sources(path) for n in ast.walk(tree)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "environ"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
    return names


def cli_flags(path: Path) -> set[str]:
    """The options a script declares with ``parser.add_argument("--flag", ...)``."""
    flags = set()
    for node in (n for tree in sources(path) for n in ast.walk(tree)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_argument"
        ):
            flags |= {
                a.value
                for a in node.args
                if isinstance(a, ast.Constant) and str(a.value).startswith("--")
            }
    return flags


def cli_choices(path: Path) -> dict[str, tuple[str, ...]]:
    """``--flag`` -> the ``choices=[...]`` a script declares for it."""
    found = {}
    for node in (n for tree in sources(path) for n in ast.walk(tree)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_argument"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            for keyword in node.keywords:
                if keyword.arg == "choices":
                    found[node.args[0].value] = tuple(ast.literal_eval(keyword.value))
    return found


def resolve_env(container: Doc, configs: dict[str, dict[str, str]]) -> dict[str, str]:
    """The environment a container gets; Secret values become non-development stand-ins."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        data = configs[source["configMapRef"]["name"]]
        env.update({source.get("prefix", "") + key: value for key, value in data.items()})
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = entry["value"]
            continue
        source = entry["valueFrom"]
        if "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            env[entry["name"]] = (
                f"mongodb://user:pw@mongo.test:27017/?replicaSet=rs0#{ref['name']}"
                if ref["key"] == "mongo-url"
                else f"from-secret-{ref['name']}-{ref['key']}"
            )
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            if ref["key"] in configs[ref["name"]] or not ref.get("optional"):
                env[entry["name"]] = configs[ref["name"]][ref["key"]]
        elif "resourceFieldRef" in source:
            env[entry["name"]] = "1"
        else:
            raise AssertionError(f"unexpected valueFrom in {entry}")
    return env


def kafka_prefix(container: Doc) -> str:
    """The prefix of the Kafka settings a container reads. Every container of the platform
    talks to Kafka: a service (its settings prefix), the topics command or the init container
    (unprefixed names). A container this test does not know fails here."""
    command = container["command"]
    if command == ["uvicorn"]:
        return env_prefix(services()[container["args"][0].split(".")[0]])
    if command[:3] == ["python", "-m", "chassis.topics_cli"]:
        return ""
    if command[:2] == ["python", "/app/wait_for_topics.py"]:
        return ""
    raise AssertionError(f"{container['name']}: which Kafka settings does {command} read?")


def quantity(value: str | int | float) -> float:
    """A Kubernetes quantity (``250m``, ``2``, ``384Mi``, ``1Gi``) as a number."""
    text = str(value)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    for suffix in sorted(units, key=len, reverse=True):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * units[suffix]
    return float(text)


def uvicorn_port(container: Doc) -> int:
    (port,) = [int(a.split("=", 1)[1]) for a in container["args"] if a.startswith("--port=")]
    return port


def selects(selector: Doc, labels: dict[str, str]) -> bool:
    assert set(selector) <= {"matchLabels"}, f"only matchLabels selectors are checked: {selector}"
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def host_port(address: str, default: int) -> int:
    if "://" in address:
        parts = urlsplit(address)
        return parts.port or {"https": 443, "http": 80}.get(parts.scheme, default)
    return int(address.rsplit(":", 1)[1]) if ":" in address else default


# --------------------------------------------------------------------------- files


def test_every_yaml_file_parses_into_named_objects() -> None:
    assert yaml_files(), "no manifests under deploy/k8s"
    for path in yaml_files():
        docs = load(path)
        assert docs, f"{path} is empty"
        for doc in docs:
            assert {"apiVersion", "kind"} <= set(doc), f"{path}: {doc.get('kind')}"
            if doc["kind"] != "Kustomization":
                assert doc.get("metadata", {}).get("name"), f"{path}: unnamed {doc['kind']}"


def test_every_kustomization_lists_files_that_exist() -> None:
    assert {BASE, EXAMPLE} <= set(kustomization_dirs())
    for directory in kustomization_dirs():
        doc = kustomization(directory)
        listed = list(doc.get("resources", []))
        listed += [p["path"] for p in doc.get("patches", []) if "path" in p]
        listed += [f for g in doc.get("configMapGenerator", []) for f in g.get("envs", [])]
        listed += [  # a file entry may name its key: key=path
            f.rpartition("=")[2]
            for g in doc.get("configMapGenerator", [])
            for f in g.get("files", [])
        ]
        for entry in listed:
            path = directory / entry
            assert path.exists(), f"{directory}/kustomization.yaml lists missing {entry}"
            if path.is_dir():
                assert (path / "kustomization.yaml").exists(), f"{path} is no kustomization"


def test_every_manifest_is_used_by_a_kustomization() -> None:
    """No forgotten file: each YAML is a kustomization, a resource or patch of one, or the
    Secret template (which on purpose is in none)."""
    used = {SECRET_TEMPLATE}
    for directory in kustomization_dirs():
        used.add(directory / "kustomization.yaml")
        used |= set(resource_files(directory))
        used |= {
            (directory / p["path"]).resolve() for p in kustomization(directory).get("patches", [])
        }
    assert {p.resolve() for p in yaml_files()} - {p.resolve() for p in used} == set()


# --------------------------------------------------------------------------- services


def test_every_service_has_its_objects() -> None:
    files = base_files()
    for kind in ("ServiceAccount", "Deployment", "Service", "PodDisruptionBudget"):
        assert set(services()) <= set(objects(files, kind)), f"a service lacks its {kind}"
    hpas = objects(files, "HorizontalPodAutoscaler")
    for name, deployment in objects(files, "Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selects(deployment["spec"]["selector"], labels), name
        service = objects(files, "Service")[name]
        assert selects({"matchLabels": service["spec"]["selector"]}, labels), name
        ports = {
            p["name"]
            for c in deployment["spec"]["template"]["spec"]["containers"]
            for p in c["ports"]
        }
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports, name
        pdb = objects(files, "PodDisruptionBudget")[name]
        assert selects(pdb["spec"]["selector"], labels), name
        if name in hpas:
            assert hpas[name]["spec"]["scaleTargetRef"] == {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": name,
            }
            assert hpas[name]["spec"]["minReplicas"] >= 2, f"{name}: one replica is no HA"
            assert "replicas" not in deployment["spec"], f"{name}: the HPA owns replicas"


def test_containers_run_their_service_with_probes_on_the_container_port() -> None:
    for name, deployment in objects(base_files(), "Deployment").items():
        if name == WEB:
            continue
        template = deployment["spec"]["template"]
        (container,) = template["spec"]["containers"]
        assert container["command"] == ["uvicorn"]
        assert container["args"][0] == f"{name}.main:app"
        assert importlib.util.find_spec(f"{name}.main") is not None, f"{name}.main missing"
        (port,) = container["ports"]
        assert port["name"] == "http"
        assert port["containerPort"] == uvicorn_port(container)
        assert "--host=0.0.0.0" in container["args"]
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        prefix = env_prefix(services()[name])
        assert env.get(f"{prefix}HTTP_PORT") == str(port["containerPort"]), name
        for probe, path in (
            ("readinessProbe", "/readyz"),
            ("livenessProbe", "/healthz"),
            ("startupProbe", "/healthz"),
        ):
            get = container[probe]["httpGet"]
            assert get["path"] == path, f"{name} {probe}"
            assert get["port"] in ("http", port["containerPort"]), f"{name} {probe}"
        annotations = template["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/path"] == "/metrics"
        assert annotations["prometheus.io/port"] == str(port["containerPort"])
        # preStop sleep + uvicorn's graceful shutdown must fit in the grace period.
        sleep = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
        (graceful,) = [
            int(a.split("=")[1]) for a in container["args"] if "--timeout-graceful-shutdown" in a
        ]
        assert template["spec"]["terminationGracePeriodSeconds"] > sleep + graceful, name
        assert template["spec"].get("topologySpreadConstraints"), f"{name}: not spread"


def test_every_container_has_requests_and_limits() -> None:
    for name, template in pod_templates(base_files()).items():
        for container in containers(template):
            resources = container["resources"]
            for resource in ("cpu", "memory"):
                request = quantity(resources["requests"][resource])
                limit = quantity(resources["limits"][resource])
                assert 0 < request <= limit, f"{name}/{container['name']} {resource}"
    matching = objects(base_files(), "Deployment")["matching"]["spec"]["template"]["spec"]
    (container,) = matching["containers"]
    # The MiniLM encoder in numpy plus every program's scoring pool, in every replica.
    assert quantity(container["resources"]["requests"]["memory"]) >= 2**30


def test_pods_meet_the_restricted_pod_security_profile() -> None:
    user = re.search(r"^USER\s+(\d+):(\d+)\s*$", DOCKERFILE.read_text(), re.M)
    assert user, "the Dockerfile sets a numeric USER uid:gid"
    for name, template in pod_templates(base_files()).items():
        check_restricted(name, template, int(user[1]), int(user[2]))


def check_restricted(name: str, template: Doc, uid: int, gid: int) -> None:
    """The pod meets the ``restricted`` profile and runs as its image's numeric user."""
    spec = template["spec"]
    pod = spec["securityContext"]
    assert pod["runAsNonRoot"] is True, name
    assert pod["runAsUser"] == uid and pod["runAsGroup"] == gid, name
    assert pod["seccompProfile"]["type"] == "RuntimeDefault", name
    assert spec["automountServiceAccountToken"] is False, name
    assert not spec.get("hostNetwork") and not spec.get("hostPID"), name
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for volume in volumes.values():
        assert set(volume) - {"name"} <= ALLOWED_VOLUME_KINDS, f"{name}: {volume}"
    for container in containers(template):
        where = f"{name}/{container['name']}"
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False, where
        assert security["readOnlyRootFilesystem"] is True, where
        assert security["capabilities"]["drop"] == ["ALL"], where
        assert not security["capabilities"].get("add"), where
        assert not security.get("privileged"), where
        tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
        assert tmp and "emptyDir" in volumes[tmp[0]["name"]], f"{where}: /tmp not writable"


# --------------------------------------------------------------------------- configuration


def test_environment_names_are_settings_of_the_service() -> None:
    """A misspelt variable would be ignored by pydantic-settings at run time: fail here."""
    configs = generated_config(EXAMPLE)
    deployments = [
        doc for path in yaml_files() for doc in load(path) if doc.get("kind") == "Deployment"
    ]
    assert deployments
    for deployment in deployments:  # the base's and any overlay patch's
        name = deployment["metadata"]["name"]
        if name == WEB:  # nginx: no settings class (its pod takes no environment at all)
            pod = deployment["spec"]["template"]["spec"]
            assert not [c for c in pod["containers"] if c.get("env") or c.get("envFrom")], name
            continue
        cls = services()[name]
        valid = setting_names(cls)
        template = deployment["spec"]["template"]["spec"]
        for container in template.get("containers", []):
            for source in container.get("envFrom", []):
                assert source.get("prefix") == env_prefix(cls), f"{name}: envFrom prefix"
                data = configs[source["configMapRef"]["name"]]
                unknown = {env_prefix(cls) + key for key in data} - valid
                assert not unknown, f"{name}: not settings of {cls.__name__}: {unknown}"
            names = {e["name"] for e in container.get("env", [])}
            unknown = names - valid - LIBRARY_ENV
            assert not unknown, f"{name}: not settings of {cls.__name__}: {unknown}"
        for container in template.get("initContainers", []):
            script = REPO / "deploy" / "k8s" / Path(container["command"][1]).name
            assert container["command"][:2] == ["python", "/app/wait_for_topics.py"]
            assert {a for a in container["command"][2:] if a.startswith("--")} <= cli_flags(script)
            names = {e["name"] for e in container.get("env", [])}
            assert names <= environ_names(script), f"{name}: {names - environ_names(script)}"


def test_shared_config_holds_only_settings_every_service_shares() -> None:
    """The shared ConfigMap reaches every service with its prefix: a key must be a common
    setting, and no service may have its own default for it (it would be overridden)."""
    for directory in (BASE, EXAMPLE):
        shared = generated_config(directory)[SHARED_CONFIG]
        for key in shared:
            field = key.lower()
            assert field in ServiceSettings.model_fields, f"{key} is not a common setting"
            for name, cls in services().items():
                own = field in vars(cls).get("__annotations__", {})
                assert not own, f"{key}: {name} has its own default for {field}"
        assert shared["ENVIRONMENT"] == "production"
        assert not {k for k in shared if k in SECRET_SETTINGS}, "credentials in a ConfigMap"


def test_the_topics_job_runs_the_topics_command_with_its_flags_and_environment() -> None:
    (job,) = objects(base_files(), "Job").values()
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"][:4] == ["python", "-m", "chassis.topics_cli", "create"]
    assert {a for a in container["command"] if a.startswith("--")} <= cli_flags(TOPICS_CLI)
    names = {e["name"] for e in container["env"]}
    assert names <= environ_names(TOPICS_CLI), names - environ_names(TOPICS_CLI)
    assert {"KAFKA_BOOTSTRAP", "TOPIC_REPLICATION_FACTOR"} <= names
    assert job["spec"]["template"]["spec"]["restartPolicy"] in ("Never", "OnFailure")
    assert job["spec"]["backoffLimit"] >= 3, "Kafka may come up after the Job"


def test_wait_for_topics_waits_for_every_contract_topic(monkeypatch: pytest.MonkeyPatch) -> None:
    from mentorship_contracts.topics import ALL_TOPICS, DEAD_LETTER_TOPICS

    spec = importlib.util.spec_from_file_location("wait_for_topics", WAIT_FOR_TOPICS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    names = {s.name for s in (*ALL_TOPICS, *DEAD_LETTER_TOPICS)}
    assert module.wanted_topics("p.") == {f"p.{n}" for n in names}
    assert module.missing_topics([f"p.{n}" for n in names] + ["other"], "p.") == []
    assert module.missing_topics(["p.match-made"], "p.") == sorted(
        f"p.{n}" for n in names - {"match-made"}
    )
    # It authenticates as the topics command does: credentials from the environment.
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "profiles")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "from-a-secret")
    options = client_options(module.security("SASL_SSL", "SCRAM-SHA-512", None))
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["ssl_context"] is not None
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "profiles",
        "from-a-secret",
    )
    assert module.security("PLAINTEXT", "SCRAM-SHA-512", None) is None
    # SASL without a password cannot work: it says so at once instead of waiting.
    monkeypatch.delenv("KAFKA_SASL_PASSWORD")
    assert module.main(["--security-protocol", "SASL_SSL", "--timeout", "600"]) == 2


# --------------------------------------------------------------------------- kafka


def field_choices(field: str) -> tuple[str, ...]:
    return typing.get_args(ServiceSettings.model_fields[field].annotation)


def test_kafka_names_are_settings_and_what_the_scripts_read() -> None:
    """The Kafka names checked below are real: a setting of every service (with its prefix)
    and read by the topics command and the init container (without one), with the same
    choices."""
    names = {*KAFKA_CONNECTION, KAFKA_CA_FILE, *KAFKA_CREDENTIALS}
    for cls in services().values():
        assert {env_prefix(cls) + n for n in names} <= setting_names(cls), cls.__name__
    for script in (TOPICS_CLI, WAIT_FOR_TOPICS):
        assert names <= environ_names(script), f"{script.name}: {names - environ_names(script)}"
        assert {"--security-protocol", "--sasl-mechanism"} <= cli_flags(script), script.name
        choices = cli_choices(script)
        assert choices["--security-protocol"] == field_choices("kafka_security_protocol")
        assert choices["--sasl-mechanism"] == field_choices("kafka_sasl_mechanism")


def template_secret_keys() -> dict[str, set[str]]:
    return {doc["metadata"]["name"]: set(doc["stringData"]) for doc in load(SECRET_TEMPLATE)}


def check_kafka(templates: dict[str, Doc], configs: dict[str, dict[str, str]]) -> None:
    """Every container talks to the same Kafka the same way (the same ConfigMap keys); with
    SASL its username and password come from a Secret (one per pod), never a literal or a
    ConfigMap; a CA file lies on a volume of the container, from a Secret the template lists."""
    connections: dict[str, tuple[str | None, ...]] = {}
    for name, template in templates.items():
        volumes = {v["name"]: v for v in template["spec"].get("volumes", [])}
        credential_secrets = set()
        for container in containers(template):
            where = f"{name}/{container['name']}"
            prefix = kafka_prefix(container)
            env = resolve_env(container, configs)
            connection = [env.get(prefix + n) for n in (*KAFKA_CONNECTION, KAFKA_CA_FILE)]
            connections[where] = tuple(connection)
            bootstrap, protocol, mechanism, cafile = connection
            assert bootstrap, f"{where}: no {prefix}KAFKA_BOOTSTRAP"
            assert protocol in field_choices("kafka_security_protocol"), (
                f"{where}: {prefix}KAFKA_SECURITY_PROTOCOL={protocol!r}"
            )
            entries = {e["name"]: e for e in container.get("env", [])}
            if protocol.startswith("SASL"):
                assert mechanism in field_choices("kafka_sasl_mechanism"), f"{where}: {mechanism}"
                for credential in KAFKA_CREDENTIALS:
                    entry = entries.get(prefix + credential, {})
                    ref = entry.get("valueFrom", {}).get("secretKeyRef")
                    assert ref, f"{where}: {prefix}{credential} does not come from a Secret"
                    assert not ref.get("optional"), f"{where}: {prefix}{credential} optional"
                    credential_secrets.add(ref["name"])
            if cafile is not None:
                path = PurePosixPath(cafile)  # an empty value would be Path("."), not "none"
                assert path.is_absolute(), f"{where}: {prefix}{KAFKA_CA_FILE}={cafile!r}"
                mounts = [
                    m
                    for m in container.get("volumeMounts", [])
                    if path.is_relative_to(m["mountPath"])
                ]
                assert mounts, f"{where}: {cafile} is on no volume of the container"
                volume = volumes[mounts[0]["name"]]
                assert "secret" in volume, f"{where}: {cafile} is not from a Secret"
                key = str(path.relative_to(mounts[0]["mountPath"]))
                secret = volume["secret"]["secretName"]
                assert key in template_secret_keys().get(secret, set()), f"{where}: {secret}/{key}"
        assert len(credential_secrets) <= 1, f"{name}: Kafka users from {credential_secrets}"
    assert len(set(connections.values())) == 1, f"Kafka clients disagree: {connections}"


def test_every_kafka_client_authenticates_with_credentials_from_a_secret() -> None:
    templates = pod_templates(base_files())
    scripts = [c for t in templates.values() for c in containers(t) if not kafka_prefix(c)]
    assert len(scripts) == len(services()) + 1, "an init container per service and the Job"
    for directory in (BASE, EXAMPLE):
        shared = generated_config(directory)[SHARED_CONFIG]
        assert shared["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL", directory
        assert shared["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512", directory
        check_kafka(templates, generated_config(directory))


# --------------------------------------------------------------------------- secrets


def secret_refs(files: list[Path]) -> dict[str, dict[str, str]]:
    """Pod name -> {variable: "secret/key"} of its containers (init containers too)."""
    refs: dict[str, dict[str, str]] = {}
    for name, template in pod_templates(files).items():
        for container in containers(template):
            for entry in container.get("env", []):
                ref = entry.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    refs.setdefault(name, {})[entry["name"]] = f"{ref['name']}/{ref['key']}"
    return refs


def secret_volumes(files: list[Path]) -> set[str]:
    """The Secrets pods mount as volumes (Kafka's CA bundle)."""
    return {
        volume["secret"]["secretName"]
        for template in pod_templates(files).values()
        for volume in template["spec"].get("volumes", [])
        if "secret" in volume
    }


def test_no_secret_with_data_is_committed_or_applied() -> None:
    for directory in kustomization_dirs():
        doc = kustomization(directory)
        assert "secretGenerator" not in doc, f"{directory}: secretGenerator"
        for path in resource_files(directory):
            kinds = {d["kind"] for d in load(path)}
            assert "Secret" not in kinds, f"{path} is applied and holds a Secret"
    for path in yaml_files():
        for doc in load(path):
            if doc.get("kind") != "Secret":
                continue
            assert path == SECRET_TEMPLATE, f"{path}: Secret outside the template"
            assert not doc.get("data"), f"{path}: base64 data in {doc['metadata']['name']}"
            for key, value in doc.get("stringData", {}).items():
                assert re.fullmatch(r"<[^<>]+>", value), f"{path}: {key} is not a placeholder"


def test_credentials_come_from_the_secrets_the_template_documents() -> None:
    template = {
        f"{doc['metadata']['name']}/{key}"
        for doc in load(SECRET_TEMPLATE)
        for key in doc["stringData"]
    }
    refs = secret_refs(base_files())
    mounted = secret_volumes(base_files())
    assert mounted <= set(template_secret_keys()), f"not in the template: {mounted}"
    used = {ref for by_name in refs.values() for ref in by_name.values()}
    used |= {f"{name}/{key}" for name in mounted for key in template_secret_keys()[name]}
    assert used == template, used ^ template
    for name, cls in services().items():
        prefix = env_prefix(cls)
        (container,) = objects(base_files(), "Deployment")[name]["spec"]["template"]["spec"][
            "containers"
        ]
        literal = {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}
        assert f"{prefix}MONGO_URL" in refs.get(name, {}), f"{name}: MongoDB URL not secret"
        for setting in KAFKA_CREDENTIALS:  # its own Kafka user, also in its init container
            assert refs[name][prefix + setting].startswith(f"{name}-credentials/"), name
            assert refs[name][setting] == refs[name][prefix + setting], name
        if uses_object_storage(name):
            for setting in ("MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"):
                assert f"{prefix}{setting}" in refs[name], f"{name}: {setting} not secret"
        for setting in SECRET_SETTINGS:
            assert prefix + setting not in literal, f"{name}: {setting} is a literal"


# --------------------------------------------------------------------------- production


def production_settings(
    name: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> ServiceSettings:
    cls = services()[name]
    with monkeypatch.context() as patch:
        for variable in list(os.environ):
            if variable.startswith(env_prefix(cls)):
                patch.delenv(variable)
        for variable, value in env.items():
            patch.setenv(variable, value)
        return cls()


def check_production(
    templates: dict[str, Doc], configs: dict[str, dict[str, str]], mp: pytest.MonkeyPatch
) -> None:
    for name in services():
        (container,) = templates[name]["spec"]["containers"]
        settings = production_settings(name, resolve_env(container, configs), mp)
        assert settings.environment == "production"
        assert settings.auth_jwks_url, f"{name}: no JWKS URL"
        assert settings.http_port == uvicorn_port(container)
        assert settings.mongo_db == name
        assert settings.mongo_url.startswith("mongodb://user:pw@")
        shared = next(data for key, data in configs.items() if key.startswith(SHARED_CONFIG))
        assert settings.kafka_security_protocol == shared["KAFKA_SECURITY_PROTOCOL"], name
        if settings.kafka_security_protocol.startswith("SASL"):  # the guard let it pass
            assert settings.kafka_sasl_password, name


def shared_config(configs: dict[str, dict[str, str]]) -> dict[str, str]:
    """The shared ConfigMap's data (its name has a hash suffix once rendered)."""
    (data,) = [
        d for k, d in configs.items() if k == SHARED_CONFIG or k.startswith(f"{SHARED_CONFIG}-")
    ]
    return data


def check_storage(
    templates: dict[str, Doc], configs: dict[str, dict[str, str]], mp: pytest.MonkeyPatch
) -> None:
    """Every service runs the storage profile for real MongoDB, with the profile's own
    layout (no partition count of its own); object storage settings (from a ConfigMap) and
    keys (from a Secret) reach only the services whose settings have them."""
    for name in services():
        prefix = env_prefix(services()[name])
        (container,) = templates[name]["spec"]["containers"]
        env = resolve_env(container, configs)
        settings = production_settings(name, env, mp)
        assert settings.storage_profile == "mongodb", f"{name}: {settings.storage_profile!r}"
        assert "ferretdb" not in {v.lower() for v in env.values()}, name
        assert not [k for k in env if "PARTITIONS" in k], f"{name}: a partition count"
        carried = {k.removeprefix(prefix) for k in env} & OBJECT_STORAGE_SETTINGS
        minio_keys = {
            ref["key"]
            for c in containers(templates[name])
            for e in c.get("env", [])
            if (ref := e.get("valueFrom", {}).get("secretKeyRef"))
            and ref["key"].startswith("minio-")
        }
        if uses_object_storage(name):
            assert carried == OBJECT_STORAGE_SETTINGS, f"{name}: only {carried}"
            assert minio_keys == {"minio-access-key", "minio-secret-key"}, name
        else:
            assert not carried, f"{name} has no object storage, but gets {carried}"
            assert not minio_keys, f"{name} has no object storage, but gets {minio_keys}"
    shared = shared_config(configs)
    assert not set(shared) & OBJECT_STORAGE_SETTINGS, "object storage in the shared ConfigMap"
    assert shared.get("STORAGE_PROFILE", "mongodb") == "mongodb"


def test_services_run_the_mongodb_profile_and_only_documents_has_object_storage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert {name for name in services() if uses_object_storage(name)} == {"documents"}
    for directory in (BASE, EXAMPLE):
        check_storage(pod_templates(base_files()), generated_config(directory), monkeypatch)


def test_the_manifests_environment_passes_the_production_guards(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check_production(pod_templates(base_files()), generated_config(EXAMPLE), monkeypatch)
    check_production(pod_templates(base_files()), generated_config(BASE), monkeypatch)


def test_network_policies_let_each_pod_reach_what_it_is_configured_to_use() -> None:
    files = base_files()
    policies = {name: doc["spec"] for name, doc in objects(files, "NetworkPolicy").items()}
    check_network(pod_templates(files), policies, generated_config(BASE))
    for patch in kustomization(EXAMPLE).get("patches", []):  # a patch replaces lists
        for doc in load(EXAMPLE / patch["path"]):
            if doc["kind"] == "NetworkPolicy":
                policies[doc["metadata"]["name"]] = {
                    **policies[doc["metadata"]["name"]],
                    **doc["spec"],
                }
    check_network(pod_templates(files), policies, generated_config(EXAMPLE))


def check_network(
    templates: dict[str, Doc], policies: dict[str, Doc], configs: dict[str, dict[str, str]]
) -> None:
    """Each pod may reach, by port, what its configuration points at; services take HTTP."""
    shared = shared_config(configs)
    kafka = host_port(shared["KAFKA_BOOTSTRAP"].split(",")[0], 9092)
    for name, template in templates.items():
        wanted = {(53, "UDP"), (kafka, "TCP")}
        if name in services():
            wanted |= {
                (27017, "TCP"),
                (host_port(shared["AUTH_JWKS_URL"], 443), "TCP"),
                (host_port(shared["OTEL_EXPORTER_OTLP_ENDPOINT"], 4318), "TCP"),
            }
            if uses_object_storage(name):
                (container,) = template["spec"]["containers"]
                env = resolve_env(container, configs)
                endpoint = env[env_prefix(services()[name]) + "MINIO_ENDPOINT"]
                wanted.add((host_port(endpoint, 443), "TCP"))
        labels = template["metadata"]["labels"]
        mine = [spec for spec in policies.values() if selects(spec["podSelector"], labels)]
        assert [s for s in mine if "Egress" in s.get("policyTypes", [])], (
            f"{name}: no egress policy"
        )
        allowed = {
            (port["port"], port.get("protocol", "TCP"))
            for spec in mine
            for rule in spec.get("egress", [])
            for port in rule.get("ports", [])
        }
        assert wanted <= allowed, f"{name}: egress not allowed to {wanted - allowed}"
        if name in services():
            ingress = {
                port["port"]
                for spec in mine
                for rule in spec.get("ingress", [])
                for port in rule.get("ports", [])
            }
            assert "http" in ingress, f"{name}: no ingress to its http port"


# --------------------------------------------------------------------------- image


def test_the_dockerfile_installs_the_locked_workspace_as_a_non_root_user() -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, re.M)
    syncs = re.findall(r"uv sync ([^\n\\]*)", text)
    assert syncs and all("--locked" in s and "--no-dev" in s for s in syncs), syncs
    root = tomllib.loads((REPO / "pyproject.toml").read_text())
    members = {
        member.relative_to(REPO).as_posix()
        for pattern in root["tool"]["uv"]["workspace"]["members"]
        for member in REPO.glob(pattern)
        if (member / "pyproject.toml").exists()
    }
    copied = set(re.findall(r"^COPY (\S+)/pyproject\.toml ", text, re.M))
    assert copied == members, f"Dockerfile copies {copied}, the workspace has {members}"
    for source in re.findall(r"^COPY (?!--from)(\S+) ", text, re.M):
        assert (REPO / source).exists(), f"COPY {source}: no such path"
    assert "wait_for_topics.py /app/wait_for_topics.py" in text


# --------------------------------------------------------------------------- kustomize


def kustomize(directory: Path) -> list[Doc]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("kubectl not found: it ships with this machine image (google-cloud-cli)")
    out = subprocess.run(
        [kubectl, "kustomize", str(directory)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc is not None]


def test_kustomize_renders_the_base_and_the_example(monkeypatch: pytest.MonkeyPatch) -> None:
    kustomize(BASE)
    docs = kustomize(EXAMPLE)
    kinds = {doc["kind"] for doc in docs}
    assert "Secret" not in kinds
    assert {"Namespace", "Deployment", "Job", "NetworkPolicy", "Ingress"} <= kinds
    for doc in docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == "mentorship", doc["metadata"]["name"]
    configs = {d["metadata"]["name"]: d["data"] for d in docs if d["kind"] == "ConfigMap"}
    templates = {
        d["metadata"]["name"]: d["spec"]["template"]
        for d in docs
        if d["kind"] in ("Deployment", "Job")
    }
    for template in templates.values():
        for container in containers(template):
            image = container["image"]
            assert "/" in image and (":" in image.rsplit("/", 1)[1] or "@" in image), image
    check_ingress_backends(docs)
    web = templates.pop(WEB)
    (volume,) = [v for v in web["spec"]["volumes"] if "configMap" in v]
    assert volume["configMap"]["name"] in configs, "the web app's ConfigMap is not rendered"
    (config,) = [configs[volume["configMap"]["name"]]["config.json"]]
    assert json.loads(config)["oidc"]["authority"].startswith("https://"), config
    assert not [v for data in configs.values() for v in data.values() if ".invalid" in v]
    check_production(templates, configs, monkeypatch)
    check_storage(templates, configs, monkeypatch)
    check_kafka(templates, configs)
    policies = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "NetworkPolicy"}
    check_network(templates, policies, configs)


# --------------------------------------------------------------------------- the web app


def check_ingress_backends(docs: list[Doc]) -> None:
    """Every backend of every Ingress is a Service that exists, by a port it has."""
    ports = {
        d["metadata"]["name"]: {p["name"] for p in d["spec"]["ports"]}
        for d in docs
        if d["kind"] == "Service"
    }
    ingresses = [d for d in docs if d["kind"] == "Ingress"]
    assert ingresses
    for ingress in ingresses:
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                service = path["backend"]["service"]
                where = f"{ingress['metadata']['name']} {path['path']}"
                assert service["name"] in ports, f"{where}: no Service {service['name']!r}"
                assert service["port"]["name"] in ports[service["name"]], where


def test_every_ingress_backend_is_a_service_of_the_base() -> None:
    docs = [doc for path in base_files() for doc in load(path)]
    check_ingress_backends(docs)
    routed = {
        p["backend"]["service"]["name"]
        for d in docs
        if d["kind"] == "Ingress"
        for r in d["spec"]["rules"]
        for p in r["http"]["paths"]
    }
    assert WEB in routed and set(services()) <= routed


def web_pod() -> Doc:
    return dict(objects(base_files(), "Deployment")[WEB]["spec"]["template"])


def nginx_directives(name: str) -> list[str]:
    """The arguments of every ``name`` directive in the web image's nginx configuration."""
    return re.findall(rf"^\s*{name}\s+([^;]+);", WEB_NGINX.read_text(), re.M)


def test_the_web_pod_serves_its_config_on_the_port_nginx_listens_on() -> None:
    files = base_files()
    for kind in ("ServiceAccount", "Deployment", "Service", "PodDisruptionBudget"):
        assert WEB in objects(files, kind), f"the web app lacks its {kind}"
    template = web_pod()
    (container,) = template["spec"]["containers"]
    assert not template["spec"].get("initContainers")
    (port,) = container["ports"]
    assert port["name"] == "http"
    assert nginx_directives("listen") == [str(port["containerPort"])]
    assert "location = /healthz" in WEB_NGINX.read_text()
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}, probe
    assert container["image"] == "mentorship-web"
    # /config.json is the ConfigMap's file, where nginx's alias reads it.
    (alias,) = nginx_directives("alias")
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in template["spec"]["volumes"]}
    mount = str(PurePosixPath(alias).parent)
    config_map = volumes[mounts[mount]]["configMap"]
    assert config_map["items"] == [{"key": "config.json", "path": PurePosixPath(alias).name}]
    generators = {g["name"]: g for g in kustomization(BASE)["configMapGenerator"]}
    for directory in (BASE, EXAMPLE):
        (entry,) = [
            g
            for g in kustomization(directory)["configMapGenerator"]
            if g["name"] == config_map["name"]
        ]
        key, _, file = entry["files"][0].partition("=")
        assert key == "config.json"
        config = json.loads((directory / file).read_text())
        # The shape the app reads (web/src/auth/oidc.ts) and the local edge answers.
        assert set(config) == {"oidc"} and set(config["oidc"]) == {"authority", "client_id"}
        assert config["oidc"]["client_id"] == "mentorship-web"
    assert config_map["name"] in generators
    resources = container["resources"]
    for resource in ("cpu", "memory"):
        request, limit = resources["requests"][resource], resources["limits"][resource]
        assert 0 < quantity(request) <= quantity(limit), resource


def test_the_web_image_is_nginx_unprivileged_as_the_pod_runs_it() -> None:
    text = WEB_DOCKERFILE.read_text()
    assert re.search(r"^ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:", text, re.M)
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, re.M)
    user = re.search(r"^USER\s+(\d+):(\d+)\s*$", text, re.M)
    assert user, "Dockerfile.web sets a numeric USER uid:gid"
    check_restricted(WEB, web_pod(), int(user[1]), int(user[2]))
    for source in re.findall(r"^COPY (?!--from)(\S+) ", text, re.M):
        assert (REPO / source).exists(), f"COPY {source}: no such path"
    assert "COPY deploy/k8s/web-nginx.conf /etc/nginx/nginx.conf" in text
    assert "npm ci" in text and "npm run build" in text  # the lock file; types, check, bundle
    assert all("--locked" in s for s in re.findall(r"uv sync ([^\n\\]*)", text))


def test_the_web_nginx_config_is_valid_and_sends_the_edges_headers(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx not found: `python3 deploy/local/stack.py install` installs it")
    out = subprocess.run(
        [nginx, "-t", "-q", "-e", "stderr", "-p", str(tmp_path), "-c", str(WEB_NGINX)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    import sys

    sys.path.insert(0, str(REPO / "deploy" / "local"))
    import edge

    text = WEB_NGINX.read_text()
    assert f'add_header Content-Security-Policy "{edge.CSP}" always;' in text
    assert "add_header X-Content-Type-Options nosniff always;" in text
    (config_location,) = re.findall(r"location = /config\.json \{(.*?)\}", text, re.S)
    assert "Cache-Control no-store always" in config_location
