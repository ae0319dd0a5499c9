// Resumable uploads, without React or HTTP: a file goes up in chunks from the offset the
// server says it stored, so a dropped network or a reloaded page continues where the bytes
// really are instead of starting over. The pending upload's id (never a token) is kept in
// sessionStorage, keyed by a fingerprint of the file, so choosing the same file again
// after a reload resumes it. The HTTP side is a transport (api/documentUploads.ts).

/** Chunk size: the documents service's multipart part size, so each chunk fills whole parts. */
export const CHUNK_BYTES = 8 * 1024 * 1024;

/** What the module needs of a File (a Blob with a name and a date). */
export interface FileLike {
  readonly name: string;
  readonly size: number;
  readonly type: string;
  readonly lastModified: number;
  slice(start: number, end: number): Blob;
}

/** Where the file goes: a program and, for a mentorship's documents, its space. */
export interface Target {
  programId: string;
  spaceId: string | null;
}

export interface BeginRequest {
  program_id: string;
  space_id: string | null;
  name: string;
  size: number;
  content_type: string | null;
}

export type Finish = { state: "done"; documentId: string } | { state: "verifying" } | { state: "failed"; error: string };

/** The documents service's resumable upload API, as the module uses it. */
export interface Transport {
  begin(request: BeginRequest): Promise<{ uploadId: string }>;
  /** The offset the server stored, or null when it no longer knows the upload. */
  offset(uploadId: string): Promise<number | null>;
  /** Send one chunk at `offset`; resolves to the server's new offset. */
  send(uploadId: string, offset: number, chunk: Blob, onSent: (bytes: number) => void, signal?: AbortSignal): Promise<number>;
  finish(uploadId: string): Promise<Finish>;
  status(uploadId: string): Promise<Finish>;
}

/** The server stored a different offset than the chunk started at (409): continue from it. */
export class OffsetMismatch extends Error {
  readonly offset: number;
  constructor(offset: number) {
    super(`the server has ${offset} bytes`);
    this.offset = offset;
  }
}

/** The upload stopped (network, server) after its retries; it can be resumed. */
export class UploadInterrupted extends Error {
  readonly offset: number;
  constructor(offset: number, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.offset = offset;
  }
}

/** The server refused the file or the request (a 4xx other than 409): no retry helps. */
export class Refused extends Error {
  readonly status: number;
  constructor(status: number, detail: string) {
    super(detail);
    this.status = status;
  }
}

/** A pending upload as kept in sessionStorage: ids and sizes, nothing secret. */
export interface Pending {
  uploadId: string;
  fingerprint: string;
  name: string;
  size: number;
  programId: string;
  spaceId: string | null;
  /** The last offset seen (for showing; the server's HEAD decides where to resume). */
  offset: number;
}

export interface PendingStore {
  list(): Pending[];
  put(pending: Pending): void;
  remove(uploadId: string): void;
}

const STORE_KEY = "mentorship.pendingUploads";

/** Pending uploads in a Web Storage (sessionStorage: this tab only, gone with it). */
export function storagePendingStore(storage: Pick<Storage, "getItem" | "setItem" | "removeItem">, key = STORE_KEY): PendingStore {
  const read = (): Pending[] => {
    try {
      const value: unknown = JSON.parse(storage.getItem(key) ?? "[]");
      return Array.isArray(value) ? (value as Pending[]).filter((p) => typeof p?.uploadId === "string") : [];
    } catch {
      return [];
    }
  };
  const write = (rows: Pending[]) => (rows.length ? storage.setItem(key, JSON.stringify(rows)) : storage.removeItem(key));
  return {
    list: read,
    put: (pending) => write([...read().filter((p) => p.uploadId !== pending.uploadId), pending]),
    remove: (uploadId) => write(read().filter((p) => p.uploadId !== uploadId)),
  };
}

/** Same name, size and date: taken to be the same file when it is chosen again. */
export function fingerprint(file: Pick<FileLike, "name" | "size" | "lastModified">): string {
  return `${file.size}:${file.lastModified}:${file.name}`;
}

/** The pending upload of this file to this target, if any. */
export function findPending(store: PendingStore, file: FileLike, target: Target): Pending | undefined {
  const print = fingerprint(file);
  return store.list().find((p) => p.fingerprint === print && p.programId === target.programId && p.spaceId === target.spaceId);
}

/** The next chunk's end: `chunkBytes` from the offset, or the file's end. */
export function chunkEnd(offset: number, size: number, chunkBytes = CHUNK_BYTES): number {
  return Math.min(size, offset + chunkBytes);
}

export interface Progress {
  /** Bytes the server confirmed. */
  stored: number;
  /** Bytes sent so far (stored + what the current chunk has sent). */
  sent: number;
  size: number;
  phase: "sending" | "verifying" | "done";
}

/** The fraction shown by a progress bar, 0..100, never past what was sent. */
export function percentOf(progress: Pick<Progress, "sent" | "size">): number {
  if (progress.size <= 0) return 0;
  return Math.min(100, Math.floor((progress.sent / progress.size) * 100));
}

export interface Options {
  transport: Transport;
  store: PendingStore;
  chunkBytes?: number;
  onProgress?: (progress: Progress) => void;
  /** Aborting pauses: the pending upload stays resumable. */
  signal?: AbortSignal;
  /** Attempts after a failed chunk before giving up with UploadInterrupted. */
  retries?: number;
  /** Waits between retries and status polls (a test passes one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  /** How many status polls while the server verifies the stored bytes. */
  verifyPolls?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function aborted(signal?: AbortSignal): boolean {
  return !!signal?.aborted;
}

function abortError(): Error {
  return new DOMException("the upload was paused", "AbortError");
}

/**
 * Upload `file` to `target`, resuming its pending upload when there is one. Resolves to
 * the document's id; rejects with UploadInterrupted (resumable), an AbortError (paused,
 * resumable) or the transport's error for a refused file (the pending upload is dropped).
 */
export async function uploadFile(file: FileLike, target: Target, options: Options): Promise<string> {
  const { transport, store, chunkBytes = CHUNK_BYTES, onProgress, signal, retries = 3, sleep = defaultSleep, verifyPolls = 600 } = options;
  let pending = findPending(store, file, target);
  let offset = 0;
  if (pending) {
    const stored = await transport.offset(pending.uploadId);
    if (stored === null || stored > file.size) {
      store.remove(pending.uploadId);
      pending = undefined;
    } else offset = stored;
  }
  if (!pending) {
    const { uploadId } = await transport.begin({ program_id: target.programId, space_id: target.spaceId, name: file.name, size: file.size, content_type: file.type || null });
    pending = { uploadId, fingerprint: fingerprint(file), name: file.name, size: file.size, programId: target.programId, spaceId: target.spaceId, offset: 0 };
    store.put(pending);
  }
  const { uploadId } = pending;
  const report = (sent: number, phase: Progress["phase"] = "sending") => onProgress?.({ stored: offset, sent, size: file.size, phase });
  report(offset);

  let failures = 0;
  while (offset < file.size) {
    if (aborted(signal)) throw abortError();
    const end = chunkEnd(offset, file.size, chunkBytes);
    const from = offset;
    try {
      offset = await transport.send(uploadId, from, file.slice(from, end), (bytes) => report(from + Math.min(bytes, end - from)), signal);
      failures = 0;
      store.put({ ...pending, offset });
      report(offset);
    } catch (error) {
      if (error instanceof OffsetMismatch) {
        offset = error.offset;
        continue;
      }
      if (aborted(signal)) throw abortError();
      if (!isRetryable(error)) {
        store.remove(uploadId); // the server dropped a refused upload too
        throw error;
      }
      failures += 1;
      if (failures > retries) {
        store.put({ ...pending, offset });
        throw new UploadInterrupted(offset, error);
      }
      await sleep(1000 * 2 ** (failures - 1));
      // Where the bytes really are: part of the failed chunk may have been stored.
      const stored = await transport.offset(uploadId).catch(() => undefined);
      if (stored === null) {
        store.remove(uploadId);
        throw error;
      }
      if (stored !== undefined) offset = stored;
    }
  }

  let finished = await transport.finish(uploadId);
  for (let poll = 0; finished.state === "verifying" && poll < verifyPolls; poll++) {
    report(file.size, "verifying");
    await sleep(1000);
    finished = await transport.status(uploadId);
  }
  if (finished.state !== "done") {
    if (finished.state === "failed") store.remove(uploadId);
    throw new Error(finished.state === "failed" ? finished.error : "the upload is still being verified");
  }
  store.remove(uploadId);
  report(file.size, "done");
  return finished.documentId;
}

function isRetryable(error: unknown): boolean {
  return !(error instanceof Refused);
}

/** Forget a pending upload (the screen cancels it on the server too). */
export function forget(store: PendingStore, uploadId: string): void {
  store.remove(uploadId);
}
