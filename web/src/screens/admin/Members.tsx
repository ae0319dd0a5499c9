import { Badge, Button, Card, FileInput, Group, NativeSelect, Stack, Table, Text, Textarea, Title } from "@mantine/core";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ok, profiles, type P } from "../../api/client";
import { useProgramId } from "../../app/hooks";
import { Failure, PageTitle, Query } from "../../app/ui";
import { formatDate } from "../../lib/format";

interface ReportRow {
  row: number;
  user_id?: string | null;
  status: "valid" | "created" | "rejected";
  errors?: { field: string; message: string }[];
}

function Import({ programId }: { programId: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [csv, setCsv] = useState("");
  const run = useMutation({
    mutationFn: (dryRun: boolean) =>
      ok(
        profiles.POST("/v1/programs/{program_id}/members/import", {
          params: { path: { program_id: programId }, query: { dry_run: dryRun } },
          body: csv as never,
          bodySerializer: (body: unknown) => body as string,
          headers: { "Content-Type": "text/csv" },
        }),
      ),
    onSuccess: (report) => {
      if (!report.dry_run) void client.invalidateQueries({ queryKey: ["members", programId] });
    },
  });
  const report = run.data as P["ImportReport"] | undefined;
  const rows = (report?.rows ?? []) as unknown as ReportRow[];
  return (
    <Card withBorder component="section" aria-labelledby="h-import">
      <Title order={2} size="h3" id="h-import" mb="xs">
        {t("admin.importHeading")}
      </Title>
      <Text size="sm" mb="sm">
        {t("admin.importHint")}
      </Text>
      <Stack>
        <FileInput label={t("admin.csvFile")} accept=".csv,text/csv" onChange={(file) => void file?.text().then(setCsv)} clearable />
        <Textarea label={t("admin.csvText")} value={csv} onChange={(e) => setCsv(e.currentTarget.value)} autosize minRows={3} maxRows={12} ff="monospace" />
        <Group>
          <Button variant="outline" onClick={() => run.mutate(true)} disabled={!csv.trim()} loading={run.isPending && run.variables === true}>
            {t("admin.dryRun")}
          </Button>
          <Button onClick={() => run.mutate(false)} disabled={!csv.trim()} loading={run.isPending && run.variables === false}>
            {t("admin.doImport")}
          </Button>
        </Group>
        {run.error && <Failure error={run.error} />}
        {report && (
          <div>
            <Text fw={600} role="status" data-testid="import-summary">
              {t(report.dry_run ? "admin.report" : "admin.reportDone", { received: report.received, created: report.dry_run ? rows.filter((r) => r.status === "valid").length : report.created, rejected: report.rejected })}
            </Text>
            <Table striped mt="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t("admin.row")}</Table.Th>
                  <Table.Th scope="col">user_id</Table.Th>
                  <Table.Th scope="col">{t("admin.result")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={r.row} data-testid="import-row">
                    <Table.Td>{r.row}</Table.Td>
                    <Table.Td>{r.user_id}</Table.Td>
                    <Table.Td>
                      <Badge color={r.status === "rejected" ? "red.9" : "green.9"} variant="outline">
                        {r.status}
                      </Badge>{" "}
                      {(r.errors ?? []).map((e) => `${e.field}: ${e.message}`).join("; ")}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        )}
      </Stack>
    </Card>
  );
}

export function Members() {
  const { t, i18n } = useTranslation();
  const programId = useProgramId();
  const [role, setRole] = useState("");
  const members = useInfiniteQuery({
    queryKey: ["members", programId, role],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      ok(
        profiles.GET("/v1/programs/{program_id}/members", {
          params: { path: { program_id: programId }, query: { role: (role || undefined) as never, cursor: pageParam ?? undefined, limit: 50 } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
  return (
    <Stack>
      <PageTitle>{t("admin.membersHeading")}</PageTitle>
      <Import programId={programId} />
      <NativeSelect
        label={t("admin.role")}
        value={role}
        onChange={(e) => setRole(e.currentTarget.value)}
        data={[{ value: "", label: t("requests.all") }, ...(["mentee", "mentor", "admin"] as const).map((r) => ({ value: r, label: t(`admin.roleNames.${r}`) }))]}
        w={220}
      />
      <Query q={{ ...members, data: members.data }}>
        {(data) => (
          <>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t("profile.fields.display_name")}</Table.Th>
                  <Table.Th scope="col">user_id</Table.Th>
                  <Table.Th scope="col">{t("admin.role")}</Table.Th>
                  <Table.Th scope="col">{t("admin.joined")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.pages.flatMap((p) =>
                  p.items.map((m) => (
                    <Table.Tr key={m.member_id}>
                      <Table.Td>{m.display_name}</Table.Td>
                      <Table.Td>{m.user_id}</Table.Td>
                      <Table.Td>
                        {m.roles.map((r) => t(`admin.roleNames.${r}`)).join(", ")}
                        {m.mentor_approved && (
                          <Badge ml="xs" color="green.9" variant="outline">
                            {t("admin.approved")}
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td>{formatDate(m.joined_at, i18n.language)}</Table.Td>
                    </Table.Tr>
                  )),
                )}
              </Table.Tbody>
            </Table>
            {members.hasNextPage && (
              <Button variant="light" onClick={() => void members.fetchNextPage()} loading={members.isFetchingNextPage}>
                +50
              </Button>
            )}
          </>
        )}
      </Query>
    </Stack>
  );
}
