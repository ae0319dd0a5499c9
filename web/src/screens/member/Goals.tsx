// Goals and check-ins, per mentorship: the pair sets goals and milestones, moves their
// progress and answers the check-ins the program schedules (the insights service).
import { Anchor, Badge, Button, Card, Checkbox, Group, NativeSelect, NumberInput, Progress, Stack, Text, TextInput, Textarea, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { idempotencyKey, insights, type M, matching, ok } from "../../api/client";
import { useProgramId } from "../../app/hooks";
import { MemberName } from "../../app/MemberName";
import { Failure, Loading, PageTitle, Query } from "../../app/ui";
import { formatDate } from "../../lib/format";
import { milestonesDone, notYetKnown, parseDueInDays, parseMilestones, sortGoals, takesManualProgress, type Goal } from "../../lib/insights";
import { CheckIns } from "./CheckIns";

const END_REASONS = ["completed", "mentor_left", "mentee_left", "inactive", "other"] as const;

function GoalCard({ goal, plan, open }: { goal: Goal; plan: { programId: string; matchId: string }; open: boolean }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [percent, setPercent] = useState<number | string>(goal.progress_percent);
  const [milestone, setMilestone] = useState("");
  const key = ["goals", plan.programId, plan.matchId];
  const path = { program_id: plan.programId, match_id: plan.matchId, goal_id: goal.goal_id };
  const onSuccess = (data: unknown) => client.setQueryData(key, data);
  const change = useMutation({
    mutationFn: (progress: number) => ok(insights.PATCH("/v1/programs/{program_id}/mentorships/{match_id}/goals/{goal_id}", { params: { path }, body: { progress_percent: progress } })),
    onSuccess,
  });
  const mark = useMutation({
    mutationFn: ({ id, done }: { id: string; done: boolean }) =>
      ok(insights.PUT("/v1/programs/{program_id}/mentorships/{match_id}/goals/{goal_id}/milestones/{milestone_id}", { params: { path: { ...path, milestone_id: id } }, body: { done } })),
    onSuccess,
  });
  const add = useMutation({
    mutationFn: (title: string) =>
      ok(insights.POST("/v1/programs/{program_id}/mentorships/{match_id}/goals/{goal_id}/milestones", { params: { path, header: { "Idempotency-Key": idempotencyKey() } }, body: { title } })),
    onSuccess: (data) => {
      onSuccess(data);
      setMilestone("");
    },
  });
  const remove = useMutation({
    mutationFn: () => ok(insights.DELETE("/v1/programs/{program_id}/mentorships/{match_id}/goals/{goal_id}", { params: { path } })),
    onSuccess,
  });
  const { done, total } = milestonesDone(goal);
  const failed = change.error ?? mark.error ?? add.error ?? remove.error;
  return (
    <Card withBorder component="li" data-testid="goal" aria-label={goal.title}>
      <Group justify="space-between" wrap="nowrap">
        <Title order={4} size="h5">
          {goal.title}
        </Title>
        <Badge variant="outline" data-testid="goal-status">
          {t(`goals.status.${goal.status}`)}
        </Badge>
      </Group>
      {goal.description && (
        <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
          {goal.description}
        </Text>
      )}
      {goal.due_on && <Text size="sm">{t("goals.dueOn", { date: formatDate(`${goal.due_on}T12:00:00`, i18n.language) })}</Text>}
      <Group gap="xs" mt="xs" wrap="nowrap">
        <Progress value={goal.progress_percent} aria-label={t("goals.progressOf", { title: goal.title })} style={{ flex: 1 }} />
        <Text size="sm" data-testid="goal-progress">
          {t("goals.percent", { value: goal.progress_percent })}
        </Text>
      </Group>
      {total > 0 && (
        <Stack gap={4} mt="xs" role="group" aria-label={t("goals.milestonesOf", { title: goal.title, done, total })}>
          <Text size="sm" fw={600}>
            {t("goals.milestonesDone", { done, total })}
          </Text>
          {goal.milestones.map((m) => (
            <Checkbox key={m.milestone_id} label={m.title} checked={m.done} disabled={!open || mark.isPending} onChange={(e) => mark.mutate({ id: m.milestone_id, done: e.currentTarget.checked })} />
          ))}
        </Stack>
      )}
      {open && (
        <Stack gap="xs" mt="sm">
          {takesManualProgress(goal) && (
            <Group align="end">
              <NumberInput label={t("goals.progress")} min={0} max={100} step={10} clampBehavior="strict" value={percent} onChange={setPercent} w={140} />
              <Button variant="light" loading={change.isPending} onClick={() => change.mutate(Number(percent) || 0)}>
                {t("goals.saveProgress")}
              </Button>
            </Group>
          )}
          <Group align="end">
            <TextInput label={t("goals.newMilestone")} value={milestone} onChange={(e) => setMilestone(e.currentTarget.value)} maxLength={200} />
            <Button variant="light" disabled={!milestone.trim()} loading={add.isPending} onClick={() => add.mutate(milestone.trim())}>
              {t("goals.addMilestone")}
            </Button>
            <Button variant="outline" color="red.9" loading={remove.isPending} onClick={() => remove.mutate()}>
              {t("goals.remove")}
            </Button>
          </Group>
        </Stack>
      )}
      {failed && <Failure error={failed} />}
    </Card>
  );
}

function NewGoal({ programId, matchId }: { programId: string; matchId: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [due, setDue] = useState("");
  const [milestones, setMilestones] = useState("");
  const dueInDays = parseDueInDays(due);
  const create = useMutation({
    mutationFn: () =>
      ok(
        insights.POST("/v1/programs/{program_id}/mentorships/{match_id}/goals", {
          params: { path: { program_id: programId, match_id: matchId }, header: { "Idempotency-Key": idempotencyKey() } },
          body: { title: title.trim(), description: description.trim(), due_in_days: dueInDays === "invalid" ? null : dueInDays, milestones: parseMilestones(milestones) },
        }),
      ),
    onSuccess: (plan) => {
      client.setQueryData(["goals", programId, matchId], plan);
      setTitle("");
      setDescription("");
      setDue("");
      setMilestones("");
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (title.trim() && dueInDays !== "invalid") create.mutate();
  };
  return (
    <form onSubmit={submit} aria-labelledby={`new-goal-${matchId}`}>
      <Stack gap="xs">
        <Title order={4} size="h5" id={`new-goal-${matchId}`}>
          {t("goals.new")}
        </Title>
        <TextInput label={t("goals.title")} required value={title} onChange={(e) => setTitle(e.currentTarget.value)} maxLength={200} />
        <Textarea label={t("goals.description")} value={description} onChange={(e) => setDescription(e.currentTarget.value)} maxLength={2000} autosize minRows={2} />
        <TextInput
          label={t("goals.dueInDays")}
          description={t("goals.dueInDaysHint")}
          inputMode="numeric"
          value={due}
          onChange={(e) => setDue(e.currentTarget.value)}
          error={dueInDays === "invalid" ? t("goals.dueInvalid") : undefined}
        />
        <Textarea label={t("goals.milestones")} description={t("goals.milestonesHint")} value={milestones} onChange={(e) => setMilestones(e.currentTarget.value)} autosize minRows={2} />
        {create.error && <Failure error={create.error} />}
        <Group>
          <Button type="submit" loading={create.isPending} disabled={!title.trim()}>
            {t("goals.set")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Goals({ programId, matchId, open }: { programId: string; matchId: string; open: boolean }) {
  const { t } = useTranslation();
  const plan = useQuery({
    queryKey: ["goals", programId, matchId],
    queryFn: () => ok(insights.GET("/v1/programs/{program_id}/mentorships/{match_id}/goals", { params: { path: { program_id: programId, match_id: matchId } } })),
    retry: notYetKnown,
    retryDelay: 1500,
  });
  return (
    <Stack gap="sm">
      <Title order={3} size="h4">
        {t("goals.heading")}
      </Title>
      <Query q={plan}>
        {(data) => (
          <>
            {data.items.length === 0 ? (
              <Text>{t("goals.none")}</Text>
            ) : (
              <Stack gap="sm" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
                {sortGoals(data.items).map((g) => (
                  <GoalCard key={g.goal_id} goal={g} plan={{ programId, matchId }} open={open} />
                ))}
              </Stack>
            )}
            {open && <NewGoal programId={programId} matchId={matchId} />}
          </>
        )}
      </Query>
    </Stack>
  );
}

function EndMentorship({ programId, matchId }: { programId: string; matchId: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState<string>("completed");
  const end = useMutation({
    mutationFn: () => ok(matching.POST("/v1/matches/{match_id}/end", { params: { path: { match_id: matchId } }, body: { reason } })),
    onSuccess: () => {
      setAsking(false);
      void client.invalidateQueries({ queryKey: ["matches", programId] });
      void client.invalidateQueries({ queryKey: ["check-ins", programId, matchId] });
    },
  });
  if (!asking)
    return (
      <Group>
        <Button variant="outline" color="red.9" onClick={() => setAsking(true)}>
          {t("goals.end")}
        </Button>
      </Group>
    );
  return (
    <Stack gap="xs" role="group" aria-label={t("goals.end")}>
      <Text size="sm">{t("goals.endExplain")}</Text>
      <NativeSelect label={t("goals.endReason")} value={reason} onChange={(e) => setReason(e.currentTarget.value)} data={END_REASONS.map((r) => ({ value: r, label: t(`goals.endReasons.${r}`) }))} w={280} />
      {end.error && <Failure error={end.error} />}
      <Group>
        <Button color="red.9" loading={end.isPending} onClick={() => end.mutate()}>
          {t("goals.endConfirm")}
        </Button>
        <Button variant="default" onClick={() => setAsking(false)}>
          {t("app.cancel")}
        </Button>
      </Group>
    </Stack>
  );
}

function Mentorship({ programId, match }: { programId: string; match: M["MatchSummary"] }) {
  const { t, i18n } = useTranslation();
  const open = match.status === "active";
  const heading = `h-mentorship-${match.match_id}`;
  return (
    <Card withBorder component="section" aria-labelledby={heading} data-testid="mentorship">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h3" id={heading}>
          {match.role === "mentee" ? t("goals.withMentor") : t("goals.withMentee")} <MemberName programId={programId} memberId={match.other_member_id} />
        </Title>
        <Group gap="xs">
          {match.started_at && <Text size="sm">{t("home.since", { date: formatDate(match.started_at, i18n.language) })}</Text>}
          {!open && <Badge variant="outline">{t("goals.ended")}</Badge>}
        </Group>
      </Group>
      <Stack gap="lg">
        <Goals programId={programId} matchId={match.match_id} open={open} />
        <CheckIns programId={programId} matchId={match.match_id} ended={!open} />
        {open && <EndMentorship programId={programId} matchId={match.match_id} />}
      </Stack>
    </Card>
  );
}

export function GoalsAndCheckIns() {
  const { t } = useTranslation();
  const programId = useProgramId();
  const matches = useQuery({
    queryKey: ["matches", programId, "all"],
    queryFn: () => ok(matching.GET("/v1/programs/{program_id}/matches", { params: { path: { program_id: programId }, query: { limit: 100 } } })),
  });
  return (
    <Stack>
      <PageTitle>{t("goals.pageTitle")}</PageTitle>
      <Text>{t("goals.lead")}</Text>
      {matches.isPending ? (
        <Loading />
      ) : matches.error ? (
        <Failure error={matches.error} retry={() => void matches.refetch()} />
      ) : matches.data.items.length === 0 ? (
        <Stack gap="xs">
          <Text>{t("home.noMentorships")}</Text>
          <Anchor component={Link} to={`/p/${programId}/mentors`}>
            {t("home.findMentor")}
          </Anchor>
        </Stack>
      ) : (
        [...matches.data.items]
          .sort((a, b) => Number(a.status !== "active") - Number(b.status !== "active"))
          .map((m) => <Mentorship key={m.match_id} programId={programId} match={m} />)
      )}
    </Stack>
  );
}
