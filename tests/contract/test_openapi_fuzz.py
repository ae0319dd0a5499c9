"""Contract: fuzz each service's own OpenAPI schema in process, on the real infrastructure.

Schemathesis reads the OpenAPI document the app serves at ``/openapi.json`` and generates
requests for every operation: boundary and type-confusion values of every parameter
(coverage phase) and random ones (fuzzing phase), valid and invalid. The requests go
through ASGI to an app running its real lifespan (FerretDB, Kafka, outbox relay, consumers)
on an event loop of its own. They carry valid tokens of a seeded program's members and
admin and, three times in four, seeded ids, so they reach the handlers instead of stopping
at 401 or 404.

Every answer must be below 500; every error is ``application/problem+json`` with a detail;
a refused request (4xx) appends no event (no partial write).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

import httpx
import pytest
import requests
import schemathesis
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, reject, settings
from pymongo import MongoClient
from schemathesis import GenerationMode

from chassis.devtokens import mint_token
from chassis.kafka import ensure_topics
from chassis.settings import ServiceSettings
from matching.bootstrap import create_app as create_matching
from matching.settings import MatchingSettings
from mentorship_contracts.events.base import EventPayload
from mentorship_contracts.events.profiles import ProfileChangedV1, ProfileSnapshot
from mentorship_contracts.events.programs import ProgramChangedV1
from profiles.bootstrap import create_app as create_profiles
from profiles.settings import ProfilesSettings
from testkit import bearer
from testkit.apps import serve_in_process
from testkit.events import matching_topics, publish_payload
from testkit.infra import Infra

pytestmark = [
    pytest.mark.infra,
    # raised inside Schemathesis' own strategies, nothing this module can change
    pytest.mark.filterwarnings(
        "ignore:Do not use the `random` module inside strategies"
        ":hypothesis.errors.HypothesisDeprecationWarning"
    ),
]

S = TypeVar("S", bound=ServiceSettings)

#: Examples per operation in the fuzzing phase (positive and negative together). The
#: coverage phase (boundary and type-confusion cases of every parameter) comes on top.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "12"))  # more for a deeper local run

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the same cases on every run and machine
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)


def load_schema(app: Any) -> Any:
    """The app's own OpenAPI document (what it serves at ``/openapi.json``)."""
    schema = schemathesis.openapi.from_dict(app.openapi())
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=MAX_EXAMPLES,
        deterministic=True,
        # Tokens are set per case (Served.prepare); requests without one are tested below.
        with_security_parameters=False,
    )
    # One method no path has is enough to see 405 answered as problem+json (the default set
    # includes DELETE, which Schemathesis also sends to paths that do have it).
    schema.config.phases.coverage.unexpected_methods = {"TRACE"}
    return schema


# Built from apps created at import: no I/O happens before an app's lifespan starts, and the
# routes (hence the document) do not depend on the settings.
PROFILES_SCHEMA = load_schema(create_profiles(ProfilesSettings()))
MATCHING_SCHEMA = load_schema(create_matching(MatchingSettings(embeddings_enabled=False)))


class Served:
    """An app running its lifespan on a portal's event loop, and what the fuzzer may use."""

    def __init__(self, app: Any, client: httpx.AsyncClient, portal: BlockingPortal) -> None:
        self.app = app
        self.client = client
        self.portal = portal
        settings_ = app.state.runtime.settings
        self._mongo: MongoClient[Any] = MongoClient(settings_.mongo_url)
        self._events = self._mongo[settings_.mongo_db]["events"]
        self._seen = 0
        self.tokens: list[str] = []
        self.tokens_for: dict[str, list[str]] = {}
        #: Values that exist (ids) or pass validation, by parameter or body field name.
        self.known: dict[str, list[Any]] = {}
        #: Whole JSON bodies that pass validation, for operations whose schema says little
        #: (free objects); used instead of the generated body two times in three.
        self.bodies_for: dict[str, list[Any]] = {}
        #: Operations taking If-Match: where to GET the current ETag (from the case's path).
        self.etag_from: dict[str, Callable[[str], str]] = {}

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        return self.portal.call(partial(self.client.request, method, url, **kw))

    def run(self, coroutine_function: Callable[[], Any]) -> Any:
        return self.portal.call(coroutine_function)

    def events_appended(self) -> int:
        """Events appended since the last call (only requests append them)."""
        count = int(self._events.count_documents({}))
        appended, self._seen = count - self._seen, count
        return appended

    def close(self) -> None:
        self._mongo.close()

    @staticmethod
    def _pick(seed: str, salt: str, options: list[Any]) -> Any:
        digest = hashlib.blake2b(f"{salt}|{seed}".encode(), digest_size=4).digest()
        return options[int.from_bytes(digest, "big") % len(options)]

    def prepare(self, case: Any) -> int | None:
        """A valid token; three times in four a known value for each path parameter, query
        parameter and top-level body field named in ``known``, and a current ``If-Match``;
        sometimes a known body, sometimes an unpaired surrogate in the body.

        Every choice depends on the generated case only, so Hypothesis replays a failure.
        """
        label = case.operation.label
        seed = f"{label}|{case.path_parameters}|{case.query}|{case.body!r}"
        token = self._pick(seed, "token", self.tokens_for.get(label, self.tokens))
        case.headers["Authorization"] = f"Bearer {token}"
        for where in (case.path_parameters, case.query, case.body):
            if not isinstance(where, dict):
                continue
            for name, value in list(where.items()):
                known = self.known.get(name)
                # same type only: a value of the wrong type stays, as the negative case it is
                if known and type(value) is type(known[0]):
                    where[name] = self._pick(seed, name, [*known, *known, *known, value])
        bodies = self.bodies_for.get(label)
        if bodies and isinstance(case.body, dict):
            case.body = self._pick(seed, "body", [*bodies, case.body])
        etag_path = self.etag_from.get(label)
        if etag_path and self._pick(seed, "If-Match", [True, True, True, False]):
            current = self.request("GET", etag_path(case.formatted_path), headers=bearer(token))
            if current.status_code == 200:
                case.headers["If-Match"] = current.headers["ETag"]
        # One case in four: an unpaired surrogate ("\\ud800", valid JSON that is not Unicode)
        # in one of the JSON body's strings, which Schemathesis never writes (see ``send``).
        if self._pick(seed, "surrogate", [True, False, False, False]):
            return int(self._pick(seed, "which string", list(range(1000))))
        return None


def with_unpaired_surrogate(value: Any, nth: int) -> Any:
    """``value`` with its ``nth`` string (keys included, depth first, modulo how many
    there are) ending in a lone high surrogate; unchanged if it has none."""
    count = 0

    def count_strings(item: Any) -> None:
        nonlocal count
        if isinstance(item, str):
            count += 1
        elif isinstance(item, list):
            for child in item:
                count_strings(child)
        elif isinstance(item, dict):
            for key, child in item.items():
                count += isinstance(key, str)
                count_strings(child)

    count_strings(value)
    if not count:
        return value
    target, seen = nth % count, -1

    def edit(text: str) -> str:
        nonlocal seen
        seen += 1
        return text + "\ud800" if seen == target else text

    def rebuild(item: Any) -> Any:
        if isinstance(item, str):
            return edit(item)
        if isinstance(item, list):
            return [rebuild(child) for child in item]
        if isinstance(item, dict):
            return {
                (edit(key) if isinstance(key, str) else key): rebuild(child)
                for key, child in item.items()
            }
        return item

    return rebuild(value)


def send(served: Served, case: Any, surrogate: int | None = None) -> httpx.Response:
    """Send a generated case through ASGI (encoded by ``requests``, as Schemathesis does).
    ``surrogate`` picks a string of a JSON body to end in a lone surrogate: done on the
    encoded body, as Schemathesis' own checks of a case cannot hold such a string."""
    try:
        prepared = requests.Request(**case.as_transport_kwargs(base_url="http://service")).prepare()
    except (requests.RequestException, ValueError, UnicodeError):
        reject()  # not expressible as an HTTP request at all: nothing to send
    try:  # on the wire header values are bytes (latin-1), as a real client sends them
        headers = [
            (k, v.encode("latin-1") if isinstance(v, str) else v)
            for k, v in prepared.headers.items()
        ]
    except UnicodeEncodeError:
        reject()
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    if surrogate is not None and body and "json" in prepared.headers.get("Content-Type", ""):
        with contextlib.suppress(ValueError):  # (a body that is not JSON stays as it is)
            edited = with_unpaired_surrogate(json.loads(body), surrogate)
            body = json.dumps(edited).encode()  # ensure_ascii: the escape "\\ud800" itself
    return served.request(
        prepared.method or case.method, prepared.url or "", headers=headers, content=body
    )


def check_response(served: Served, case: Any) -> None:
    surrogate = served.prepare(case)
    edit = "" if surrogate is None else f"\n(then: a lone surrogate after body string #{surrogate})"
    try:
        response = send(served, case, surrogate)
    except Exception as exc:  # the app raised: a real client gets a 500
        raise AssertionError(
            f"{case.operation.label}: unhandled {type(exc).__name__}: {exc}\n"
            f"{case.as_curl_command()}{edit}"
        ) from exc
    where = f"{case.operation.label} -> {response.status_code}\n{case.as_curl_command()}{edit}"
    assert response.status_code < 500, f"{where}\n{response.text[:2000]}"
    if response.status_code >= 400:
        content_type = response.headers.get("content-type")
        assert content_type == "application/problem+json", f"{where}\n{content_type}"
        body = response.json()
        assert body["status"] == response.status_code and body["detail"], f"{where}\n{body}"
    if case.method.upper() != "GET":  # (a count is a scan on FerretDB: only where writes may be)
        appended = served.events_appended()
        if response.status_code >= 400:
            assert appended == 0, f"{where}\nrefused, yet {appended} event(s) were appended"


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout}s")
        time.sleep(0.1)


def settings_for(
    cls: type[S], infra: Infra, prefix: str, run_id: str, dbs: list[str], **kw: Any
) -> S:
    """As the ``make_settings`` fixture does, for a class-scoped app."""
    db = f"test_{cls.model_fields['service_name'].default}_{uuid.uuid4().hex[:10]}"
    dbs.append(db)
    return cls(
        environment="test",
        mongo_url=infra.mongo_url,
        mongo_db=db,
        kafka_bootstrap=infra.kafka_bootstrap,
        topic_prefix=prefix,
        consumer_group_prefix=f"{run_id}.{uuid.uuid4().hex[:6]}.",
        relay_idle_poll_seconds=0.05,
        **kw,
    )


def tenant_token(tenant: str, user: str, *roles: str) -> str:
    return mint_token(user, tenant, roles=list(roles) or ["member"])


@contextmanager
def serve(app: Any) -> Iterator[Served]:
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(serve_in_process(app)) as client,
    ):
        served = Served(app, client, portal)
        try:
            yield served
        finally:
            served.close()


# --------------------------------------------------------------------------- profiles


@pytest.fixture(scope="class")
def profiles(
    infra: Infra, topic_prefix: str, run_id: str, created_databases: list[str]
) -> Iterator[Served]:
    """A program with custom fields and questions, a mentor who applied, two mentees."""
    token = partial(tenant_token, f"tenant-{uuid.uuid4().hex[:8]}")
    app = create_profiles(
        settings_for(
            ProfilesSettings,
            infra,
            topic_prefix,
            run_id,
            created_databases,
            projector_poll_seconds=0.2,
        )
    )
    with serve(app) as served:
        admin, mentor = token("admin", "org_admin"), token("mentor")
        mentee, leaver = token("mentee"), token("leaver")
        program = served.request(
            "POST",
            "/v1/programs",
            json={
                "name": "Fuzzed program",
                "requires_mentor_approval": True,
                "mentor_questions": [{"key": "why", "text": "Why do you want to mentor?"}],
                "custom_fields": [
                    {
                        "key": "track",
                        "label": "Track",
                        "type": "single_choice",
                        "options": ["Backend", "Data"],
                    },
                    {"key": "budget", "label": "Budget", "type": "number", "min_value": 0},
                    {"key": "notes", "label": "Notes", "type": "text"},
                ],
            },
            headers=bearer(admin),
        )
        assert program.status_code == 201, program.text
        pid = program.json()["program_id"]
        members = []
        for token, roles in ((mentor, ["mentor"]), (mentee, ["mentee"]), (leaver, ["mentee"])):
            joined = served.request(
                "POST",
                f"/v1/programs/{pid}/members",
                json={"display_name": "Seeded", "roles": roles, "skills": ["Python"]},
                headers=bearer(token),
            )
            assert joined.status_code == 201, joined.text
            members.append(joined.json()["member_id"])
        applied = served.request(
            "POST",
            f"/v1/programs/{pid}/mentor-applications",
            json={"answers": {"why": "I like helping"}},
            headers=bearer(mentor),
        )
        assert applied.status_code == 201, applied.text
        served.tokens = [admin, mentor, mentee]
        # Leaving and erasing get a member of their own, so the other operations keep
        # meeting the seeded members whatever order they run in.
        served.tokens_for = {
            "DELETE /v1/programs/{program_id}/members/me": [admin, leaver],
            "POST /v1/me/erasure": [admin, leaver],
        }
        served.known = {
            "program_id": [pid],
            "member_id": members,
            "application_id": [applied.json()["application_id"]],
            "timezone": ["Europe/Paris", "America/Toronto"],
            "custom_fields": [{"notes": "Rust"}, {"track": "backend", "budget": 3}],
            "custom": [["track:Data"]],
        }
        served.bodies_for = {
            "PATCH /v1/programs/{program_id}": [{"name": "Renamed"}, {"default_capacity": 3}],
            "POST /v1/programs/{program_id}/members/import": [
                {"members": [{"user_id": "imported", "custom_fields": {"notes": "Go"}}]},
                {"members": [{"user_id": "imported-2", "display_name": "I", "skills": ["Go"]}]},
            ],
        }
        served.etag_from = {
            "PATCH /v1/programs/{program_id}": str,
            "PATCH /v1/programs/{program_id}/members/me": str,
            "PUT /v1/programs/{program_id}/members/{member_id}/roles": lambda p: p.removesuffix(
                "/roles"
            ),
        }
        served.events_appended()  # what the seeding wrote
        yield served


class TestProfilesAPI:
    @PROFILES_SCHEMA.parametrize()
    @FUZZ_SETTINGS
    def test_no_500_and_errors_are_problem_json(self, case: Any, profiles: Served) -> None:
        check_response(profiles, case)


# --------------------------------------------------------------------------- matching


def seed_events(tenant: str) -> list[tuple[EventPayload, str]]:
    """Two programs (informal, formal), each with two mentors and a mentee."""
    events: list[tuple[EventPayload, str]] = []
    for program_id, kind in (("prog-open", "informal"), ("prog-formal", "formal")):
        program = ProgramChangedV1(
            tenant_id=tenant,
            program_id=program_id,
            program_version=1,
            organization_id=tenant,
            name=f"Fuzzed {kind}",
            kind=kind,
            modes=["one_to_one", "group"],
            requires_mentor_approval=True,
            default_capacity=2,
            max_group_size=10,
            request_response_hours=72,
            status="active",
        )
        events.append((program, program_id))
        for name, roles in (("ada", ["mentor"]), ("bob", ["mentor"]), ("sam", ["mentee"])):
            snapshot = ProfileSnapshot(
                display_name=name.title(),
                languages=["en"],
                timezone="America/Toronto",
                accepting_mentees="mentor" in roles,
                skills=["Python", "Kubernetes"],
                goals=["Python"],
                years_experience=10,
            )
            profile = ProfileChangedV1(
                tenant_id=tenant,
                program_id=program_id,
                member_id=f"m-{name}",
                user_id=f"user-{name}",
                organization_id=tenant,
                profile_version=1,
                roles=roles,
                mentor_approved="mentor" in roles,
                snapshot=snapshot,
            )
            events.append((profile, f"m-{name}"))
    return events


@pytest.fixture(scope="class")
async def matching_settings(
    infra: Infra, run_id: str, created_databases: list[str]
) -> MatchingSettings:
    """Topics of its own, so the service replays nothing of the rest of the run."""
    prefix = f"f{uuid.uuid4().hex[:6]}."
    await ensure_topics(infra.kafka_bootstrap, prefix=prefix, topics=matching_topics())
    return settings_for(
        MatchingSettings,
        infra,
        prefix,
        run_id,
        created_databases,
        recommendation_flush_seconds=0.02,
    )


@pytest.fixture(scope="class")
def matching(matching_settings: MatchingSettings) -> Iterator[Served]:
    """Programs and profiles arrive as events; then a request, a group and a round."""
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"
    token = partial(tenant_token, tenant)
    app = create_matching(matching_settings)
    with serve(app) as served:
        runtime = app.state.runtime
        for payload, key in seed_events(tenant):
            served.run(partial(publish_payload, runtime, payload, key))
        admin = token("org-admin", "org_admin")
        ada, bob, sam = token("user-ada"), token("user-bob"), token("user-sam")

        def projected() -> bool:
            r = served.request(
                "GET", "/v1/programs/prog-formal/recommendations", headers=bearer(sam)
            )
            return r.status_code == 200 and len(r.json()["items"]) == 2

        wait_until(projected, "seeded programs and profiles projected")
        asked = served.request(
            "POST",
            "/v1/programs/prog-open/requests",
            json={"mentor_id": "m-ada", "message": "Please mentor me"},
            headers=bearer(sam),
        )
        assert asked.status_code == 201, asked.text
        group = served.request(
            "POST",
            "/v1/programs/prog-open/groups",
            json={"title": "Python circle", "description": "Weekly", "capacity": 5},
            headers=bearer(bob),
        )
        assert group.status_code == 201, group.text
        round_ = served.request(
            "POST",
            "/v1/programs/prog-formal/rounds",
            json={"pinned": [], "forbidden": []},
            headers=bearer(admin),
        )
        assert round_.status_code == 201, round_.text
        served.tokens = [admin, ada, bob, sam]
        pair = {"mentor_id": "m-ada", "mentee_id": "m-sam"}
        served.known = {
            "program_id": ["prog-open", "prog-formal"],
            "member_id": ["m-sam"],
            "mentee_id": ["m-sam"],
            "mentor_id": ["m-ada", "m-bob"],
            "request_id": [asked.json()["request_id"]],
            "group_id": [group.json()["group_id"]],
            "round_id": [round_.json()["round_id"]],
            "run": [1],
            "pinned": [[pair], [pair, {**pair, "mentor_id": "m-bob"}]],
            "forbidden": [[pair], [{**pair, "mentor_id": "m-bob"}]],
        }
        served.events_appended()  # what the seeding wrote
        yield served


class TestMatchingAPI:
    @MATCHING_SCHEMA.parametrize()
    @FUZZ_SETTINGS
    def test_no_500_and_errors_are_problem_json(self, case: Any, matching: Served) -> None:
        check_response(matching, case)


# --------------------------------------------------------------------------- no token


@pytest.mark.parametrize("service", ["profiles", "matching"])
async def test_every_v1_operation_needs_a_token(
    service: str, make_settings: Callable[..., Any]
) -> None:
    """Without a token every /v1 operation answers 401 problem+json, before anything runs."""
    if service == "profiles":
        app = create_profiles(make_settings(ProfilesSettings))
    else:
        app = create_matching(make_settings(MatchingSettings, embeddings_enabled=False))
    # No lifespan: refusing a request without a token needs neither the database nor Kafka.
    transport = httpx.ASGITransport(app=app)
    checked = []
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
        for path, methods in app.openapi()["paths"].items():
            if not path.startswith("/v1/"):
                continue
            url = "/".join("1" if p.startswith("{") else p for p in path.split("/"))
            for method in methods:
                response = await http.request(method.upper(), url, json={})
                assert response.status_code == 401, (method, path, response.text)
                assert response.headers["content-type"] == "application/problem+json"
                assert "bearer" in response.json()["detail"]
                checked.append(f"{method} {path}")
    assert len(checked) >= 15, checked
