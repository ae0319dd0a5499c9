// The program health dashboard: insights' reports (health, mentorships, check-ins, goals)
// as numbers, charts and tables. Loaded on demand: the charts library stays out of the
// first screen. Every chart has its numbers next to it in text, for screen readers and
// keyboards; a group under five people shows as hidden, never as a number.
import "@mantine/charts/styles.css";
import { BarChart, DonutChart, LineChart } from "@mantine/charts";
import { Badge, Button, Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useIsFetching, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { insights, ok } from "../../api/client";
import { useProgramId } from "../../app/hooks";
import { Failure, Loading, PageTitle } from "../../app/ui";
import { formatDateTime } from "../../lib/format";
import {
  activityBars,
  goalSlices,
  headline,
  isSuppressed,
  moved,
  notYetKnown,
  scoreBars,
  scoreLine,
  statusBars,
  type CheckInReport,
  type GoalsReport,
  type HealthReport,
  type MentorshipsReport,
  type Scores,
} from "../../lib/insights";
import { useRoundLabel } from "../member/CheckIns";

const REPORTS = {
  health: "/v1/programs/{program_id}/reports/health",
  mentorships: "/v1/programs/{program_id}/reports/mentorships",
  "check-ins": "/v1/programs/{program_id}/reports/check-ins",
  goals: "/v1/programs/{program_id}/reports/goals",
} as const;
type Report = keyof typeof REPORTS;
const CAPTION = { color: "#495057" }; // Mantine dims table captions below AA contrast
const TEXT = "dark.6"; // axis labels: AA contrast on white (Mantine's default is dimmed)

type Answers = { health: HealthReport; mentorships: MentorshipsReport; "check-ins": CheckInReport; goals: GoalsReport };
const inPath = (programId: string) => ({ params: { path: { program_id: programId } } });
/** Each report's JSON as the typed client reads it (a report whose schema drifts fails the type check). */
const FETCH: { [R in Report]: (programId: string) => Promise<Answers[R]> } = {
  health: (programId) => ok(insights.GET(REPORTS.health, inPath(programId))),
  mentorships: (programId) => ok(insights.GET(REPORTS.mentorships, inPath(programId))),
  "check-ins": (programId) => ok(insights.GET(REPORTS["check-ins"], inPath(programId))),
  goals: (programId) => ok(insights.GET(REPORTS.goals, inPath(programId))),
};

function useReport<R extends Report>(programId: string, report: R) {
  return useQuery({
    queryKey: ["report", programId, report],
    queryFn: () => FETCH[report](programId),
    staleTime: 0,
    retry: notYetKnown, // a program insights has not read yet
    retryDelay: 1500,
  });
}

/** The report as CSV, downloaded with the bearer token (a plain link would carry none). */
async function downloadCsv(programId: string, report: Report): Promise<void> {
  const text = await ok(insights.GET(REPORTS[report], { params: { path: { program_id: programId }, query: { format: "csv" } }, parseAs: "text" }));
  const url = URL.createObjectURL(new Blob([text as string], { type: "text/csv" }));
  const link = Object.assign(document.createElement("a"), { href: url, download: `${report}-${programId}.csv` });
  link.click();
  URL.revokeObjectURL(url);
}

function Chart({ id, title, children, summary }: { id: string; title: string; children: ReactNode; summary: ReactNode }) {
  return (
    <Card withBorder component="figure" m={0} aria-labelledby={`${id}-title`} data-testid="chart">
      <Title order={3} size="h5" id={`${id}-title`} mb="xs">
        {title}
      </Title>
      {/* inert, not only aria-hidden: recharts makes a donut's sectors focusable */}
      <div inert>{children}</div>
      <Text component="figcaption" size="sm" mt="xs">
        {summary}
      </Text>
    </Card>
  );
}

function Stat({ name, label, value, delta }: { name: string; label: string; value: number | string; delta?: number }) {
  const { t } = useTranslation();
  return (
    <Card withBorder data-testid={`stat-${name}`}>
      <Text size="sm">{label}</Text>
      <Group gap="xs" align="baseline">
        <Text fw={700} fz="xl" data-testid="stat-value">
          {value}
        </Text>
        {delta !== undefined && delta !== 0 && (
          <Badge variant="outline" data-testid="stat-moved">
            {t("health.moved", { delta: delta > 0 ? `+${delta}` : String(delta) })}
          </Badge>
        )}
      </Group>
    </Card>
  );
}

function Hidden({ k }: { k: number }) {
  const { t } = useTranslation();
  return (
    <Text span size="sm" fs="italic" data-testid="suppressed">
      {t("health.suppressed", { k })}
    </Text>
  );
}

function ScoreCell({ group, k }: { group: Scores; k: number }) {
  const { t } = useTranslation();
  if (isSuppressed(group)) return <Hidden k={k} />;
  return <>{t("health.meanScore", { score: group.mean_score, count: group.respondents })}</>;
}

function CheckInSection({ report }: { report: CheckInReport }) {
  const { t } = useTranslation();
  const label = useRoundLabel();
  const k = report.k_anonymity;
  const line = scoreLine(report);
  const bars = scoreBars(report.overall);
  const rows: { kind: string; name: string; group: Scores }[] = [
    ...report.by_round.map((r) => ({ kind: t("health.byRound"), name: label(r.round), group: r })),
    ...report.by_role.map((r) => ({ kind: t("health.byRole"), name: t(`checkIns.role.${r.role === "mentor" ? "mentor" : "mentee"}`), group: r })),
  ];
  return (
    <Stack gap="sm">
      <Title order={2} size="h3">
        {t("health.checkIns")}
      </Title>
      <Text>
        {t("health.overall")}: <ScoreCell group={report.overall} k={k} />
      </Text>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Chart
          id="scores-month"
          title={t("health.scoresOverTime")}
          summary={line.length === 0 ? t("health.noAnswers") : line.map((p) => `${p.month}: ${p.suppressed ? t("health.suppressed", { k }) : p.score}`).join("; ")}
        >
          <LineChart h={200} data={line} dataKey="month" series={[{ name: "score", label: t("health.score"), color: "indigo.8" }]} yAxisProps={{ domain: [1, 5] }} textColor={TEXT} connectNulls={false} />
        </Chart>
        <Chart id="scores-dist" title={t("health.distribution")} summary={isSuppressed(report.overall) ? t("health.suppressed", { k }) : bars.map((b) => t("health.answersWith", { score: b.score, count: b.answers })).join("; ")}>
          <BarChart h={200} data={bars} dataKey="score" series={[{ name: "answers", label: t("health.answers"), color: "teal.9" }]} textColor={TEXT} />
        </Chart>
      </SimpleGrid>
      {rows.length > 0 && (
        <Table>
          <Table.Caption style={CAPTION}>{t("health.scoresTable", { k })}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t("health.group")}</Table.Th>
              <Table.Th scope="col">{t("health.score")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={`${r.kind}-${r.name}`}>
                <Table.Th scope="row" fw={400}>
                  {r.kind}: {r.name}
                </Table.Th>
                <Table.Td>
                  <ScoreCell group={r.group} k={k} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {report.comments_by_round.map((c) => (
        <Stack key={c.round} gap={4} role="group" aria-label={t("health.commentsOf", { round: label(c.round) })}>
          <Title order={3} size="h5">
            {t("health.commentsOf", { round: label(c.round) })}
          </Title>
          {c.comments.map((x, i) => (
            <Text size="sm" key={i}>
              {t("checkIns.theirScore", { score: x.score })} — “{x.comment}”
            </Text>
          ))}
        </Stack>
      ))}
    </Stack>
  );
}

function MentorshipTable({ report }: { report: MentorshipsReport }) {
  const { t } = useTranslation();
  if (report.items.length === 0) return <Text>{t("health.noMentorships")}</Text>;
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table data-testid="mentorships-report">
        <Table.Caption style={CAPTION}>{t("health.mentorshipsCaption")}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t("health.pair")}</Table.Th>
            <Table.Th scope="col">{t("health.status")}</Table.Th>
            <Table.Th scope="col">{t("health.rule")}</Table.Th>
            <Table.Th scope="col">{t("health.messages")}</Table.Th>
            <Table.Th scope="col">{t("health.goals")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {report.items.map((m) => (
            <Table.Tr key={m.match_id}>
              <Table.Th scope="row" fw={400}>
                {m.mentor_user_id} → {m.mentee_user_ids.join(", ")}
              </Table.Th>
              <Table.Td>
                <Badge variant="outline">{t(`health.statuses.${m.status}`)}</Badge>
                {m.mentor_silent && <Text size="sm">{t("health.mentorSilent")}</Text>}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{m.rule}</Text>
              </Table.Td>
              <Table.Td>{m.messages}</Table.Td>
              <Table.Td>
                {m.goals_completed}/{m.goals}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Dashboard({ programId, health, previous }: { programId: string; health: HealthReport; previous: Record<string, number> | null }) {
  const { t, i18n } = useTranslation();
  const checkIns = useReport(programId, "check-ins");
  const mentorships = useReport(programId, "mentorships");
  const now = headline(health);
  const changed = moved(previous, now);
  const delta = (key: string) => (changed.has(key) && previous ? (now[key] ?? 0) - (previous[key] ?? 0) : undefined);
  const stats: [string, string][] = [
    ["members", t("health.members")],
    ["mentorsApproved", t("health.mentorsApproved")],
    ["requests", t("health.requests")],
    ["made", t("health.made")],
    ["active", t("health.active")],
    ["messages", t("health.messages")],
    ["meetings", t("health.meetings")],
    ["goals", t("health.goals")],
    ["goalsCompleted", t("health.goalsCompleted")],
  ];
  const activity = activityBars(health);
  const statuses = statusBars(health);
  const slices = goalSlices(health);
  const hours = (h: number | null) => (h === null ? "—" : t("health.hours", { count: h }));
  return (
    <Stack gap="lg">
      <Text size="sm" data-testid="as-of">
        {t("health.asOf", { date: formatDateTime(health.as_of, i18n.language) })}
      </Text>
      <div role="status" aria-live="polite" className="visually-hidden">
        {changed.size > 0 ? t("health.changed", { count: changed.size }) : ""}
      </div>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }}>
        {stats.map(([key, label]) => (
          <Stat key={key} name={key} label={label} value={now[key] ?? 0} delta={delta(key)} />
        ))}
      </SimpleGrid>
      <Title order={2} size="h3">
        {t("health.mentorships")}
      </Title>
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Chart id="activity" title={t("health.byActivity")} summary={activity.map((a) => `${t(`health.activities.${a.activity}`)}: ${a.mentorships}`).join("; ")}>
          <BarChart h={200} data={activity.map((a) => ({ ...a, activity: t(`health.activities.${a.activity}`) }))} dataKey="activity" series={[{ name: "mentorships", label: t("health.mentorships"), color: "indigo.8" }]} textColor={TEXT} />
        </Chart>
        <Chart id="status" title={t("health.byStatus")} summary={statuses.map((s) => `${t(`health.statuses.${s.status}`)}: ${s.mentorships}`).join("; ")}>
          <BarChart h={200} data={statuses.map((s) => ({ ...s, status: t(`health.statuses.${s.status}`) }))} dataKey="status" series={[{ name: "mentorships", label: t("health.mentorships"), color: "orange.9" }]} textColor={TEXT} />
        </Chart>
        <Chart
          id="goals"
          title={t("health.goalCompletion")}
          summary={
            health.goals.total === 0
              ? t("health.noGoals")
              : t("health.goalSummary", { completed: health.goals.completed, total: health.goals.total, overdue: health.goals.overdue, progress: health.goals.mean_progress_percent ?? 0 })
          }
        >
          <DonutChart
            h={200}
            data={slices.map((s) => ({ name: t(`health.slices.${s.key}`), value: s.value, color: s.key === "completed" ? "teal.9" : "gray.5" }))}
            chartLabel={health.goals.completion_rate === null ? "—" : `${Math.round(health.goals.completion_rate * 100)} %`}
          />
        </Chart>
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder component="section" aria-labelledby="h-requests">
          <Title order={3} size="h5" id="h-requests" mb="xs">
            {t("health.requestsHeading")}
          </Title>
          <Text size="sm">
            {t("health.requestOutcomes", { accepted: health.requests.accepted, declined: health.requests.declined, info: health.requests.info_requested, unanswered: health.requests.unanswered })}
          </Text>
          <Text size="sm">{t("health.responseTimes", { median: hours(health.requests.response_hours_median), p90: hours(health.requests.response_hours_p90) })}</Text>
          <Text size="sm">{t("health.pending", { count: health.members.mentor_applications_pending })}</Text>
          {health.mentorships.mentor_silent > 0 && <Text size="sm">{t("health.silentMentors", { count: health.mentorships.mentor_silent })}</Text>}
        </Card>
        <Card withBorder component="section" aria-labelledby="h-ended">
          <Title order={3} size="h5" id="h-ended" mb="xs">
            {t("health.endedHeading")}
          </Title>
          {health.mentorships.ended_by_reason.length === 0 ? (
            <Text size="sm">{t("health.noneEnded")}</Text>
          ) : (
            <Stack gap={2} component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
              {health.mentorships.ended_by_reason.map((r) => (
                <Text component="li" size="sm" key={r.reason}>
                  {t(`goals.endReasons.${r.reason}`, { defaultValue: r.reason })}: {"suppressed" in r ? <Hidden k={5} /> : t("health.endedCount", { count: r.mentorships })}
                </Text>
              ))}
            </Stack>
          )}
        </Card>
      </SimpleGrid>
      {checkIns.isSuccess ? <CheckInSection report={checkIns.data} /> : checkIns.error ? <Failure error={checkIns.error} /> : <Loading />}
      <Title order={2} size="h3">
        {t("health.eachMentorship")}
      </Title>
      {mentorships.isSuccess ? <MentorshipTable report={mentorships.data} /> : mentorships.error ? <Failure error={mentorships.error} /> : <Loading />}
    </Stack>
  );
}

export function Health() {
  const { t } = useTranslation();
  const programId = useProgramId();
  const health = useReport(programId, "health");
  const goals = useReport(programId, "goals");
  // The previous reading, so a refresh shows which numbers moved.
  const seen = useRef<Record<string, number> | null>(null);
  const [previous, setPrevious] = useState<Record<string, number> | null>(null);
  useEffect(() => {
    if (!health.data) return;
    const now = headline(health.data);
    if (seen.current && JSON.stringify(seen.current) !== JSON.stringify(now)) setPrevious(seen.current);
    seen.current = now;
  }, [health.data]);
  const [exporting, setExporting] = useState<Report | null>(null);
  const [exportError, setExportError] = useState<unknown>(null);
  const exportCsv = (report: Report) => {
    setExporting(report);
    setExportError(null);
    downloadCsv(programId, report)
      .catch(setExportError)
      .finally(() => setExporting(null));
  };
  const client = useQueryClient();
  const fetching = useIsFetching({ queryKey: ["report", programId] }) > 0;
  const refresh = () => void client.invalidateQueries({ queryKey: ["report", programId] });
  return (
    <Stack>
      <Group justify="space-between">
        <PageTitle>{t("health.heading")}</PageTitle>
        <Button variant="light" onClick={refresh} loading={fetching}>
          {t("health.refresh")}
        </Button>
      </Group>
      {health.isSuccess ? <Dashboard programId={programId} health={health.data} previous={previous} /> : health.error ? <Failure error={health.error} retry={() => void health.refetch()} /> : <Loading />}
      {goals.data && (
        <Text size="sm" data-testid="goals-report">
          {t("health.goalMentorships", { count: goals.data.mentorships.length })}
        </Text>
      )}
      <Group role="group" aria-label={t("health.exports")}>
        {(Object.keys(REPORTS) as Report[]).map((r) => (
          <Button key={r} variant="outline" loading={exporting === r} onClick={() => exportCsv(r)}>
            {t(`health.export.${r}`)}
          </Button>
        ))}
      </Group>
      {exportError !== null && <Failure error={exportError} />}
    </Stack>
  );
}
