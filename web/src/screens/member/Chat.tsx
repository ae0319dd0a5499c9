import { Anchor, Badge, Button, Card, Grid, Group, NavLink, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { accessToken, messaging, ok, type Msg } from "../../api/client";
import { useActiveMatches, useProgramId } from "../../app/hooks";
import { PageTitle, Query } from "../../app/ui";
import { useAuth } from "../../auth/AuthProvider";
import { ChatSocket, mergeMessages, type ChatFrame } from "../../lib/chat";
import { matchOfConversation } from "../../lib/documents";
import { formatDateTime } from "../../lib/format";

function socketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss" : "ws"}://${host}/api/messaging/v1/stream`;
}

export function Chat() {
  const { t, i18n } = useTranslation();
  const programId = useProgramId();
  const { identity } = useAuth();
  const client = useQueryClient();
  const conversations = useQuery({
    queryKey: ["conversations"],
    queryFn: () => ok(messaging.GET("/v1/conversations")),
    select: (rows) => rows.filter((c) => c.program_id === programId && !c.archived),
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const current = chosen ?? conversations.data?.[0]?.conversation_id ?? null;
  const matches = useActiveMatches(programId);
  const currentMatch = current ? matchOfConversation(current, matches.data?.items ?? []) : undefined;
  const [messages, setMessages] = useState<Record<string, Msg["MessageOut"][]>>({});
  const [typing, setTyping] = useState<Record<string, number>>({});
  const [status, setStatus] = useState<"connecting" | "live" | "offline">("connecting");
  const [draft, setDraft] = useState("");
  const socket = useRef<ChatSocket | null>(null);
  const lastTyping = useRef(0);

  const page = useQuery({
    queryKey: ["messages", current],
    queryFn: () => ok(messaging.GET("/v1/conversations/{conversation_id}/messages", { params: { path: { conversation_id: current! }, query: { limit: 50 } } })),
    enabled: !!current,
  });

  useEffect(() => {
    const onFrame = (frame: ChatFrame) => {
      if (frame.type === "typing" && frame.user_id !== identity?.userId) setTyping((m) => ({ ...m, [String(frame.user_id)]: Date.now() }));
      if (frame.type === "event") {
        const message = frame.message;
        if (message) setMessages((all) => ({ ...all, [message.conversation_id]: mergeMessages(all[message.conversation_id] ?? [], [message]) }));
        void client.invalidateQueries({ queryKey: ["conversations"] });
      }
    };
    const s = new ChatSocket(socketUrl(), accessToken, {
      onFrame,
      onStatus: setStatus,
      onReset: () => void client.invalidateQueries({ queryKey: ["messages"] }),
    });
    socket.current = s;
    s.start();
    return () => s.stop();
  }, [client, identity?.userId]);

  const shown = useMemo(() => mergeMessages(page.data?.items ?? [], current ? messages[current] ?? [] : []), [page.data, messages, current]);
  const lastNumber = shown[shown.length - 1]?.number;
  useEffect(() => {
    if (current && lastNumber) void messaging.PUT("/v1/conversations/{conversation_id}/read", { params: { path: { conversation_id: current } }, body: { up_to: lastNumber } });
  }, [current, lastNumber]);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const typists = Object.entries(typing).filter(([, at]) => now - at < 4000).map(([u]) => u);

  const send = useMutation({
    mutationFn: () => ok(messaging.POST("/v1/conversations/{conversation_id}/messages", { params: { path: { conversation_id: current! } }, body: { body: draft } })),
    onSuccess: (message) => {
      setDraft("");
      setMessages((all) => ({ ...all, [message.conversation_id]: mergeMessages(all[message.conversation_id] ?? [], [message]) }));
    },
  });
  const who = (sender: string) => (sender === identity?.userId ? t("chat.you") : sender);
  return (
    <Stack>
      <Group justify="space-between">
        <PageTitle>{t("chat.heading")}</PageTitle>
        <Badge variant="outline" color={status === "live" ? "green.9" : "orange.9"} role="status" data-testid="chat-status">
          {t(`chat.status.${status}`)}
        </Badge>
      </Group>
      <Query q={conversations}>
        {(rows) =>
          rows.length === 0 ? (
            <Text>{t("chat.none")}</Text>
          ) : (
            <Grid>
              <Grid.Col span={{ base: 12, md: 3 }}>
                <nav aria-label={t("chat.conversations")}>
                  {rows.map((c) => (
                    <NavLink
                      key={c.conversation_id}
                      label={c.title || t("chat.untitled")}
                      active={c.conversation_id === current}
                      aria-current={c.conversation_id === current ? "true" : undefined}
                      onClick={() => setChosen(c.conversation_id)}
                      rightSection={c.unread > 0 && c.conversation_id !== current ? <Badge variant="outline" aria-label={t("chat.unread", { count: c.unread })}>{c.unread}</Badge> : null}
                    />
                  ))}
                </nav>
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 9 }}>
                {currentMatch && (
                  <Anchor component={Link} to={`/p/${programId}/documents/${currentMatch.match_id}`} display="block" mb="xs">
                    {t("chat.documents")}
                  </Anchor>
                )}
                <Card withBorder component="section" aria-label={t("chat.messages")}>
                  <Stack gap="xs" component="ol" style={{ listStyle: "none", padding: 0, margin: 0, maxHeight: 420, overflowY: "auto" }} aria-live="polite" data-testid="messages">
                    {shown.map((m) => (
                      <li key={m.id} data-testid="message">
                        <Text size="sm" fw={600} span>
                          {who(m.sender)}
                        </Text>{" "}
                        <Text size="xs" span>
                          {formatDateTime(m.sent_at, i18n.language)}
                        </Text>
                        <Text style={{ whiteSpace: "pre-wrap" }}>{m.state === "visible" ? m.body : t("chat.removed")}</Text>
                      </li>
                    ))}
                  </Stack>
                  <Text size="sm" mt="xs" aria-live="polite" data-testid="typing" style={{ minHeight: "1.5em" }}>
                    {typists.length > 0 ? t("chat.typing", { names: typists.join(", ") }) : ""}
                  </Text>
                  <form
                    onSubmit={(e) => {
                      e.preventDefault();
                      if (draft.trim()) send.mutate();
                    }}
                  >
                    <Group align="flex-end" mt="xs">
                      <Textarea
                        style={{ flex: 1 }}
                        label={t("chat.write")}
                        value={draft}
                        maxLength={10_000}
                        autosize
                        minRows={1}
                        onChange={(e) => {
                          setDraft(e.currentTarget.value);
                          if (current && Date.now() - lastTyping.current > 2000) {
                            lastTyping.current = Date.now();
                            socket.current?.typing(current);
                          }
                        }}
                        onKeyDown={(e) => {
                          if (e.key === "Enter" && !e.shiftKey) {
                            e.preventDefault();
                            if (draft.trim()) send.mutate();
                          }
                        }}
                      />
                      <Button type="submit" loading={send.isPending} disabled={!draft.trim()}>
                        {t("chat.send")}
                      </Button>
                    </Group>
                  </form>
                </Card>
              </Grid.Col>
            </Grid>
          )
        }
      </Query>
    </Stack>
  );
}
