// A mentorship's check-ins: the rounds due so far, my answer to each (once), the others'
// public answers. A private answer reaches the program's admins only, in groups of five.
import { Button, Card, Group, Radio, Stack, Text, Textarea, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { insights, ok } from "../../api/client";
import { Failure, Query } from "../../app/ui";
import { formatDate, formatDateTime } from "../../lib/format";
import { notYetKnown, parseRound, splitRounds, type CheckInRound } from "../../lib/insights";

const SCORES = ["1", "2", "3", "4", "5"] as const;

export function useRoundLabel() {
  const { t } = useTranslation();
  return (name: string) => {
    const round = parseRound(name);
    if (round.kind === "day") return t("checkIns.round.day", { days: round.days });
    if (round.kind === "close") return t("checkIns.round.close");
    return round.name;
  };
}

function Answer({ programId, matchId, round }: { programId: string; matchId: string; round: CheckInRound }) {
  const { t, i18n } = useTranslation();
  const label = useRoundLabel();
  const client = useQueryClient();
  const [score, setScore] = useState<string | null>(null);
  const [comment, setComment] = useState("");
  const [visibility, setVisibility] = useState<"private" | "public">("private");
  const answer = useMutation({
    mutationFn: () =>
      ok(
        insights.POST("/v1/programs/{program_id}/mentorships/{match_id}/check-ins/{round}", {
          params: { path: { program_id: programId, match_id: matchId, round: round.round } },
          body: { score: Number(score), comment: comment.trim(), visibility },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["check-ins", programId, matchId] }),
  });
  const heading = `check-in-${matchId}-${round.round}`;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (score) answer.mutate();
  };
  return (
    <Card withBorder component="li" data-testid="check-in" aria-labelledby={heading}>
      <form onSubmit={submit}>
        <Stack gap="xs">
          <Title order={4} size="h5" id={heading}>
            {label(round.round)}
          </Title>
          {round.due_at && <Text size="sm">{t("checkIns.dueSince", { date: formatDate(round.due_at, i18n.language) })}</Text>}
          <Radio.Group label={t("checkIns.question")} description={t("checkIns.scale")} value={score} onChange={setScore} required>
            <Group mt="xs">
              {SCORES.map((s) => (
                <Radio key={s} value={s} label={t(`checkIns.scores.${s}`)} />
              ))}
            </Group>
          </Radio.Group>
          <Textarea label={t("checkIns.comment")} value={comment} onChange={(e) => setComment(e.currentTarget.value)} maxLength={2000} autosize minRows={2} />
          <Radio.Group label={t("checkIns.visibility")} value={visibility} onChange={(v) => setVisibility(v as "private" | "public")}>
            <Stack gap={4} mt="xs">
              <Radio value="private" label={t("checkIns.private")} />
              <Radio value="public" label={t("checkIns.public")} />
            </Stack>
          </Radio.Group>
          {answer.error && <Failure error={answer.error} />}
          <Group>
            <Button type="submit" disabled={!score} loading={answer.isPending}>
              {t("checkIns.send")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function Answered({ round }: { round: CheckInRound }) {
  const { t, i18n } = useTranslation();
  const label = useRoundLabel();
  const mine = round.mine as { score: number; comment: string; visibility: string; answered_at: string };
  const others = round.public as { role: string; score: number; comment: string }[];
  return (
    <Card withBorder component="li" data-testid="check-in-answered" aria-label={label(round.round)}>
      <Title order={4} size="h5">
        {label(round.round)}
      </Title>
      <Text size="sm" data-testid="my-answer">
        {t("checkIns.mine", { score: mine.score, date: formatDateTime(mine.answered_at, i18n.language) })} ({t(`checkIns.${mine.visibility === "public" ? "publicShort" : "privateShort"}`)})
      </Text>
      {mine.comment && (
        <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
          “{mine.comment}”
        </Text>
      )}
      {others.map((o, i) => (
        <Text size="sm" key={i}>
          <b>{t(`checkIns.role.${o.role === "mentor" ? "mentor" : "mentee"}`)}:</b> {t("checkIns.theirScore", { score: o.score })}
          {o.comment && ` — “${o.comment}”`}
        </Text>
      ))}
      <Text size="sm">{t("checkIns.answers", { count: round.answers })}</Text>
    </Card>
  );
}

export function CheckIns({ programId, matchId, ended }: { programId: string; matchId: string; ended: boolean }) {
  const { t } = useTranslation();
  const rounds = useQuery({
    queryKey: ["check-ins", programId, matchId],
    queryFn: () => ok(insights.GET("/v1/programs/{program_id}/mentorships/{match_id}/check-ins", { params: { path: { program_id: programId, match_id: matchId } } })),
    retry: notYetKnown,
    retryDelay: 1500,
    // Once the mentorship ended, its closing check-in appears when insights has read the end.
    refetchInterval: (query) => (ended && !query.state.data?.items.some((r) => r.round === "close") ? 2000 : false),
  });
  return (
    <Stack gap="sm">
      <Title order={3} size="h4">
        {t("checkIns.heading")}
      </Title>
      <Query q={rounds}>
        {(data) => {
          const { toAnswer, answered } = splitRounds(data.items);
          if (data.items.length === 0) return <Text>{ended ? t("checkIns.closing") : t("checkIns.noneDue")}</Text>;
          return (
            <Stack gap="sm" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
              {toAnswer.map((r) => (
                <Answer key={r.round} programId={programId} matchId={matchId} round={r} />
              ))}
              {answered.map((r) => (
                <Answered key={r.round} round={r} />
              ))}
            </Stack>
          );
        }}
      </Query>
    </Stack>
  );
}
