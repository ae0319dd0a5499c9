// A mentorship's documents: its space's list, upload (DocumentUpload), and a viewer that
// plays media through a signed link (the service answers Range on it, so seeking works,
// and a <video> cannot send a bearer token).
import { Alert, Anchor, Badge, Button, Card, Grid, Group, NavLink, Stack, Text, Title, UnstyledButton } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router";
import { accessToken, documents, ok, type D, type M } from "../../api/client";
import { useActiveMatches, useProgramId } from "../../app/hooks";
import { MemberName } from "../../app/MemberName";
import { Failure, PageTitle, Query } from "../../app/ui";
import { useAuth } from "../../auth/AuthProvider";
import { conversationOf, edgeUrl, formatBytes, formatDuration, kindOf } from "../../lib/documents";
import { formatDateTime } from "../../lib/format";
import { DocumentUpload, shareWithConversation } from "./DocumentUpload";

const LINK_SECONDS = 900;

/** A preview JPEG fetched with the token (an <img> cannot send one), as a blob URL. */
function Thumbnail({ documentId }: { documentId: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let objectUrl: string | null = null;
    let live = true;
    void fetch(`/api/documents/v1/documents/${encodeURIComponent(documentId)}/preview`, { headers: { Authorization: `Bearer ${accessToken()}` } })
      .then((r) => (r.ok ? r.blob() : null))
      .then((blob) => {
        if (blob && live) setUrl((objectUrl = URL.createObjectURL(blob)));
      })
      .catch(() => {});
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [documentId]);
  return url ? <img src={url} alt="" width={64} height={48} style={{ objectFit: "cover", borderRadius: 4 }} /> : <div style={{ width: 64, height: 48 }} />;
}

async function signedLink(documentId: string, version: number): Promise<string> {
  const link = await ok(documents.POST("/v1/documents/{document_id}/links", { params: { path: { document_id: documentId } }, body: { version, expires_in: LINK_SECONDS } }));
  return edgeUrl(link.url);
}

/** A signed link to the current version for the viewer. Not renewed on a timer (a new src
 * would restart a playing video): the player asks for a new one when the old one fails. */
function useSignedLink(document: D["DocumentOut"] | undefined) {
  return useQuery({
    queryKey: ["document-link", document?.document_id, document?.current.number],
    queryFn: () => signedLink(document!.document_id, document!.current.number),
    enabled: !!document,
    staleTime: (LINK_SECONDS - 120) * 1000,
  });
}

/** Download through a fresh link (the viewer's may have expired while it was open). */
async function download(documentId: string, version: number, name: string): Promise<void> {
  const a = window.document.createElement("a");
  a.href = await signedLink(documentId, version);
  a.download = name;
  window.document.body.append(a);
  a.click();
  a.remove();
}

function Player({ kind, url, name, onExpired }: { kind: "video" | "audio"; url: string; name: string; onExpired: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  const resumeAt = useRef<number | null>(null);
  useEffect(() => {
    // A renewed link replaces the source: continue where playback was.
    const media = ref.current;
    if (!media || resumeAt.current === null) return;
    const at = resumeAt.current;
    resumeAt.current = null;
    media.addEventListener("loadedmetadata", () => (media.currentTime = at), { once: true });
  }, [url]);
  const onError = () => {
    if (!ref.current) return;
    resumeAt.current = ref.current.currentTime;
    onExpired();
  };
  const label = t("documents.view.player", { name });
  return kind === "video" ? (
    <video ref={ref} controls preload="metadata" src={url} aria-label={label} data-testid="player" onError={onError} style={{ maxWidth: "100%", maxHeight: 480, background: "#000" }} />
  ) : (
    <audio ref={ref} controls preload="metadata" src={url} aria-label={label} data-testid="player" onError={onError} style={{ width: "100%" }} />
  );
}

function DocumentView({ documentId, conversationId }: { documentId: string; conversationId: string }) {
  const { t, i18n } = useTranslation();
  const { identity } = useAuth();
  const client = useQueryClient();
  const document = useQuery({
    queryKey: ["document", documentId],
    queryFn: () => ok(documents.GET("/v1/documents/{document_id}", { params: { path: { document_id: documentId } } })),
    // Media facts and previews come from background jobs: look again until they are there.
    refetchInterval: (q) => {
      const doc = q.state.data;
      return doc && kindOf(doc.current.content_type) !== "other" && !doc.current.media ? 4000 : false;
    },
  });
  const link = useSignedLink(document.data);
  const share = useMutation({
    mutationFn: () => shareWithConversation(documentId, conversationId),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["document", documentId] }),
  });
  return (
    <Card withBorder component="section" aria-labelledby="h-document" data-testid="document-view">
      <Query q={document}>
        {(doc) => {
          const kind = kindOf(doc.current.content_type);
          const media = (doc.current.media ?? {}) as { duration_seconds?: number | null; browser_playable?: boolean; video?: { width?: number; height?: number } };
          const mine = doc.owner_user_id === identity?.userId;
          const shared = !!doc.shared_with?.conversation_ids?.includes(conversationId);
          return (
            <Stack gap="sm">
              <Title order={2} size="h4" id="h-document" style={{ overflowWrap: "anywhere" }}>
                {doc.name}
              </Title>
              <Text size="sm">
                {[doc.current.content_type, formatBytes(doc.current.size, i18n.language), media.duration_seconds ? t("documents.view.duration", { duration: formatDuration(media.duration_seconds) }) : "", t("documents.view.version", { number: doc.current.number, count: doc.versions })]
                  .filter(Boolean)
                  .join(" · ")}
              </Text>
              {media.browser_playable === false && <Alert color="yellow">{t("documents.view.notPlayable")}</Alert>}
              {link.error && <Failure error={link.error} retry={() => void link.refetch()} />}
              {link.data && kind === "pdf" && <iframe src={link.data} title={t("documents.view.pdf", { name: doc.name })} data-testid="pdf" style={{ width: "100%", height: 560, border: "1px solid var(--mantine-color-gray-4)" }} />}
              {link.data && kind === "image" && <img src={link.data} alt={doc.name} data-testid="image" style={{ maxWidth: "100%", maxHeight: 560, objectFit: "contain" }} />}
              {link.data && (kind === "video" || kind === "audio") && <Player kind={kind} url={link.data} name={doc.name} onExpired={() => void link.refetch()} />}
              {kind === "other" && <Text>{t("documents.view.noPreview")}</Text>}
              <Group>
                <Button variant="outline" onClick={() => void download(doc.document_id, doc.current.number, doc.name)}>
                  {t("documents.view.download")}
                </Button>
                {mine && !shared && (
                  <Button variant="light" onClick={() => share.mutate()} loading={share.isPending}>
                    {t("documents.view.share")}
                  </Button>
                )}
                {shared && (
                  <Badge variant="outline" color="green.9" data-testid="shared-badge">
                    {t("documents.view.shared")}
                  </Badge>
                )}
              </Group>
              {share.error && <Failure error={share.error} />}
            </Stack>
          );
        }}
      </Query>
    </Card>
  );
}

function DocumentList({ spaceId, selected, onSelect }: { spaceId: string; selected: string | null; onSelect: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const { identity } = useAuth();
  const list = useQuery({
    queryKey: ["documents", spaceId],
    queryFn: () => ok(documents.GET("/v1/spaces/{space_id}/documents", { params: { path: { space_id: spaceId }, query: { limit: 100 } } })),
    refetchInterval: 15_000,
  });
  return (
    <Card withBorder component="section" aria-labelledby="h-list">
      <Title order={2} size="h4" id="h-list" mb="xs">
        {t("documents.list")}
      </Title>
      <Query q={list}>
        {(page) =>
          page.items.length === 0 ? (
            <Text>{t("documents.empty")}</Text>
          ) : (
            <Stack gap={4} component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
              {page.items.map((d) => (
                <li key={d.document_id} data-testid="document">
                  <UnstyledButton
                    onClick={() => onSelect(d.document_id)}
                    aria-current={d.document_id === selected ? "true" : undefined}
                    aria-label={t("documents.open", { name: d.name })}
                    p={6}
                    w="100%"
                    style={{ borderRadius: 4, background: d.document_id === selected ? "var(--mantine-color-blue-0)" : undefined }}
                  >
                    <Group wrap="nowrap" gap="sm">
                      {d.has_preview ? <Thumbnail documentId={d.document_id} /> : <div style={{ width: 64, height: 48 }} />}
                      <div style={{ minWidth: 0 }}>
                        <Text fw={600} style={{ overflowWrap: "anywhere" }}>
                          {d.name}
                        </Text>
                        <Text size="xs">
                          {t(`documents.kinds.${kindOf(d.content_type)}`)} · {formatBytes(d.size, i18n.language)} · {d.owner_user_id === identity?.userId ? t("documents.byYou") : t("documents.byOther")} ·{" "}
                          {formatDateTime(d.updated_at, i18n.language)}
                        </Text>
                      </div>
                    </Group>
                  </UnstyledButton>
                </li>
              ))}
            </Stack>
          )
        }
      </Query>
    </Card>
  );
}

export function Documents() {
  const { t } = useTranslation();
  const programId = useProgramId();
  const { matchId } = useParams();
  const [search, setSearch] = useSearchParams();
  const client = useQueryClient();
  const matches = useActiveMatches(programId);
  const selected = search.get("doc");
  const select = (id: string) => setSearch({ doc: id });
  return (
    <Stack>
      <PageTitle>{t("documents.heading")}</PageTitle>
      <Query q={matches}>
        {(page) => {
          const match: M["MatchSummary"] | undefined = page.items.find((m) => m.match_id === matchId) ?? page.items[0];
          if (!match) return <Text>{t("documents.noMentorship")}</Text>;
          const conversationId = conversationOf(match);
          return (
            <Grid>
              {page.items.length > 1 && (
                <Grid.Col span={12}>
                  <nav aria-label={t("documents.mentorships")}>
                    <Group gap="xs">
                      {page.items.map((m) => (
                        <NavLink
                          key={m.match_id}
                          component={Link}
                          to={`/p/${programId}/documents/${m.match_id}`}
                          label={<MemberName programId={programId} memberId={m.other_member_id} />}
                          active={m.match_id === match.match_id}
                          aria-current={m.match_id === match.match_id ? "page" : undefined}
                          w="auto"
                        />
                      ))}
                    </Group>
                  </nav>
                </Grid.Col>
              )}
              <Grid.Col span={12}>
                <Text>
                  {t("documents.with")} <MemberName programId={programId} memberId={match.other_member_id} /> ·{" "}
                  <Anchor component={Link} to={`/p/${programId}/chat`}>
                    {t("documents.toChat")}
                  </Anchor>
                </Text>
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 5 }}>
                <Stack>
                  <DocumentUpload
                    target={{ programId, spaceId: match.match_id }}
                    conversationId={conversationId}
                    onUploaded={(id) => {
                      void client.invalidateQueries({ queryKey: ["documents", match.match_id] });
                      select(id);
                    }}
                  />
                  <DocumentList spaceId={match.match_id} selected={selected} onSelect={select} />
                </Stack>
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 7 }}>
                {selected ? (
                  <DocumentView key={selected} documentId={selected} conversationId={conversationId} />
                ) : (
                  <Card withBorder>
                    <Text>{t("documents.view.choose")}</Text>
                  </Card>
                )}
              </Grid.Col>
            </Grid>
          );
        }}
      </Query>
    </Stack>
  );
}
