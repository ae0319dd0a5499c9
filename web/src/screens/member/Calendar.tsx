import { Alert, Button, Card, Checkbox, Group, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { accessToken, ok, scheduling, type S } from "../../api/client";
import { useActiveMatches, useProgramId } from "../../app/hooks";
import { MemberName } from "../../app/MemberName";
import { Failure, PageTitle, Query } from "../../app/ui";
import { formatDateTime } from "../../lib/format";

const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const DAYS = [0, 1, 2, 3, 4, 5, 6];

function AvailabilityEditor() {
  const { t } = useTranslation();
  const mine = useQuery({ queryKey: ["availability"], queryFn: () => ok(scheduling.GET("/v1/me/availability")).catch(() => null) });
  const [edited, setEdited] = useState<{ zone: string; days: number[]; start: string; end: string } | null>(null);
  const rule = mine.data?.rules?.[0];
  const form = edited ?? { zone: mine.data?.timezone ?? viewerZone(), days: rule?.weekdays ?? [0, 1, 2, 3, 4], start: rule?.start ?? "09:00", end: rule?.end ?? "17:00" };
  const save = useMutation({
    mutationFn: () => ok(scheduling.PUT("/v1/me/availability", { body: { timezone: form.zone, rules: [{ weekdays: form.days, start: form.start, end: form.end }] } })),
  });
  return (
    <Card withBorder component="section" aria-labelledby="h-availability">
      <Title order={2} size="h4" id="h-availability" mb="xs">
        {t("calendar.availability")}
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <TextInput label={t("profile.fields.timezone")} value={form.zone} onChange={(e) => setEdited({ ...form, zone: e.currentTarget.value })} maxLength={64} />
          <Checkbox.Group label={t("calendar.days")} value={form.days.map(String)} onChange={(v) => setEdited({ ...form, days: v.map(Number).sort() })}>
            <Group mt={4}>
              {DAYS.map((d) => (
                <Checkbox key={d} value={String(d)} label={t(`calendar.weekdays.${d}`)} />
              ))}
            </Group>
          </Checkbox.Group>
          <Group>
            <TextInput type="time" label={t("calendar.from")} value={form.start} onChange={(e) => setEdited({ ...form, start: e.currentTarget.value })} />
            <TextInput type="time" label={t("calendar.to")} value={form.end} onChange={(e) => setEdited({ ...form, end: e.currentTarget.value })} />
          </Group>
          {save.error && <Failure error={save.error} />}
          {save.isSuccess && (
            <Alert color="green" role="status">
              {t("app.saved")}
            </Alert>
          )}
          <div>
            <Button type="submit" loading={save.isPending}>
              {t("app.save")}
            </Button>
          </div>
        </Stack>
      </form>
    </Card>
  );
}

function Slots({ programId, match, onBooked, reschedule }: { programId: string; match: { match_id: string; other_member_id: string }; onBooked: () => void; reschedule?: S["MeetingOut"] }) {
  const { t, i18n } = useTranslation();
  const zone = viewerZone();
  const slots = useQuery({
    queryKey: ["slots", match.match_id],
    queryFn: () => ok(scheduling.GET("/v1/matches/{match_id}/slots", { params: { path: { match_id: match.match_id }, query: { tz: zone, days: 14, duration_minutes: 30 } } })),
  });
  const book = useMutation({
    mutationFn: (startsAt: string) =>
      reschedule
        ? ok(scheduling.POST("/v1/meetings/{meeting_id}/reschedule", { params: { path: { meeting_id: reschedule.meeting_id } }, body: { starts_at: startsAt, duration_minutes: 30 } }))
        : ok(scheduling.POST("/v1/matches/{match_id}/meetings", { params: { path: { match_id: match.match_id } }, body: { starts_at: startsAt, duration_minutes: 30, title: t("calendar.defaultTitle") } })),
    onSuccess: onBooked,
  });
  return (
    <Card withBorder component="section" aria-label={t("calendar.slots")}>
      <Title order={3} size="h5" mb="xs">
        {reschedule ? t("calendar.rescheduleTitle") : t("calendar.slots")} — <MemberName programId={programId} memberId={match.other_member_id} />
      </Title>
      <Query q={slots}>
        {(s) =>
          s.slots.length === 0 ? (
            <Text>{t("calendar.noSlots")}</Text>
          ) : (
            <Group gap="xs">
              {s.slots.slice(0, 12).map((slot) => (
                <Button key={slot.starts_at} size="xs" variant="outline" data-testid="slot" onClick={() => book.mutate(slot.starts_at)} loading={book.isPending && book.variables === slot.starts_at}>
                  {formatDateTime(slot.starts_at, i18n.language, zone)}
                </Button>
              ))}
            </Group>
          )
        }
      </Query>
      {book.error && <Failure error={book.error} />}
    </Card>
  );
}

async function downloadIcs(meeting: S["MeetingOut"]) {
  const response = await fetch(`/api/scheduling/v1/meetings/${meeting.meeting_id}/invite.ics`, { headers: { Authorization: `Bearer ${accessToken()}` } });
  if (!response.ok) throw new Error(`${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = `${meeting.title || "meeting"}.ics`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function Calendar() {
  const { t, i18n } = useTranslation();
  const programId = useProgramId();
  const client = useQueryClient();
  const zone = viewerZone();
  const matches = useActiveMatches(programId);
  const meetings = useQuery({
    queryKey: ["meetings"],
    queryFn: () => ok(scheduling.GET("/v1/me/meetings", { params: { query: { tz: zone, days: 60 } } })),
    select: (rows) => rows.filter((m) => m.program_id === programId),
  });
  const [moving, setMoving] = useState<S["MeetingOut"] | null>(null);
  const refresh = () => {
    setMoving(null);
    void client.invalidateQueries({ queryKey: ["meetings"] });
    void client.invalidateQueries({ queryKey: ["slots"] });
  };
  const cancel = useMutation({
    mutationFn: (id: string) => ok(scheduling.POST("/v1/meetings/{meeting_id}/cancel", { params: { path: { meeting_id: id } }, body: {} })),
    onSuccess: refresh,
  });
  const feed = useMutation({
    mutationFn: () => ok(scheduling.POST("/v1/me/calendar-feed")),
    onSuccess: (f) => void navigator.clipboard?.writeText(f.url).catch(() => {}),
  });
  const ics = useMutation({ mutationFn: downloadIcs });
  return (
    <Stack maw={1000}>
      <PageTitle>{t("calendar.heading")}</PageTitle>
      <Text size="sm">{t("calendar.zone", { zone })}</Text>
      <Card withBorder component="section" aria-labelledby="h-meetings">
        <Title order={2} size="h4" id="h-meetings" mb="xs">
          {t("home.meetings")}
        </Title>
        <Query q={meetings}>
          {(rows) =>
            rows.length === 0 ? (
              <Text>{t("calendar.noMeetings")}</Text>
            ) : (
              <Stack component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
                {rows.map((m) => (
                  <li key={m.meeting_id} data-testid="meeting">
                    <Group justify="space-between">
                      <div>
                        <Text fw={600}>
                          {m.title} — {formatDateTime(m.starts_at, i18n.language, zone)}
                        </Text>
                        <Text size="sm">{t(`calendar.state.${m.status}`, { defaultValue: m.status })}</Text>
                        {m.video_url && (
                          <a href={m.video_url} target="_blank" rel="noreferrer">
                            {t("calendar.join")}
                          </a>
                        )}
                      </div>
                      {m.status !== "cancelled" && (
                        <Group gap="xs">
                          <Button size="xs" variant="outline" onClick={() => ics.mutate(m)}>
                            {t("calendar.ics")}
                          </Button>
                          <Button size="xs" variant="outline" onClick={() => setMoving(m)}>
                            {t("calendar.reschedule")}
                          </Button>
                          <Button size="xs" variant="outline" color="red.9" onClick={() => cancel.mutate(m.meeting_id)}>
                            {t("app.cancel")}
                          </Button>
                        </Group>
                      )}
                    </Group>
                  </li>
                ))}
              </Stack>
            )
          }
        </Query>
        {(cancel.error || ics.error) && <Failure error={cancel.error ?? ics.error} />}
        <Group mt="sm">
          <Button variant="subtle" onClick={() => feed.mutate()} loading={feed.isPending}>
            {t("calendar.feed")}
          </Button>
          {feed.data && (
            <TextInput readOnly value={feed.data.url} label={t("calendar.feedUrl")} style={{ flex: 1 }} onFocus={(e) => e.currentTarget.select()} />
          )}
        </Group>
      </Card>
      <Query q={matches}>
        {(page) => (
          <>
            {page.items.filter((m) => m.role === "mentee").map((m) => (
              <Slots key={m.match_id + (moving?.match_id === m.match_id ? moving.meeting_id : "")} programId={programId} match={m} onBooked={refresh} reschedule={moving?.match_id === m.match_id ? moving : undefined} />
            ))}
          </>
        )}
      </Query>
      <AvailabilityEditor />
    </Stack>
  );
}
