import { Alert, Badge, Button, Card, Group, NativeSelect, Stack, Text, TextInput, Textarea, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { matching, ok, type M } from "../../api/client";
import { useMentorCard, useMyMember, useProgramId } from "../../app/hooks";
import { PageTitle, Query, Failure } from "../../app/ui";
import { formatDateTime } from "../../lib/format";

type Action = "accept" | "decline" | "ask" | "answer" | "withdraw";
const OPEN = new Set(["open", "info_requested"]);

function RequestCard({ request, programId }: { request: M["RequestSummary"]; programId: string }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [mode, setMode] = useState<Action | null>(null);
  const [text, setText] = useState("");
  const [reason, setReason] = useState("not_a_fit");
  const detail = useQuery({
    queryKey: ["request", request.request_id],
    queryFn: () => ok(matching.GET("/v1/requests/{request_id}", { params: { path: { request_id: request.request_id } } })),
  });
  const act = useMutation({
    mutationFn: (action: Action) => {
      const path = { request_id: request.request_id };
      switch (action) {
        case "accept":
          return ok(matching.POST("/v1/requests/{request_id}/accept", { params: { path } }));
        case "decline":
          return ok(matching.POST("/v1/requests/{request_id}/decline", { params: { path }, body: { reason, note: text || null } }));
        case "ask":
          return ok(matching.POST("/v1/requests/{request_id}/ask-info", { params: { path }, body: { text } }));
        case "answer":
          return ok(matching.POST("/v1/requests/{request_id}/info", { params: { path }, body: { text } }));
        case "withdraw":
          return ok(matching.POST("/v1/requests/{request_id}/withdraw", { params: { path } }));
      }
    },
    onSuccess: (updated) => {
      client.setQueryData(["request", request.request_id], updated);
      setMode(null);
      setText("");
      void client.invalidateQueries({ queryKey: ["requests", programId] });
      void client.invalidateQueries({ queryKey: ["matches", programId] });
    },
  });
  const status = detail.data?.status ?? request.status;
  const name = request.other_display_name ?? request.other_member_id;
  const asMentor = request.role === "mentor";
  const conversation = detail.data?.conversation ?? [];
  const label = asMentor ? t("requests.from", { name }) : t("requests.to", { name });
  return (
    <Card withBorder component="li" data-testid="request" aria-label={label}>
      <Group justify="space-between">
        <Title order={3} size="h5">
          {label}
        </Title>
        <Badge variant="outline" data-testid="request-status">
          {t(`requests.status.${status}`)}
        </Badge>
      </Group>
      {request.other_headline && <Text size="sm">{request.other_headline}</Text>}
      {request.message && (
        <Text mt="xs" style={{ whiteSpace: "pre-wrap" }}>
          “{request.message}”
        </Text>
      )}
      {conversation.length > 0 && (
        <Stack gap={2} mt="xs" aria-label={t("requests.conversation")} role="group">
          {conversation.map((c, i) => (
            <Text size="sm" key={i}>
              <b>{c.from === "mentor" ? t("admin.mentor") : t("admin.mentee")}:</b> {c.text}
            </Text>
          ))}
        </Stack>
      )}
      {OPEN.has(status) && request.expires_at && <Text size="sm">{t("requests.expires", { date: formatDateTime(request.expires_at, i18n.language) })}</Text>}
      {OPEN.has(status) && mode === null && (
        <Group mt="sm">
          {asMentor ? (
            <>
              <Button onClick={() => act.mutate("accept")} loading={act.isPending && act.variables === "accept"}>
                {t("requests.accept")}
              </Button>
              <Button variant="outline" onClick={() => setMode("ask")}>
                {t("requests.askInfo")}
              </Button>
              <Button variant="outline" color="red.9" onClick={() => setMode("decline")}>
                {t("requests.decline")}
              </Button>
            </>
          ) : (
            <>
              {status === "info_requested" && <Button onClick={() => setMode("answer")}>{t("requests.answer")}</Button>}
              <Button variant="outline" color="red.9" onClick={() => act.mutate("withdraw")}>
                {t("requests.withdraw")}
              </Button>
            </>
          )}
        </Group>
      )}
      {mode && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            act.mutate(mode);
          }}
        >
          <Stack mt="sm">
            {mode === "decline" && (
              <NativeSelect
                label={t("requests.declineReason")}
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
                data={(["not_a_fit", "at_capacity", "unavailable", "other"] as const).map((r) => ({ value: r, label: t(`requests.reasons.${r}`) }))}
              />
            )}
            <Textarea
              label={mode === "decline" ? t("requests.note") : mode === "ask" ? t("requests.question") : t("requests.yourAnswer")}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              required={mode !== "decline"}
              maxLength={2000}
              autosize
              minRows={2}
              data-autofocus
            />
            <Group>
              <Button type="submit" loading={act.isPending}>
                {mode === "decline" ? t("requests.decline") : mode === "ask" ? t("requests.askInfo") : t("requests.answer")}
              </Button>
              <Button variant="subtle" onClick={() => setMode(null)}>
                {t("app.cancel")}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {act.error && <Failure error={act.error} />}
    </Card>
  );
}

function PauseControl({ programId, mentorId }: { programId: string; mentorId: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const card = useMentorCard(programId, mentorId);
  const [until, setUntil] = useState("");
  const set = useMutation({
    mutationFn: (paused: boolean) =>
      ok(
        matching.PUT("/v1/programs/{program_id}/mentors/me/availability", {
          params: { path: { program_id: programId } },
          body: { paused, until: paused && until ? new Date(until).toISOString() : null, reason: paused ? "other" : null },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["mentor", programId, mentorId] }),
  });
  if (!card.data) return null;
  const paused = card.data.paused;
  return (
    <Card withBorder component="section" aria-labelledby="h-pause">
      <Title order={2} size="h4" id="h-pause" mb="xs">
        {t("requests.pauseHeading")}
      </Title>
      <Text role="status" mb="xs">
        {paused ? t("requests.pausedNow") : t("requests.activeNow")}
      </Text>
      <Group align="flex-end">
        {!paused && <TextInput type="date" label={t("requests.pauseUntil")} value={until} onChange={(e) => setUntil(e.currentTarget.value)} />}
        <Button variant="outline" onClick={() => set.mutate(!paused)} loading={set.isPending}>
          {paused ? t("requests.resume") : t("requests.pause")}
        </Button>
      </Group>
      {set.error && <Failure error={set.error} />}
    </Card>
  );
}

function RequestList({ programId, role }: { programId: string; role: "mentor" | "mentee" }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<string>("");
  const list = useQuery({
    queryKey: ["requests", programId, role, status],
    queryFn: () =>
      ok(
        matching.GET("/v1/programs/{program_id}/requests", {
          params: { path: { program_id: programId }, query: { role, status: (status || undefined) as never, limit: 50 } },
        }),
      ),
  });
  const id = `h-${role}`;
  return (
    <section aria-labelledby={id}>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h3" id={id}>
          {role === "mentor" ? t("requests.incoming") : t("requests.outgoing")}
        </Title>
        <NativeSelect
          label={t("requests.filter")}
          value={status}
          onChange={(e) => setStatus(e.currentTarget.value)}
          data={[{ value: "", label: t("requests.all") }, ...(["open", "info_requested", "accepted", "declined", "withdrawn", "expired"] as const).map((s) => ({ value: s, label: t(`requests.status.${s}`) }))]}
        />
      </Group>
      <Query q={list}>
        {(page) =>
          page.items.length === 0 ? (
            <Text>{t("requests.none")}</Text>
          ) : (
            <Stack component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
              {page.items.map((r) => (
                <RequestCard key={r.request_id} request={r} programId={programId} />
              ))}
            </Stack>
          )
        }
      </Query>
    </section>
  );
}

export function Requests() {
  const { t } = useTranslation();
  const programId = useProgramId();
  const me = useMyMember(programId);
  if (me.error) return <Failure error={me.error} />;
  const roles = me.data?.roles ?? [];
  return (
    <Stack gap="xl" maw={900}>
      <PageTitle>{t("requests.heading")}</PageTitle>
      {roles.includes("mentor") && me.data && (me.data.mentor_approved ? <PauseControl programId={programId} mentorId={me.data.member_id} /> : <Alert color="blue">{t("profile.applied", { state: t("profile.state.submitted") })}</Alert>)}
      {roles.includes("mentor") && <RequestList programId={programId} role="mentor" />}
      {roles.includes("mentee") && <RequestList programId={programId} role="mentee" />}
    </Stack>
  );
}
