// Upload into a mentorship's space: chunks with a progress bar, pause, resume from the
// server's offset (also after a reload: the same file chosen again), optional share with the
// mentorship's conversation. The logic is lib/uploads.ts; this is its face.
import { Alert, Button, Card, Checkbox, Group, Progress, Stack, Text, Title } from "@mantine/core";
import { useId, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { documents, ok } from "../../api/client";
import { cancelUpload, documentUploads } from "../../api/documentUploads";
import { formatBytes } from "../../lib/documents";
import { findPending, percentOf, storagePendingStore, uploadFile, type Progress as Sent, type Target } from "../../lib/uploads";

type Phase = "idle" | "sending" | "paused" | "interrupted" | "failed" | "done";

/** Share a document with a conversation (the owner's edit; If-Match from a fresh read). */
export async function shareWithConversation(documentId: string, conversationId: string): Promise<void> {
  const current = await ok(documents.GET("/v1/documents/{document_id}", { params: { path: { document_id: documentId } } }));
  await ok(
    documents.POST("/v1/documents/{document_id}/shares", {
      params: { path: { document_id: documentId }, header: { "If-Match": `"${current.revision}"` } },
      body: { conversation_ids: [conversationId] },
    }),
  );
}

export function DocumentUpload({ target, conversationId, onUploaded }: { target: Target; conversationId: string; onUploaded: (documentId: string) => void }) {
  const { t, i18n } = useTranslation();
  const inputId = useId();
  const store = useMemo(() => storagePendingStore(window.sessionStorage), []);
  const [file, setFile] = useState<File | null>(null);
  const [share, setShare] = useState(true);
  const [phase, setPhase] = useState<Phase>("idle");
  const [progress, setProgress] = useState<Sent | null>(null);
  const [message, setMessage] = useState("");
  const [pendingList, setPendingList] = useState(() => store.list());
  const controller = useRef<AbortController | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const pending = pendingList.filter((p) => p.programId === target.programId && p.spaceId === target.spaceId);
  const resumable = file ? findPending(store, file, target) : undefined;
  const refreshPending = () => setPendingList(store.list());

  async function start() {
    if (!file) return;
    const abort = new AbortController();
    controller.current = abort;
    setPhase("sending");
    setMessage("");
    try {
      const documentId = await uploadFile(file, target, { transport: documentUploads, store, signal: abort.signal, onProgress: setProgress });
      if (share) await shareWithConversation(documentId, conversationId);
      setPhase("done");
      setMessage(file.name);
      setFile(null);
      if (input.current) input.current.value = "";
      onUploaded(documentId);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (error instanceof DOMException && error.name === "AbortError") setPhase("paused");
      else if (findPending(store, file, target)) {
        setPhase("interrupted");
        setMessage(text);
      } else {
        setPhase("failed");
        setMessage(text);
      }
    } finally {
      controller.current = null;
      refreshPending();
    }
  }

  async function cancel(uploadId: string) {
    controller.current?.abort();
    await cancelUpload(uploadId).catch(() => {});
    store.remove(uploadId);
    refreshPending();
    setPhase("idle");
    setProgress(null);
  }

  const percent = progress ? percentOf(progress) : 0;
  const busy = phase === "sending";
  return (
    <Card withBorder component="section" aria-labelledby="h-upload">
      <Title order={2} size="h4" id="h-upload" mb="xs">
        {t("documents.upload.heading")}
      </Title>
      <Stack gap="sm">
        {pending
          .filter((p) => p.uploadId !== resumable?.uploadId || !busy)
          .map((p) => (
            <Alert key={p.uploadId} color="yellow" data-testid="pending-upload">
              {/* In the body, not the title: the yellow title colour fails AA contrast (axe-core). */}
              <Text fw={600}>{t("documents.upload.pending", { name: p.name, percent: percentOf({ sent: p.offset, size: p.size }) })}</Text>
              <Group>
                <Text size="sm">{t("documents.upload.pendingHint")}</Text>
                <Button size="xs" variant="outline" color="red.9" onClick={() => void cancel(p.uploadId)}>
                  {t("documents.upload.cancel", { name: p.name })}
                </Button>
              </Group>
            </Alert>
          ))}
        <div>
          <Text component="label" htmlFor={inputId} size="sm" fw={500} display="block" mb={4}>
            {t("documents.upload.choose")}
          </Text>
          <input
            id={inputId}
            ref={input}
            type="file"
            disabled={busy}
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              setPhase("idle");
              setProgress(null);
            }}
          />
        </div>
        {file && (
          <Text size="sm" data-testid="chosen-file">
            {file.name} — {formatBytes(file.size, i18n.language)}
            {resumable ? ` — ${t("documents.upload.willResume", { percent: percentOf({ sent: resumable.offset, size: resumable.size }) })}` : ""}
          </Text>
        )}
        <Checkbox label={t("documents.upload.share")} checked={share} onChange={(e) => setShare(e.currentTarget.checked)} disabled={busy} />
        {progress && phase !== "idle" && (
          <Stack gap={4}>
            <Progress value={percent} aria-label={t("documents.upload.progress")} size="lg" data-testid="upload-progress" animated={busy} />
            <Text size="sm" aria-live="polite" data-testid="upload-status">
              {progress.phase === "verifying"
                ? t("documents.upload.verifying")
                : t("documents.upload.sent", { percent, sent: formatBytes(progress.sent, i18n.language), size: formatBytes(progress.size, i18n.language) })}
            </Text>
          </Stack>
        )}
        {phase === "paused" && <Alert color="blue" role="status">{t("documents.upload.paused", { percent })}</Alert>}
        {phase === "interrupted" && (
          <Alert color="orange" role="alert" data-testid="upload-interrupted">
            {t("documents.upload.interrupted", { percent, message })}
          </Alert>
        )}
        {phase === "failed" && (
          <Alert color="red" role="alert">
            {t("documents.upload.failed", { message })}
          </Alert>
        )}
        {phase === "done" && (
          <Alert color="green" role="status" data-testid="upload-done">
            {t("documents.upload.done", { name: message })}
          </Alert>
        )}
        <Group>
          {busy ? (
            <Button variant="outline" onClick={() => controller.current?.abort()}>
              {t("documents.upload.pause")}
            </Button>
          ) : (
            <Button onClick={() => void start()} disabled={!file}>
              {resumable || phase === "paused" || phase === "interrupted" ? t("documents.upload.resume") : t("documents.upload.start")}
            </Button>
          )}
        </Group>
      </Stack>
    </Card>
  );
}
