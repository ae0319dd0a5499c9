import { Button, Checkbox, Stack, Text, TextInput, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { idempotencyKey, ok, profiles } from "../../api/client";
import { useProgram, useProgramId } from "../../app/hooks";
import { Failure, PageTitle, Query } from "../../app/ui";
import { useAuth } from "../../auth/AuthProvider";

export function Join() {
  const { t } = useTranslation();
  const programId = useProgramId();
  const program = useProgram(programId);
  const { identity } = useAuth();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [mentee, setMentee] = useState(true);
  const [mentor, setMentor] = useState(false);
  const [name, setName] = useState(identity?.name ?? "");
  const [headline, setHeadline] = useState("");
  const [bio, setBio] = useState("");
  const join = useMutation({
    mutationFn: () =>
      ok(
        profiles.POST("/v1/programs/{program_id}/members", {
          params: { path: { program_id: programId }, header: { "Idempotency-Key": idempotencyKey() } },
          body: {
            roles: [...(mentee ? (["mentee"] as const) : []), ...(mentor ? (["mentor"] as const) : [])],
            display_name: name,
            headline,
            bio,
            timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
          },
        }),
      ),
    onSuccess: async () => {
      await client.invalidateQueries();
      navigate(`/p/${programId}/profile`);
    },
  });
  return (
    <Query q={program}>
      {(p) => (
        <Stack maw={640}>
          <PageTitle>{t("join.heading", { program: p.name })}</PageTitle>
          <Text>{p.description}</Text>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              join.mutate();
            }}
          >
            <Stack>
              <Checkbox label={t("join.asMentee")} checked={mentee} onChange={(e) => setMentee(e.currentTarget.checked)} />
              <Checkbox label={t("join.asMentor")} checked={mentor} onChange={(e) => setMentor(e.currentTarget.checked)} />
              {!mentee && !mentor && <Text c="red.9">{t("join.needRole")}</Text>}
              <TextInput label={t("profile.fields.display_name")} value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={200} />
              <TextInput label={t("profile.fields.headline")} value={headline} onChange={(e) => setHeadline(e.currentTarget.value)} maxLength={200} />
              <Textarea label={t("profile.fields.bio")} value={bio} onChange={(e) => setBio(e.currentTarget.value)} maxLength={5000} autosize minRows={3} />
              {join.error && <Failure error={join.error} />}
              <Button type="submit" loading={join.isPending} disabled={!mentee && !mentor}>
                {t("join.submit")}
              </Button>
            </Stack>
          </form>
        </Stack>
      )}
    </Query>
  );
}
