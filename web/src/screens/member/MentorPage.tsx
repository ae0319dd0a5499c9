import { Alert, Badge, Button, Card, Group, Stack, Text, Textarea, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { idempotencyKey, matching, ok, profiles } from "../../api/client";
import { Explanation } from "../../app/Explanation";
import { useMentorCard, useMyMember, useProgramId } from "../../app/hooks";
import { Failure, Loading, PageTitle } from "../../app/ui";
import { formatDate, formatDateTime, percent } from "../../lib/format";

export function MentorPage() {
  const { t, i18n } = useTranslation();
  const programId = useProgramId();
  const { mentorId = "" } = useParams();
  const client = useQueryClient();
  const card = useMentorCard(programId, mentorId);
  const me = useMyMember(programId);
  const isMentee = !!me.data?.roles.includes("mentee");
  const member = useQuery({
    queryKey: ["member", programId, mentorId],
    queryFn: () => ok(profiles.GET("/v1/programs/{program_id}/members/{member_id}", { params: { path: { program_id: programId, member_id: mentorId } } })),
  });
  const why = useQuery({
    queryKey: ["explanation", programId, mentorId],
    queryFn: () => ok(matching.GET("/v1/programs/{program_id}/mentors/{mentor_id}/explanation", { params: { path: { program_id: programId, mentor_id: mentorId } } })),
    enabled: isMentee,
  });
  const [message, setMessage] = useState("");
  const ask = useMutation({
    mutationFn: () =>
      ok(
        matching.POST("/v1/programs/{program_id}/requests", {
          params: { path: { program_id: programId }, header: { "Idempotency-Key": idempotencyKey() } },
          body: { mentor_id: mentorId, message },
        }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["requests", programId] });
      void client.invalidateQueries({ queryKey: ["recommendations", programId] });
    },
  });
  if (card.error) return <Failure error={card.error} />;
  if (!card.data) return <Loading />;
  const c = card.data;
  const profile = member.data?.profile ?? {};
  const name = c.display_name ?? c.user_id;
  return (
    <Stack maw={800}>
      <PageTitle>{name}</PageTitle>
      {c.headline && <Text size="lg">{c.headline}</Text>}
      <Group>
        {c.paused ? (
          <Badge color="orange.9" variant="outline">{c.pause_until ? t("mentor.pausedUntil", { date: formatDate(c.pause_until, i18n.language) }) : t("mentor.paused")}</Badge>
        ) : (
          <Badge color="green.9" variant="outline">{t("mentor.capacity", { free: c.free_slots, capacity: c.capacity })}</Badge>
        )}
        {c.last_active_at && <Text size="sm">{t("mentor.lastActive", { date: formatDateTime(c.last_active_at, i18n.language) })}</Text>}
      </Group>
      {typeof profile.bio === "string" && <Text style={{ whiteSpace: "pre-wrap" }}>{profile.bio}</Text>}
      {(["skills", "expertise", "languages"] as const).map((f) =>
        Array.isArray(profile[f]) && (profile[f] as string[]).length > 0 ? (
          <Group key={f} gap={4}>
            <Text size="sm" fw={600}>
              {t(`profile.fields.${f}`)}:
            </Text>
            {(profile[f] as string[]).map((s) => (
              <Badge key={s} variant="outline" tt="none">
                {s}
              </Badge>
            ))}
          </Group>
        ) : null,
      )}
      {why.data && (
        <Card withBorder component="section" aria-labelledby="h-why">
          <Group justify="space-between">
            <Title order={2} size="h4" id="h-why">
              {t("mentor.explanation")}
            </Title>
            {why.data.score != null && <Badge variant="outline">{t("mentors.score", { score: percent(why.data.score) })}</Badge>}
          </Group>
          <Explanation explanation={why.data.explanation} />
        </Card>
      )}
      {isMentee && (
        <Card withBorder component="section" aria-labelledby="h-ask">
          <Title order={2} size="h4" id="h-ask" mb="sm">
            {t("mentor.ask")}
          </Title>
          {ask.isSuccess ? (
            <Alert color="green" role="status">
              {t("mentor.sent")}
            </Alert>
          ) : (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                ask.mutate();
              }}
            >
              <Stack>
                <Textarea label={t("mentor.message", { name })} description={t("mentor.messageHint")} value={message} onChange={(e) => setMessage(e.currentTarget.value)} required minLength={1} maxLength={2000} autosize minRows={3} />
                {ask.error && <Failure error={ask.error} />}
                <div>
                  <Button type="submit" loading={ask.isPending} disabled={!message.trim()}>
                    {t("mentor.send")}
                  </Button>
                </div>
              </Stack>
            </form>
          )}
        </Card>
      )}
    </Stack>
  );
}
