import { Anchor, Badge, Button, Card, Checkbox, Group, NumberInput, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { matching, ok, profiles } from "../../api/client";
import { Explanation } from "../../app/Explanation";
import { useMyMember, useProgramId } from "../../app/hooks";
import { PageTitle, Query } from "../../app/ui";
import { formatDateTime, percent } from "../../lib/format";

function Recommendations({ programId }: { programId: string }) {
  const { t, i18n } = useTranslation();
  const me = useMyMember(programId);
  const version = me.data?.version ?? 0;
  const recs = useQuery({
    queryKey: ["recommendations", programId],
    queryFn: () => ok(matching.GET("/v1/programs/{program_id}/recommendations", { params: { path: { program_id: programId }, query: { limit: 10 } } })),
    enabled: !!me.data?.roles.includes("mentee"),
    // Recommendations follow profile edits through events: poll until they caught up.
    refetchInterval: (q) => {
      const d = q.state.data;
      return !d || d.status === "pending" || (d.mentee_profile_version ?? 0) < version ? 1500 : false;
    },
  });
  if (!me.data?.roles.includes("mentee")) return null;
  return (
    <section aria-labelledby="h-recs">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h3" id="h-recs">
          {t("mentors.recommended")}
        </Title>
        <Button variant="subtle" onClick={() => void recs.refetch()}>
          {t("mentors.refresh")}
        </Button>
      </Group>
      <Query q={recs}>
        {(r) => (
          <Stack>
            {r.status === "pending" && <Text role="status">{t("mentors.pending")}</Text>}
            {r.mentee_profile_version != null && (
              <Text size="sm" data-testid="recs-version" data-version={r.mentee_profile_version}>
                {t("mentors.basedOn", { version: r.mentee_profile_version, date: formatDateTime(r.updated_at, i18n.language) })}
              </Text>
            )}
            <SimpleGrid cols={{ base: 1, md: 2 }} component="ol" style={{ listStyle: "none", padding: 0, margin: 0 }} aria-label={t("mentors.recommended")}>
              {r.items.map((item) => (
                <Card withBorder component="li" key={item.mentor_id} data-testid="recommendation">
                  <Group justify="space-between" wrap="nowrap">
                    <Anchor component={Link} to={`/p/${programId}/mentors/${item.mentor_id}`} fw={700}>
                      {item.rank}. {item.display_name ?? item.mentor_user_id}
                    </Anchor>
                    <Badge variant="outline">{t("mentors.score", { score: percent(item.score) })}</Badge>
                  </Group>
                  {item.headline && <Text size="sm">{item.headline}</Text>}
                  {item.match_id && <Badge color="green.9" variant="outline">{t("mentors.matched")}</Badge>}
                  {item.open_request_id && <Badge color="blue.9" variant="outline">{t("mentors.asked")}</Badge>}
                  <Text size="sm" fw={600} mt="xs">
                    {t("mentors.why")}
                  </Text>
                  <Explanation explanation={item.explanation} />
                </Card>
              ))}
            </SimpleGrid>
          </Stack>
        )}
      </Query>
    </section>
  );
}

interface Filters {
  q: string;
  languages: string;
  industry: string;
  minYears: string;
  accepting: boolean;
}

function Search({ programId }: { programId: string }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Filters>({ q: "", languages: "", industry: "", minYears: "", accepting: true });
  const [filters, setFilters] = useState<Filters | null>(null);
  const results = useQuery({
    queryKey: ["search", programId, filters],
    queryFn: () =>
      ok(
        profiles.GET("/v1/programs/{program_id}/search", {
          params: {
            path: { program_id: programId },
            query: {
              role: "mentor",
              q: filters!.q || undefined,
              languages: filters!.languages ? [filters!.languages] : undefined,
              industry: filters!.industry ? [filters!.industry] : undefined,
              min_years: filters!.minYears ? Number(filters!.minYears) : undefined,
              accepting: filters!.accepting || undefined,
              limit: 20,
            },
          },
        }),
      ),
    enabled: filters !== null,
  });
  return (
    <section aria-labelledby="h-search">
      <Title order={2} size="h3" id="h-search" mb="sm">
        {t("mentors.search")}
      </Title>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...draft });
        }}
      >
        <Group align="flex-end">
          <TextInput label={t("mentors.keywords")} value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.currentTarget.value })} maxLength={200} />
          <TextInput label={t("mentors.language")} value={draft.languages} onChange={(e) => setDraft({ ...draft, languages: e.currentTarget.value })} w={130} maxLength={35} />
          <TextInput label={t("mentors.industry")} value={draft.industry} onChange={(e) => setDraft({ ...draft, industry: e.currentTarget.value })} maxLength={200} />
          <NumberInput label={t("mentors.minYears")} value={draft.minYears} onChange={(v) => setDraft({ ...draft, minYears: String(v) })} min={0} max={80} w={200} />
          <Checkbox label={t("mentors.acceptingOnly")} checked={draft.accepting} onChange={(e) => setDraft({ ...draft, accepting: e.currentTarget.checked })} mb={8} />
          <Button type="submit">{t("mentors.go")}</Button>
        </Group>
      </form>
      {filters && (
        <Query q={results}>
          {(page) => (
            <Stack mt="md">
              <Text role="status">{page.total === 0 ? t("mentors.noResults") : t("mentors.results", { count: page.total })}</Text>
              <SimpleGrid cols={{ base: 1, md: 2 }} component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
                {page.results.map((hit) => (
                  <Card withBorder component="li" key={hit.member_id} data-testid="search-hit">
                    <Anchor component={Link} to={`/p/${programId}/mentors/${hit.member_id}`} fw={700}>
                      {(hit.profile.display_name as string) ?? hit.user_id}
                    </Anchor>
                    <Text size="sm">{hit.profile.headline as string}</Text>
                    <Group gap={4} mt={4}>
                      {((hit.profile.skills as string[] | undefined) ?? []).slice(0, 6).map((s) => (
                        <Badge key={s} variant="outline" tt="none">
                          {s}
                        </Badge>
                      ))}
                    </Group>
                  </Card>
                ))}
              </SimpleGrid>
            </Stack>
          )}
        </Query>
      )}
    </section>
  );
}

export function MentorSearch() {
  const { t } = useTranslation();
  const programId = useProgramId();
  return (
    <Stack gap="xl">
      <PageTitle>{t("mentors.heading")}</PageTitle>
      <Recommendations programId={programId} />
      <Search programId={programId} />
    </Stack>
  );
}
