import { ActionIcon, Alert, Button, Checkbox, Fieldset, Group, NativeSelect, NumberInput, SimpleGrid, Stack, TextInput, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { idempotencyKey, ok, profiles, type P } from "../../api/client";
import { useProgram, useProgramId } from "../../app/hooks";
import { Failure, Loading, PageTitle } from "../../app/ui";
import { joinList, splitList } from "../../lib/format";
import { WEIGHT_FIELDS, toSpec, type ProgramForm, fromProgram, emptyProgram } from "../../lib/program";

export function ProgramSettings({ create = false }: { create?: boolean }) {
  const { t } = useTranslation();
  const programId = useProgramId();
  const program = useProgram(create ? "" : programId);
  const navigate = useNavigate();
  const client = useQueryClient();
  const [edited, setForm] = useState<ProgramForm | null>(create ? emptyProgram() : null);
  // Until the first edit the form shows what the server holds.
  const form = edited ?? (program.data ? fromProgram(program.data) : null);
  const save = useMutation({
    mutationFn: async (): Promise<P["ProgramOut"]> => {
      const spec = toSpec(form!);
      if (create)
        return ok(profiles.POST("/v1/programs", { params: { header: { "Idempotency-Key": idempotencyKey() } }, body: spec }));
      return ok(
        profiles.PATCH("/v1/programs/{program_id}", {
          params: { path: { program_id: programId }, header: { "If-Match": `"${program.data!.version}"` } },
          body: spec as unknown as Record<string, never>,
        }),
      );
    },
    onSuccess: async (saved) => {
      client.setQueryData(["program", saved.program_id], saved);
      await client.invalidateQueries({ queryKey: ["programs"] });
      if (create) navigate(`/p/${saved.program_id}/admin/settings`);
      else setForm(fromProgram(saved));
    },
  });
  if (program.error) return <Failure error={program.error} />;
  if (!form) return <Loading />;
  const set = (patch: Partial<ProgramForm>) => setForm({ ...form, ...patch });
  const weightKeys = [...WEIGHT_FIELDS, ...form.customFields.filter((f) => f.key).map((f) => `custom:${f.key}`)];
  const weightLabel = (k: string) => (k.startsWith("custom:") ? form.customFields.find((f) => `custom:${f.key}` === k)?.label || k : k === "semantic" ? t("admin.semantic") : t(`profile.fields.${k}`));
  return (
    <Stack maw={900}>
      <PageTitle>{create ? t("admin.createHeading") : t("admin.settingsHeading")}</PageTitle>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <TextInput label={t("admin.name")} value={form.name} onChange={(e) => set({ name: e.currentTarget.value })} required maxLength={200} />
          <Textarea label={t("admin.description")} value={form.description} onChange={(e) => set({ description: e.currentTarget.value })} maxLength={5000} autosize minRows={2} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect label={t("admin.kind")} value={form.kind} onChange={(e) => set({ kind: e.currentTarget.value as ProgramForm["kind"] })} data={(["informal", "formal"] as const).map((k) => ({ value: k, label: t(`admin.kinds.${k}`) }))} />
            <NumberInput label={t("admin.capacity")} value={form.capacity} min={1} max={100} onChange={(v) => set({ capacity: Number(v) || 1 })} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput type="date" label={t("admin.startsOn")} value={form.startsOn} onChange={(e) => set({ startsOn: e.currentTarget.value })} required={form.kind === "formal"} />
            <TextInput type="date" label={t("admin.endsOn")} value={form.endsOn} onChange={(e) => set({ endsOn: e.currentTarget.value })} required={form.kind === "formal"} />
          </SimpleGrid>
          <Fieldset legend={t("admin.modes")}>
            <Group>
              {(["one_to_one", "group"] as const).map((m) => (
                <Checkbox key={m} label={t(`admin.modeNames.${m}`)} checked={form.modes.includes(m)} onChange={(e) => set({ modes: e.currentTarget.checked ? [...form.modes, m] : form.modes.filter((x) => x !== m) })} />
              ))}
            </Group>
          </Fieldset>
          <Checkbox label={t("admin.approval")} checked={form.approval} onChange={(e) => set({ approval: e.currentTarget.checked })} />
          <TextInput label={t("admin.partners")} value={joinList(form.partners)} onChange={(e) => set({ partners: splitList(e.currentTarget.value) })} />
          <Fieldset legend={t("admin.customFields")}>
            <Stack>
              {form.customFields.map((f, i) => (
                <Group key={i} align="flex-end" wrap="wrap">
                  <TextInput label={t("admin.fieldKey")} value={f.key} onChange={(e) => set({ customFields: form.customFields.map((x, j) => (j === i ? { ...x, key: e.currentTarget.value } : x)) })} w={130} required pattern="[a-z][a-z0-9_]*" />
                  <TextInput label={t("admin.fieldLabel")} value={f.label} onChange={(e) => set({ customFields: form.customFields.map((x, j) => (j === i ? { ...x, label: e.currentTarget.value } : x)) })} required />
                  <NativeSelect label={t("admin.fieldType")} value={f.type} onChange={(e) => set({ customFields: form.customFields.map((x, j) => (j === i ? { ...x, type: e.currentTarget.value as typeof f.type } : x)) })} data={(["text", "number", "single_choice", "multi_choice"] as const).map((k) => ({ value: k, label: t(`admin.types.${k}`) }))} />
                  {(f.type === "single_choice" || f.type === "multi_choice") && (
                    <TextInput label={t("admin.fieldOptions")} value={joinList(f.options)} onChange={(e) => set({ customFields: form.customFields.map((x, j) => (j === i ? { ...x, options: splitList(e.currentTarget.value) } : x)) })} />
                  )}
                  <Checkbox label={t("admin.fieldRequired")} checked={!!f.required} onChange={(e) => set({ customFields: form.customFields.map((x, j) => (j === i ? { ...x, required: e.currentTarget.checked } : x)) })} mb={8} />
                  <ActionIcon variant="outline" color="red.9" size="lg" aria-label={t("admin.removeField", { label: f.label || f.key })} onClick={() => set({ customFields: form.customFields.filter((_, j) => j !== i) })} mb={2}>
                    ×
                  </ActionIcon>
                </Group>
              ))}
              <div>
                <Button variant="light" onClick={() => set({ customFields: [...form.customFields, { key: "", label: "", type: "text" }] })}>
                  {t("admin.addField")}
                </Button>
              </div>
            </Stack>
          </Fieldset>
          <Fieldset legend={t("admin.questions")}>
            <Stack>
              {form.questions.map((q, i) => (
                <Group key={i} align="flex-end" wrap="nowrap">
                  <TextInput style={{ flex: 1 }} label={t("admin.questionText", { n: i + 1 })} value={q.text} onChange={(e) => set({ questions: form.questions.map((x, j) => (j === i ? { ...x, text: e.currentTarget.value } : x)) })} required maxLength={500} />
                  <ActionIcon variant="outline" color="red.9" size="lg" aria-label={t("admin.removeQuestion", { n: i + 1 })} onClick={() => set({ questions: form.questions.filter((_, j) => j !== i) })} mb={2}>
                    ×
                  </ActionIcon>
                </Group>
              ))}
              <div>
                <Button variant="light" onClick={() => set({ questions: [...form.questions, { key: `q${form.questions.length + 1}`, text: "" }] })}>
                  {t("admin.addQuestion")}
                </Button>
              </div>
            </Stack>
          </Fieldset>
          <Fieldset legend={t("admin.weights")}>
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              {weightKeys.map((k) => (
                <NumberInput key={k} label={weightLabel(k)} value={form.weights[k] ?? 0} min={0} max={100} step={0.5} decimalScale={2} onChange={(v) => set({ weights: { ...form.weights, [k]: Number(v) || 0 } })} />
              ))}
            </SimpleGrid>
          </Fieldset>
          <Fieldset legend={t("admin.constraints")}>
            <Stack>
              <Checkbox label={t("admin.sharedLanguage")} checked={form.sharedLanguage} onChange={(e) => set({ sharedLanguage: e.currentTarget.checked })} />
              <NumberInput label={t("admin.maxTz")} value={form.maxTz ?? ""} min={0} max={24} onChange={(v) => set({ maxTz: v === "" ? null : Number(v) })} w={320} />
            </Stack>
          </Fieldset>
          {save.error && <Failure error={save.error} />}
          {save.isSuccess && (
            <Alert color="green" role="status">
              {create ? t("admin.created") : t("app.saved")}
            </Alert>
          )}
          <div>
            <Button type="submit" loading={save.isPending}>
              {create ? t("admin.createHeading") : t("app.save")}
            </Button>
          </div>
        </Stack>
      </form>
    </Stack>
  );
}
