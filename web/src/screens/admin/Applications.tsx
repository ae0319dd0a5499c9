import { Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ok, profiles, type P } from "../../api/client";
import { useProgram, useProgramId } from "../../app/hooks";
import { Failure, PageTitle, Query } from "../../app/ui";
import { formatDateTime } from "../../lib/format";

function Application({ programId, program, summary }: { programId: string; program?: P["ProgramOut"]; summary: P["MemberSummary"] }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const app = summary.application as { application_id: string; answers?: Record<string, string>; submitted_at?: string } | null | undefined;
  const decide = useMutation({
    mutationFn: (decision: "approved" | "rejected") =>
      ok(
        profiles.POST("/v1/programs/{program_id}/mentor-applications/{application_id}/decision", {
          params: { path: { program_id: programId, application_id: app!.application_id } },
          body: { decision, reason_code: decision === "rejected" ? "other" : null },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["applications", programId] }),
  });
  if (!app) return null;
  const question = (key: string) => program?.mentor_questions?.find((q) => q.key === key)?.text ?? key;
  return (
    <Card withBorder component="li" data-testid="application" aria-label={summary.display_name ?? summary.user_id}>
      <Title order={2} size="h4">
        {summary.display_name ?? summary.user_id}
      </Title>
      {app.submitted_at && <Text size="sm">{t("admin.submittedAt", { date: formatDateTime(app.submitted_at, i18n.language) })}</Text>}
      <dl>
        {Object.entries(app.answers ?? {}).map(([k, v]) => (
          <div key={k}>
            <Text component="dt" fw={600} size="sm">
              {question(k)}
            </Text>
            <Text component="dd" ml={0} mb="xs">
              {v}
            </Text>
          </div>
        ))}
      </dl>
      <Group>
        <Button onClick={() => decide.mutate("approved")} loading={decide.isPending && decide.variables === "approved"}>
          {t("admin.approve")}
        </Button>
        <Button variant="outline" color="red.9" onClick={() => decide.mutate("rejected")} loading={decide.isPending && decide.variables === "rejected"}>
          {t("admin.reject")}
        </Button>
      </Group>
      {decide.error && <Failure error={decide.error} />}
    </Card>
  );
}

export function Applications() {
  const { t } = useTranslation();
  const programId = useProgramId();
  const program = useProgram(programId);
  const queue = useQuery({
    queryKey: ["applications", programId],
    queryFn: () => ok(profiles.GET("/v1/programs/{program_id}/mentor-applications", { params: { path: { program_id: programId }, query: { state: "submitted", limit: 100 } } })),
  });
  return (
    <Stack maw={900}>
      <PageTitle>{t("admin.applicationsHeading")}</PageTitle>
      <Query q={queue}>
        {(page) =>
          page.items.length === 0 ? (
            <Text>{t("admin.noApplications")}</Text>
          ) : (
            <Stack component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
              {page.items.map((m) => (
                <Application key={m.member_id} programId={programId} program={program.data} summary={m} />
              ))}
            </Stack>
          )
        }
      </Query>
    </Stack>
  );
}
