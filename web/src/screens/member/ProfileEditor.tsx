import { Alert, Button, Checkbox, Fieldset, Grid, MultiSelect, NativeSelect, NumberInput, Stack, Text, TextInput, Textarea, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { idempotencyKey, ok, profiles, type P } from "../../api/client";
import { useMyMember, useProgram, useProgramId } from "../../app/hooks";
import { Failure, Loading, PageTitle } from "../../app/ui";
import { LIST_FIELDS, TEXT_FIELDS, toForm, toPatch, type ProfileForm, type Visibility } from "../../lib/profile";

function VisibilitySelect({ field, label, form, setForm }: { field: string; label: string; form: ProfileForm; setForm: (f: ProfileForm) => void }) {
  const { t } = useTranslation();
  return (
    <NativeSelect
      label={t("profile.visibility", { field: label })}
      value={form.visibility[field] ?? "program"}
      onChange={(e) => setForm({ ...form, visibility: { ...form.visibility, [field]: e.currentTarget.value as Visibility } })}
      data={(["program", "matches", "private"] as const).map((v) => ({ value: v, label: t(`profile.vis.${v}`) }))}
    />
  );
}

function Row({ input, visibility }: { input: ReactNode; visibility: ReactNode }) {
  return (
    <Grid align="flex-end">
      <Grid.Col span={{ base: 12, sm: 8 }}>{input}</Grid.Col>
      <Grid.Col span={{ base: 12, sm: 4 }}>{visibility}</Grid.Col>
    </Grid>
  );
}

function CustomInput({ def, value, onChange }: { def: P["CustomFieldDef"]; value: string | string[] | undefined; onChange: (v: string | string[]) => void }) {
  const { t } = useTranslation();
  const label = def.label + (def.required ? ` (${t("profile.required")})` : "");
  if (def.type === "single_choice")
    return <NativeSelect label={label} value={(value as string) ?? ""} onChange={(e) => onChange(e.currentTarget.value)} data={["", ...(def.options ?? [])]} description={def.help ?? undefined} />;
  if (def.type === "multi_choice")
    return <MultiSelect label={label} value={(value as string[]) ?? []} onChange={onChange} data={def.options ?? []} description={def.help ?? undefined} />;
  if (def.type === "number")
    return <NumberInput label={label} value={(value as string) ?? ""} onChange={(v) => onChange(String(v))} min={def.min_value ?? undefined} max={def.max_value ?? undefined} description={def.help ?? undefined} />;
  return <TextInput label={label} value={(value as string) ?? ""} onChange={(e) => onChange(e.currentTarget.value)} maxLength={def.max_length} description={def.help ?? undefined} />;
}

function Application({ programId, program, member }: { programId: string; program: P["ProgramOut"]; member: P["MemberOut"] }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const apply = useMutation({
    mutationFn: () =>
      ok(
        profiles.POST("/v1/programs/{program_id}/mentor-applications", {
          params: { path: { program_id: programId }, header: { "Idempotency-Key": idempotencyKey() } },
          body: { answers },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["me", programId] }),
  });
  const application = member.application as { state?: string } | null | undefined;
  if (member.mentor_approved || application?.state === "submitted")
    return <Alert color={member.mentor_approved ? "green" : "blue"}>{t("profile.applied", { state: t(`profile.state.${member.mentor_approved ? "approved" : "submitted"}`) })}</Alert>;
  return (
    <Fieldset legend={t("profile.applyHeading")}>
      {application?.state === "rejected" && <Text mb="sm">{t("profile.applied", { state: t("profile.state.rejected") })}</Text>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          apply.mutate();
        }}
      >
        <Stack>
          {(program.mentor_questions ?? []).map((q) => (
            <Textarea key={q.key} label={q.text} required={q.required} maxLength={q.max_length} value={answers[q.key] ?? ""} onChange={(e) => setAnswers({ ...answers, [q.key]: e.currentTarget.value })} autosize minRows={2} />
          ))}
          {apply.error && <Failure error={apply.error} />}
          <Button type="submit" loading={apply.isPending}>
            {t("profile.apply")}
          </Button>
        </Stack>
      </form>
    </Fieldset>
  );
}

export function ProfileEditor() {
  const { t } = useTranslation();
  const programId = useProgramId();
  const program = useProgram(programId);
  const me = useMyMember(programId);
  const client = useQueryClient();
  const [edited, setForm] = useState<ProfileForm | null>(null);
  // Until the first edit the form shows what the server holds.
  const form = edited ?? (me.data ? toForm(me.data.profile, me.data.visibility) : null);
  const isMentor = !!me.data?.roles.includes("mentor");
  const save = useMutation({
    mutationFn: () =>
      ok(
        profiles.PATCH("/v1/programs/{program_id}/members/me", {
          params: { path: { program_id: programId }, header: { "If-Match": `"${me.data!.version}"` } },
          body: toPatch(form!, program.data!, isMentor),
        }),
      ),
    onSuccess: (member) => {
      client.setQueryData(["me", programId], member);
      void client.invalidateQueries({ queryKey: ["recommendations", programId] });
    },
  });
  if (me.error) return <Failure error={me.error} />;
  if (program.error) return <Failure error={program.error} />;
  if (!form || !program.data || !me.data) return <Loading />;
  const p = program.data;
  const uses = (f: string) => !p.profile_fields || p.profile_fields.length === 0 || p.profile_fields.includes(f as never);
  const label = (f: string) => t(`profile.fields.${f}`);
  const vis = (f: string, l = label(f)) => <VisibilitySelect field={f} label={l} form={form} setForm={setForm} />;
  return (
    <Stack maw={900}>
      <PageTitle>{t("profile.heading")}</PageTitle>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          {TEXT_FIELDS.filter(uses).map((f) => (
            <Row key={f} input={<TextInput label={label(f)} value={form.text[f]} maxLength={f === "timezone" ? 64 : 200} onChange={(e) => setForm({ ...form, text: { ...form.text, [f]: e.currentTarget.value } })} />} visibility={f === "display_name" ? null : vis(f)} />
          ))}
          {uses("bio") && <Row input={<Textarea label={label("bio")} value={form.bio} maxLength={5000} autosize minRows={3} onChange={(e) => setForm({ ...form, bio: e.currentTarget.value })} />} visibility={vis("bio")} />}
          {uses("years_experience") && (
            <Row input={<NumberInput label={label("years_experience")} value={form.years} min={0} max={80} onChange={(v) => setForm({ ...form, years: String(v) })} />} visibility={vis("years_experience")} />
          )}
          {LIST_FIELDS.filter(uses).map((f) => (
            <Row key={f} input={<TextInput label={label(f)} description={t("profile.listHint")} value={form.lists[f]} onChange={(e) => setForm({ ...form, lists: { ...form.lists, [f]: e.currentTarget.value } })} />} visibility={vis(f)} />
          ))}
          {(p.custom_fields ?? []).length > 0 && (
            <Title order={2} size="h4">
              {t("profile.customHeading")}
            </Title>
          )}
          {(p.custom_fields ?? []).map((def) => (
            <Row key={def.key} input={<CustomInput def={def} value={form.custom[def.key]} onChange={(v) => setForm({ ...form, custom: { ...form.custom, [def.key]: v } })} />} visibility={vis(`custom.${def.key}`, def.label)} />
          ))}
          {isMentor && (
            <Fieldset legend={t("profile.mentorHeading")}>
              <Stack>
                <NumberInput label={label("capacity")} value={form.capacity} min={0} max={100} onChange={(v) => setForm({ ...form, capacity: String(v) })} />
                <Checkbox label={label("accepting_mentees")} checked={form.accepting} onChange={(e) => setForm({ ...form, accepting: e.currentTarget.checked })} />
              </Stack>
            </Fieldset>
          )}
          {save.error && <Failure error={save.error} />}
          {save.isSuccess && (
            <Alert color="green" role="status">
              {t("profile.saved")}
            </Alert>
          )}
          <div>
            <Button type="submit" loading={save.isPending}>
              {t("app.save")}
            </Button>
          </div>
        </Stack>
      </form>
      {isMentor && <Application programId={programId} program={p} member={me.data} />}
    </Stack>
  );
}
