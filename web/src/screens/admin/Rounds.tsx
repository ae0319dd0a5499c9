import { Alert, Badge, Button, Card, Group, NativeSelect, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { matching, ok, profiles, type M } from "../../api/client";
import { Explanation } from "../../app/Explanation";
import { useProgramId } from "../../app/hooks";
import { Failure, PageTitle, Query } from "../../app/ui";
import { formatDateTime, percent } from "../../lib/format";
import { compareRuns, pairKey, toggle, type Pair } from "../../lib/rounds";

/** Member id -> display name for the whole program (admins list every member). */
function useNames(programId: string) {
  return useQuery({
    queryKey: ["names", programId],
    queryFn: async () => {
      const names = new Map<string, string>();
      let cursor: string | undefined;
      for (let i = 0; i < 50; i++) {
        const page = await ok(profiles.GET("/v1/programs/{program_id}/members", { params: { path: { program_id: programId }, query: { cursor, limit: 100 } } }));
        page.items.forEach((m) => names.set(m.member_id, m.display_name ?? m.user_id));
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      return names;
    },
    staleTime: 60_000,
  });
}

function RunView({ run, names, pinned, forbidden, onPin, onForbid }: { run: M["RunOut"]; names: Map<string, string>; pinned: Pair[]; forbidden: Pair[]; onPin: (p: Pair) => void; onForbid: (p: Pair) => void }) {
  const { t } = useTranslation();
  const name = (id: string) => names.get(id) ?? id;
  const pinnedKeys = new Set(pinned.map(pairKey));
  const result = run.result;
  return (
    <Stack>
      <Group>
        <Badge size="lg" variant="outline">
          {t("admin.matched", { count: result.matches.length })}
        </Badge>
        <Badge size="lg" variant="outline" color="orange.9">
          {t("admin.unmatched")}: {result.unmatched.length}
        </Badge>
        <Text size="sm">{t("admin.total", { score: result.total_score.toFixed(2) })}</Text>
      </Group>
      <Table striped aria-label={t("admin.run", { n: run.run })}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t("admin.mentor")}</Table.Th>
            <Table.Th scope="col">{t("admin.mentee")}</Table.Th>
            <Table.Th scope="col">{t("admin.score")}</Table.Th>
            <Table.Th scope="col">{t("admin.why")}</Table.Th>
            <Table.Th scope="col">
              <span className="visually-hidden">{t("admin.pair")}</span>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {result.matches.map((p) => {
            const label = `${name(p.mentor_id)} – ${name(p.mentee_id)}`;
            return (
              <Table.Tr key={pairKey(p)} data-testid="round-pair">
                <Table.Td>{name(p.mentor_id)}</Table.Td>
                <Table.Td>
                  {name(p.mentee_id)} {p.pinned && <Badge size="xs">{t("admin.pinned")}</Badge>}
                </Table.Td>
                <Table.Td>{percent(p.score)}%</Table.Td>
                <Table.Td>
                  <Explanation explanation={p.explanation} />
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button size="xs" variant={pinnedKeys.has(pairKey(p)) ? "filled" : "outline"} onClick={() => onPin(p)} aria-pressed={pinnedKeys.has(pairKey(p))} aria-label={`${t("admin.pin")}: ${label}`}>
                      {t("admin.pin")}
                    </Button>
                    <Button size="xs" variant="outline" color="red.9" onClick={() => onForbid(p)} aria-label={`${t("admin.forbid")}: ${label}`}>
                      {t("admin.forbid")}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {forbidden.length > 0 && (
        <div>
          <Title order={3} size="h5">
            {t("admin.forbidden")}
          </Title>
          <Group gap="xs">
            {forbidden.map((p) => (
              <Button key={pairKey(p)} size="xs" variant="light" onClick={() => onForbid(p)} aria-label={`${t("admin.unforbid")}: ${name(p.mentor_id)} – ${name(p.mentee_id)}`}>
                {name(p.mentor_id)} – {name(p.mentee_id)} ×
              </Button>
            ))}
          </Group>
        </div>
      )}
      <div>
        <Title order={3} size="h4" mb="xs">
          {t("admin.unmatched")}
        </Title>
        {result.unmatched.length === 0 ? (
          <Text>{t("app.none")}</Text>
        ) : (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t("admin.mentee")}</Table.Th>
                <Table.Th scope="col">{t("admin.reason")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.unmatched.map((u) => (
                <Table.Tr key={u.mentee_id} data-testid="unmatched">
                  <Table.Td>{name(u.mentee_id)}</Table.Td>
                  <Table.Td>{u.reason}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </div>
    </Stack>
  );
}

function Compare({ programId, roundId, runs, names }: { programId: string; roundId: string; runs: number[]; names: Map<string, string> }) {
  const { t } = useTranslation();
  const [a, setA] = useState(String(runs[0] ?? 1));
  const [b, setB] = useState(String(runs[runs.length - 1] ?? 1));
  const get = (n: string) => ({
    queryKey: ["run", roundId, n],
    queryFn: () => ok(matching.GET("/v1/programs/{program_id}/rounds/{round_id}/runs/{run}", { params: { path: { program_id: programId, round_id: roundId, run: Number(n) } } })),
  });
  const runA = useQuery(get(a));
  const runB = useQuery(get(b));
  const name = (id: string) => names.get(id) ?? id;
  const options = runs.map((n) => ({ value: String(n), label: t("admin.run", { n }) }));
  const cmp = runA.data && runB.data ? compareRuns(runA.data.result.matches, runB.data.result.matches) : null;
  const list = (title: string, pairs: M["RoundPair"][], testid: string) => (
    <Card withBorder>
      <Title order={4} size="h5" mb="xs">
        {title} ({pairs.length})
      </Title>
      <ul data-testid={testid}>
        {pairs.map((p) => (
          <li key={pairKey(p)}>
            {name(p.mentor_id)} – {name(p.mentee_id)} ({percent(p.score)}%)
          </li>
        ))}
      </ul>
    </Card>
  );
  return (
    <Card withBorder component="section" aria-labelledby="h-compare">
      <Title order={3} size="h4" id="h-compare" mb="xs">
        {t("admin.compare")}
      </Title>
      <Group>
        <NativeSelect label={t("admin.compareA")} value={a} onChange={(e) => setA(e.currentTarget.value)} data={options} />
        <NativeSelect label={t("admin.compareB")} value={b} onChange={(e) => setB(e.currentTarget.value)} data={options} />
      </Group>
      {cmp && (
        <SimpleGrid cols={{ base: 1, md: 3 }} mt="sm">
          {list(t("admin.onlyIn", { n: a }), cmp.onlyA, "only-a")}
          {list(t("admin.inBoth"), cmp.both, "in-both")}
          {list(t("admin.onlyIn", { n: b }), cmp.onlyB, "only-b")}
        </SimpleGrid>
      )}
    </Card>
  );
}

function RoundDetail({ programId, roundId, names }: { programId: string; roundId: string; names: Map<string, string> }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const round = useQuery({
    queryKey: ["round", roundId],
    queryFn: () => ok(matching.GET("/v1/programs/{program_id}/rounds/{round_id}", { params: { path: { program_id: programId, round_id: roundId } } })),
  });
  const latest = round.data?.runs[round.data.runs.length - 1]?.run;
  const [selected, setSelected] = useState<number | null>(null);
  const runNo = selected ?? latest ?? 1;
  const run = useQuery({
    queryKey: ["run", roundId, String(runNo)],
    queryFn: () => ok(matching.GET("/v1/programs/{program_id}/rounds/{round_id}/runs/{run}", { params: { path: { program_id: programId, round_id: roundId, run: runNo } } })),
    enabled: !!round.data,
  });
  const [pinned, setPinned] = useState<Pair[] | null>(null);
  const [forbidden, setForbidden] = useState<Pair[] | null>(null);
  const pins = pinned ?? run.data?.inputs.pinned ?? [];
  const forbids = forbidden ?? run.data?.inputs.forbidden ?? [];
  const rerun = useMutation({
    mutationFn: () => ok(matching.POST("/v1/programs/{program_id}/rounds/{round_id}/runs", { params: { path: { program_id: programId, round_id: roundId } }, body: { pinned: pins, forbidden: forbids } })),
    onSuccess: async (out) => {
      client.setQueryData(["run", roundId, String(out.run)], out);
      await client.invalidateQueries({ queryKey: ["round", roundId] });
      setSelected(out.run);
      setPinned(null);
      setForbidden(null);
    },
  });
  const publish = useMutation({
    mutationFn: () => ok(matching.POST("/v1/programs/{program_id}/rounds/{round_id}/publish", { params: { path: { program_id: programId, round_id: roundId } }, body: { run: runNo } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["round", roundId] }),
  });
  return (
    <Query q={round}>
      {(r) => (
        <Stack>
          <Group justify="space-between">
            <Text>{t("admin.status", { status: r.status })}</Text>
            <NativeSelect label={t("admin.runs")} value={String(runNo)} onChange={(e) => setSelected(Number(e.currentTarget.value))} data={r.runs.map((s) => ({ value: String(s.run), label: `${t("admin.run", { n: s.run })} — ${t("admin.matched", { count: s.matched })}` }))} />
          </Group>
          {r.published && (
            <Alert color="green" role="status" data-testid="published">
              {t("admin.published", { count: r.published.published.length })}
            </Alert>
          )}
          {publish.data && !r.published && (
            <Alert color="green" role="status" data-testid="published">
              {t("admin.published", { count: publish.data.published.length })}
            </Alert>
          )}
          {r.status !== "published" && (
            <Group>
              <Button variant="outline" onClick={() => rerun.mutate()} loading={rerun.isPending}>
                {t("admin.rerun")}
              </Button>
              <Button onClick={() => publish.mutate()} loading={publish.isPending}>
                {t("admin.publish", { n: runNo })}
              </Button>
            </Group>
          )}
          {(rerun.error || publish.error) && <Failure error={rerun.error ?? publish.error} />}
          <Query q={run}>{(data) => <RunView run={data} names={names} pinned={pins} forbidden={forbids} onPin={(p) => setPinned(toggle(pins, p))} onForbid={(p) => setForbidden(toggle(forbids, p))} />}</Query>
          {r.runs.length > 1 && <Compare programId={programId} roundId={roundId} runs={r.runs.map((s) => s.run)} names={names} />}
        </Stack>
      )}
    </Query>
  );
}

export function Rounds() {
  const { t, i18n } = useTranslation();
  const programId = useProgramId();
  const client = useQueryClient();
  const names = useNames(programId);
  const rounds = useQuery({
    queryKey: ["rounds", programId],
    queryFn: () => ok(matching.GET("/v1/programs/{program_id}/rounds", { params: { path: { program_id: programId } } })),
  });
  const [roundId, setRoundId] = useState<string | null>(null);
  const open = useMutation({
    mutationFn: () => ok(matching.POST("/v1/programs/{program_id}/rounds", { params: { path: { program_id: programId } }, body: {} })),
    onSuccess: async (run) => {
      client.setQueryData(["run", run.round_id, String(run.run)], run);
      await client.invalidateQueries({ queryKey: ["rounds", programId] });
      setRoundId(run.round_id);
    },
  });
  return (
    <Stack>
      <PageTitle>{t("admin.roundsHeading")}</PageTitle>
      <Group align="flex-end">
        <Button onClick={() => open.mutate()} loading={open.isPending}>
          {t("admin.newRound")}
        </Button>
        <Query q={rounds}>
          {(list) =>
            list.items.length > 0 ? (
              <NativeSelect
                label={t("admin.roundsHeading")}
                value={roundId ?? list.items[0]!.round_id}
                onChange={(e) => setRoundId(e.currentTarget.value)}
                data={list.items.map((r) => ({ value: r.round_id, label: `${t("admin.round", { date: formatDateTime(r.opened_at, i18n.language) })} (${r.status})` }))}
              />
            ) : null
          }
        </Query>
      </Group>
      {open.error && <Failure error={open.error} />}
      {(roundId ?? rounds.data?.items[0]?.round_id) && names.data && <RoundDetail key={roundId ?? rounds.data!.items[0]!.round_id} programId={programId} roundId={(roundId ?? rounds.data!.items[0]!.round_id)!} names={names.data} />}
    </Stack>
  );
}
