"""Wires the messaging service: the only module that knows every other one.

Adapters first (repositories, read models, feeds, the live bus), then each use case with
the ports it needs, passed in at construction. The use cases go on ``app.state.messaging``
(:class:`messaging.entrypoints.deps.UseCases`); the socket registry on ``app.state.hub``.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

import messaging
from chassis.app import Runtime, build_runtime, create_service_app
from chassis.idempotency import IdempotencyStore
from chassis.repository import AggregateRepository
from messaging.adapters.attachments import DocumentsApiAttachments, SharedDocumentsAttachments
from messaging.adapters.directory import DirectoryStore
from messaging.adapters.exchanges import ExchangeViewsStore
from messaging.adapters.feed import DigestQueueStore, FeedStore, PresenceStore
from messaging.adapters.live import Hub, KafkaLiveBus
from messaging.adapters.mail import SmtpMailer
from messaging.adapters.rates import TokenBuckets
from messaging.adapters.redaction import EventRedaction
from messaging.adapters.views import ConversationIndexStore, MessageViewsStore, ReportsStore
from messaging.application import conversations as conv
from messaging.application.digests import SendDigests, SetDigestPreference
from messaging.application.erasure import EraseMember
from messaging.application.exchanges import ExchangeUseCases
from messaging.application.fanout import DigestWindows, Fanout
from messaging.application.messages import ChangeMessage, Projection, SendMessage
from messaging.application.reading import History, MarkRead, MyThreads, Search, Thread, Unread
from messaging.application.streaming import Streams
from messaging.application.suggestions import Suggestions
from messaging.domain.conversation import Conversation
from messaging.domain.exchange import Exchange
from messaging.domain.message import Message
from messaging.domain.policy import ProgramPolicy
from messaging.domain.reader import DigestPreference, ReadMarker
from messaging.entrypoints import api, consumers
from messaging.entrypoints.deps import UseCases
from messaging.settings import MessagingSettings

log = logging.getLogger("messaging.bootstrap")
#: a message is a few commits (posted, an edit, reactions): a snapshot every 8 versions
MESSAGE_SNAPSHOT_EVERY = 8


def create_app(settings: MessagingSettings | None = None) -> FastAPI:
    settings = settings or MessagingSettings()
    runtime = build_runtime(settings)
    store, db, storage = runtime.events, runtime.db, runtime.storage

    def repo(cls: type, snapshots: str, every: int = 1) -> AggregateRepository:
        return AggregateRepository(
            store, db, cls, storage=storage, snapshots=snapshots, snapshot_every=every
        )

    conversations = repo(Conversation, "conversation_snapshots")
    messages = repo(Message, "message_snapshots", every=MESSAGE_SNAPSHOT_EVERY)
    markers = repo(ReadMarker, "read_marker_snapshots")
    preferences = repo(DigestPreference, "digest_preference_snapshots")
    policies = repo(ProgramPolicy, "policy_snapshots")
    exchange_views = ExchangeViewsStore(db)
    exchanges = ExchangeUseCases(
        conversations, messages, repo(Exchange, "exchange_snapshots"), exchange_views
    )

    views = MessageViewsStore(db, storage)
    index = ConversationIndexStore(db)
    reports = ReportsStore(db)
    feed = FeedStore(db, storage, backlog=settings.feed_backlog)
    presence = PresenceStore(db, storage, active_seconds=settings.active_seconds)
    digests = DigestQueueStore(db)
    directory = DirectoryStore(db)
    shares = SharedDocumentsAttachments(db)
    attachments = (
        DocumentsApiAttachments(settings.documents_url) if settings.documents_url else shares
    )
    hub = Hub(messages=views.many)
    bus = KafkaLiveBus(runtime.broker, settings, hub)
    bus.subscribe()
    redaction = EventRedaction(store)
    mailer = SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        sender=settings.smtp_sender,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        starttls=settings.smtp_starttls,
    )

    windows = DigestWindows(settings.digest_hourly_seconds, settings.digest_daily_seconds)
    fanout = Fanout(feed, bus, digests, preferences, windows)
    changes = conv.ConversationChanges(conversations, index, fanout)
    projection = Projection(views, fanout)
    unread = Unread(views, markers)
    send_limiter = TokenBuckets(settings.sends_per_second, settings.send_burst)
    change = ChangeMessage(
        conversations, messages, projection, directory, redaction, reports, quoted=exchanges
    )
    use_cases = UseCases(
        list_conversations=conv.ListMyConversations(index, unread),
        view_conversation=conv.ViewConversation(conversations, unread),
        open_direct=conv.OpenDirect(changes, policies, directory),
        rooms=conv.ManageRooms(changes, conversations, directory),
        consent=conv.SetSharingConsent(conversations, changes),
        policy=conv.SetProgramPolicy(policies, directory),
        send=SendMessage(conversations, messages, projection, attachments, send_limiter),
        change=change,
        history=History(conversations, views),
        thread=Thread(conversations, views),
        mark_read=MarkRead(conversations, markers, views, fanout),
        threads=MyThreads(index, views),
        search=Search(conversations, index, views),
        digest=SetDigestPreference(preferences),
        streams=Streams(
            feed, views, conversations, fanout, presence, backlog=settings.feed_backlog
        ),
    )
    erase = EraseMember(
        index, conversations, messages, views, projection, redaction, changes, exchanges
    )
    consumers.register(runtime, conv.FollowMatches(changes, index), directory, erase, shares)
    consumers.register_exchanges(runtime, exchanges)
    send_digests = SendDigests(
        digests, preferences, presence, index, unread, mailer, link=settings.public_url
    )

    async def digest_loop() -> None:
        while True:
            try:
                await send_digests.run_once()
            except Exception:  # a failed round is retried next time; the claim keeps it once
                log.exception("digest round failed")
            await asyncio.sleep(settings.digest_poll_seconds)

    idempotency = IdempotencyStore(db)

    async def prepare(rt: Runtime) -> None:
        await idempotency.ensure_indexes()
        await views.ensure_indexes()
        await index.ensure_indexes()
        await exchange_views.ensure_indexes()
        rt.start_background(digest_loop(), "digests")

    app = create_service_app(
        runtime,
        title="Messaging service",
        description=messaging.__doc__ or "",
        routers=api.routers,
        on_startup=[prepare],
    )
    app.state.messaging = use_cases
    app.state.idempotency = idempotency
    app.state.exchanges = exchanges
    app.state.suggestions = Suggestions(conversations, views)
    app.state.hub = hub
    app.state.frame_limiter = TokenBuckets(settings.ws_frames_per_second, settings.ws_frame_burst)
    app.state.digests = send_digests
    return app
