import { Alert, Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, Navigate } from "react-router";
import { matching, messaging, ok, scheduling } from "../../api/client";
import { useActiveMatches, useMyMember, useProgram, useProgramId } from "../../app/hooks";
import { MemberName } from "../../app/MemberName";
import { Loading, PageTitle, Query } from "../../app/ui";
import { useAuth } from "../../auth/AuthProvider";
import { formatDate, formatDateTime } from "../../lib/format";

export function Home() {
  const { t, i18n } = useTranslation();
  const programId = useProgramId();
  const program = useProgram(programId);
  const me = useMyMember(programId);
  const { identity } = useAuth();
  const matches = useActiveMatches(programId, !!me.data);
  const requests = useQuery({
    queryKey: ["requests", programId, "open"],
    queryFn: () => ok(matching.GET("/v1/programs/{program_id}/requests", { params: { path: { program_id: programId }, query: { status: "open" } } })),
    enabled: !!me.data,
  });
  const meetings = useQuery({
    queryKey: ["meetings"],
    queryFn: () => ok(scheduling.GET("/v1/me/meetings", { params: { query: { days: 30 } } })),
    enabled: !!me.data,
    select: (rows) => rows.filter((m) => m.program_id === programId && m.status !== "cancelled"),
  });
  const conversations = useQuery({
    queryKey: ["conversations"],
    queryFn: () => ok(messaging.GET("/v1/conversations")),
    enabled: !!me.data,
    select: (rows) => rows.filter((c) => c.program_id === programId),
  });
  if (me.isPending) return <Loading />;
  if (me.data === null) return identity?.isOrgAdmin ? <Navigate to={`/p/${programId}/admin/settings`} replace /> : <Navigate to={`/p/${programId}/join`} replace />;
  const missing = me.data?.missing_required ?? [];
  return (
    <Stack>
      <PageTitle>{t("home.heading", { name: (me.data?.profile.display_name as string) ?? identity?.name })}</PageTitle>
      {program.data && <Text c="dimmed.9">{program.data.name}</Text>}
      {missing.length > 0 && (
        <Alert color="yellow" title={t("home.completeProfile", { fields: missing.join(", ") })}>
          <Anchor component={Link} to={`/p/${programId}/profile`}>
            {t("nav.profile")}
          </Anchor>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder component="section" aria-labelledby="h-mentorships" data-testid="mentorships">
          <Title order={2} size="h4" id="h-mentorships" mb="sm">
            {t("home.mentorships")}
          </Title>
          <Query q={matches}>
            {(page) =>
              page.items.length === 0 ? (
                <Stack gap="xs">
                  <Text>{t("home.noMentorships")}</Text>
                  <Group>
                    <Button component={Link} to={`/p/${programId}/mentors`} variant="light">
                      {t("home.findMentor")}
                    </Button>
                  </Group>
                </Stack>
              ) : (
                <Stack gap="xs" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
                  {page.items.map((m) => (
                    <li key={m.match_id}>
                      <Group gap="xs">
                        <Badge variant="outline">{m.role === "mentee" ? t("home.withMentor") : t("home.withMentee")}</Badge>
                        <Text fw={600}>
                          <MemberName programId={programId} memberId={m.other_member_id} />
                        </Text>
                        <Text size="sm">{t("home.since", { date: formatDate(m.started_at, i18n.language) })}</Text>
                        <Anchor component={Link} to={`/p/${programId}/documents/${m.match_id}`} size="sm">
                          {t("home.documents")}
                        </Anchor>
                      </Group>
                    </li>
                  ))}
                </Stack>
              )
            }
          </Query>
        </Card>
        <Card withBorder component="section" aria-labelledby="h-requests">
          <Title order={2} size="h4" id="h-requests" mb="sm">
            {t("home.openRequests")}
          </Title>
          <Query q={requests}>
            {(page) =>
              page.items.length === 0 ? (
                <Text>{t("home.noRequests")}</Text>
              ) : (
                <Stack gap="xs" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
                  {page.items.map((r) => (
                    <li key={r.request_id}>
                      <Anchor component={Link} to={`/p/${programId}/requests`}>
                        {r.role === "mentor" ? t("requests.from", { name: r.other_display_name ?? r.other_member_id }) : t("requests.to", { name: r.other_display_name ?? r.other_member_id })}
                      </Anchor>{" "}
                      <Text span size="sm">
                        — {t(`requests.status.${r.status}`)}
                      </Text>
                    </li>
                  ))}
                </Stack>
              )
            }
          </Query>
        </Card>
        <Card withBorder component="section" aria-labelledby="h-meetings">
          <Title order={2} size="h4" id="h-meetings" mb="sm">
            {t("home.meetings")}
          </Title>
          <Query q={meetings}>
            {(rows) =>
              rows.length === 0 ? (
                <Text>{t("calendar.noMeetings")}</Text>
              ) : (
                <Stack gap="xs" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
                  {rows.slice(0, 5).map((m) => (
                    <li key={m.meeting_id}>
                      <Text>
                        {m.title} — {formatDateTime(m.starts_at, i18n.language)}
                      </Text>
                    </li>
                  ))}
                </Stack>
              )
            }
          </Query>
          <Anchor component={Link} to={`/p/${programId}/calendar`} mt="xs">
            {t("home.openCalendar")}
          </Anchor>
        </Card>
        <Card withBorder component="section" aria-labelledby="h-messages">
          <Title order={2} size="h4" id="h-messages" mb="sm">
            {t("home.messages")}
          </Title>
          <Query q={conversations}>
            {(rows) =>
              rows.every((c) => c.unread === 0) ? (
                <Text>{t("home.noUnread")}</Text>
              ) : (
                <Stack gap="xs" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
                  {rows
                    .filter((c) => c.unread > 0)
                    .map((c) => (
                      <li key={c.conversation_id}>{t("home.unreadIn", { count: c.unread, title: c.title })}</li>
                    ))}
                </Stack>
              )
            }
          </Query>
          <Anchor component={Link} to={`/p/${programId}/chat`} mt="xs">
            {t("home.openChat")}
          </Anchor>
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
