import { Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ok, profiles } from "../../api/client";
import { useMemberships } from "../../app/hooks";
import { PageTitle, Query } from "../../app/ui";
import { useAuth } from "../../auth/AuthProvider";

export function Programs() {
  const { t } = useTranslation();
  const { identity } = useAuth();
  const memberships = useMemberships();
  const programs = useQuery({
    queryKey: ["programs"],
    queryFn: () => ok(profiles.GET("/v1/programs", { params: { query: { limit: 100 } } })),
  });
  return (
    <Stack>
      <Group justify="space-between">
        <PageTitle>{t("programs.heading")}</PageTitle>
        {identity?.isOrgAdmin && (
          <Button component={Link} to="/programs/new">
            {t("programs.create")}
          </Button>
        )}
      </Group>
      <Query q={programs}>
        {(page) => (
          <Query q={memberships}>
            {(mine) => {
              const joined = new Map(mine.map((m) => [m.program_id, m]));
              const byId = new Map(page.items.map((p) => [p.program_id, p]));
              const others = page.items.filter((p) => !joined.has(p.program_id));
              return (
                <>
                  <section aria-labelledby="mine">
                    <Title order={2} size="h3" id="mine" mb="sm">
                      {t("programs.mine")}
                    </Title>
                    {mine.length === 0 && <Text>{t("programs.noneMine")}</Text>}
                    <SimpleGrid cols={{ base: 1, md: 2 }}>
                      {mine.map((m) => (
                        <Card key={m.program_id} withBorder>
                          <Title order={3} size="h4">
                            {byId.get(m.program_id)?.name ?? m.program_id}
                          </Title>
                          <Text size="sm" mb="sm">
                            {t("programs.roles", { roles: m.roles.map((r) => t(`admin.roleNames.${r}`)).join(", ") })}
                          </Text>
                          <Group>
                            <Button component={Link} to={`/p/${m.program_id}`} aria-label={`${t("programs.open")}: ${byId.get(m.program_id)?.name ?? ""}`}>
                              {t("programs.open")}
                            </Button>
                          </Group>
                        </Card>
                      ))}
                    </SimpleGrid>
                  </section>
                  {others.length > 0 && (
                    <section aria-labelledby="others">
                      <Title order={2} size="h3" id="others" mb="sm">
                        {t("programs.others")}
                      </Title>
                      <SimpleGrid cols={{ base: 1, md: 2 }}>
                        {others.map((p) => (
                          <Card key={p.program_id} withBorder>
                            <Group justify="space-between">
                              <Title order={3} size="h4">
                                {p.name}
                              </Title>
                              <Badge variant="outline">{t(`admin.kinds.${p.kind ?? "informal"}`)}</Badge>
                            </Group>
                            <Text size="sm" mb="sm" lineClamp={3}>
                              {p.description}
                            </Text>
                            <Group>
                              <Button component={Link} to={`/p/${p.program_id}/join`} variant="outline" aria-label={`${t("programs.join")}: ${p.name}`}>
                                {t("programs.join")}
                              </Button>
                              {identity?.isOrgAdmin && (
                                <Button component={Link} to={`/p/${p.program_id}/admin/settings`} variant="subtle" aria-label={`${t("nav.settings")}: ${p.name}`}>
                                  {t("nav.settings")}
                                </Button>
                              )}
                            </Group>
                          </Card>
                        ))}
                      </SimpleGrid>
                    </section>
                  )}
                </>
              );
            }}
          </Query>
        )}
      </Query>
    </Stack>
  );
}
