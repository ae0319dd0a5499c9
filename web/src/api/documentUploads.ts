// The documents service's resumable upload API as lib/uploads.ts's Transport. Chunks go by
// XMLHttpRequest because fetch reports no upload progress; the rest is the typed client.
import { OffsetMismatch, Refused, type Finish, type Transport } from "../lib/uploads";
import { accessToken, documents, problemDetail } from "./client";

/** 4xx answers other than a conflict, a timeout or too many requests: retrying will not help. */
function failure(status: number, error: unknown): Error {
  const detail = problemDetail(error, { status });
  if (status >= 400 && status < 500 && ![408, 409, 429].includes(status)) return new Refused(status, detail);
  return new Error(detail);
}

function finishOf(state: string, documentId: string | null | undefined, error?: string | null): Finish {
  if (state === "done" && documentId) return { state: "done", documentId };
  if (state === "failed") return { state: "failed", error: error ?? "failed" };
  return { state: "verifying" };
}

export const documentUploads: Transport = {
  async begin(request) {
    const { data, error, response } = await documents.POST("/v1/uploads", { body: request });
    if (!data) throw failure(response.status, error);
    return { uploadId: data.upload_id };
  },

  async offset(uploadId) {
    const { response } = await documents.HEAD("/v1/uploads/{upload_id}", { params: { path: { upload_id: uploadId } }, parseAs: "stream" });
    if (response.status === 404) return null;
    if (!response.ok) throw failure(response.status, null);
    return Number(response.headers.get("Upload-Offset") ?? "0");
  },

  send(uploadId, offset, chunk, onSent, signal) {
    return new Promise<number>((resolve, reject) => {
      if (signal?.aborted) return reject(new DOMException("the upload was paused", "AbortError"));
      const xhr = new XMLHttpRequest();
      xhr.open("PATCH", `/api/documents/v1/uploads/${encodeURIComponent(uploadId)}`);
      const token = accessToken();
      if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
      xhr.setRequestHeader("Upload-Offset", String(offset));
      xhr.setRequestHeader("Content-Type", "application/offset+octet-stream");
      xhr.upload.onprogress = (e) => onSent(e.loaded);
      xhr.onload = () => {
        if (xhr.status === 204) return resolve(Number(xhr.getResponseHeader("Upload-Offset") ?? offset + chunk.size));
        let body: { offset?: number } | null = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = null;
        }
        if (xhr.status === 409 && typeof body?.offset === "number") return reject(new OffsetMismatch(body.offset));
        reject(failure(xhr.status, body));
      };
      xhr.onerror = () => reject(new TypeError("the network failed"));
      xhr.ontimeout = () => reject(new TypeError("the request timed out"));
      xhr.onabort = () => reject(new DOMException("the upload was paused", "AbortError"));
      signal?.addEventListener("abort", () => xhr.abort(), { once: true });
      xhr.send(chunk);
    });
  },

  async finish(uploadId) {
    const { data, error, response } = await documents.POST("/v1/uploads/{upload_id}/complete", { params: { path: { upload_id: uploadId } } });
    if (!response.ok || !data) throw failure(response.status, error);
    if (response.status === 201) return { state: "done", documentId: data.document_id! };
    const upload = data as unknown as { state: string; document_id?: string | null; error?: string | null };
    return finishOf(upload.state, upload.document_id, upload.error);
  },

  async status(uploadId) {
    const { data, error, response } = await documents.GET("/v1/uploads/{upload_id}", { params: { path: { upload_id: uploadId } } });
    if (!data) throw failure(response.status, error);
    return finishOf(data.state, data.document_id, data.error);
  },
};

/** Cancel a pending upload on the server (its stored parts are removed). */
export async function cancelUpload(uploadId: string): Promise<void> {
  await documents.DELETE("/v1/uploads/{upload_id}", { params: { path: { upload_id: uploadId } } });
}
