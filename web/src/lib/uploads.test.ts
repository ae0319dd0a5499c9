import { describe, expect, it } from "vitest";
import {
  chunkEnd,
  findPending,
  fingerprint,
  OffsetMismatch,
  percentOf,
  Refused,
  storagePendingStore,
  uploadFile,
  UploadInterrupted,
  type Finish,
  type Progress,
  type Transport,
} from "./uploads";

/** An in-memory stand-in of the documents service's resumable API (offsets, 409, 404). */
class FakeServer implements Transport {
  uploads = new Map<string, { size: number; bytes: Uint8Array[]; offset: number; done?: string }>();
  sends: { offset: number; length: number }[] = [];
  /** Chunks after this many successful ones fail like a dropped network. */
  dropAfter = Infinity;
  /** Store only part of a chunk before failing (a connection cut mid-chunk). */
  storePartialOnDrop = 0;
  verifyingPolls = 0;
  refuseAt: number | null = null;
  private next = 0;

  async begin(request: { size: number }) {
    const uploadId = `u${++this.next}`;
    this.uploads.set(uploadId, { size: request.size, bytes: [], offset: 0 });
    return { uploadId };
  }

  async offset(uploadId: string) {
    return this.uploads.get(uploadId)?.offset ?? null;
  }

  async send(uploadId: string, offset: number, chunk: Blob, onSent: (bytes: number) => void) {
    const upload = this.uploads.get(uploadId);
    if (!upload) throw new Refused(404, "no such upload");
    if (offset !== upload.offset) throw new OffsetMismatch(upload.offset);
    if (this.refuseAt !== null && offset >= this.refuseAt) {
      this.uploads.delete(uploadId);
      throw new Refused(415, "not this type");
    }
    const data = new Uint8Array(await chunk.arrayBuffer());
    if (this.sends.length >= this.dropAfter) {
      const kept = data.slice(0, this.storePartialOnDrop);
      upload.bytes.push(kept);
      upload.offset += kept.length;
      this.sends.push({ offset, length: -1 });
      throw new TypeError("Failed to fetch");
    }
    onSent(Math.floor(data.length / 2));
    onSent(data.length);
    upload.bytes.push(data);
    upload.offset += data.length;
    this.sends.push({ offset, length: data.length });
    return upload.offset;
  }

  async finish(uploadId: string): Promise<Finish> {
    const upload = this.uploads.get(uploadId)!;
    if (upload.offset !== upload.size) throw new Error("incomplete");
    upload.done = `doc-${uploadId}`;
    return this.verifyingPolls > 0 ? { state: "verifying" } : { state: "done", documentId: upload.done };
  }

  async status(uploadId: string): Promise<Finish> {
    this.verifyingPolls -= 1;
    const upload = this.uploads.get(uploadId)!;
    return this.verifyingPolls > 0 ? { state: "verifying" } : { state: "done", documentId: upload.done! };
  }

  content(uploadId: string): Uint8Array {
    const parts = this.uploads.get(uploadId)!.bytes;
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return all;
  }
}

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

function makeFile(size: number, name = "talk.mp4"): File {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) % 251;
  return new File([bytes], name, { type: "video/mp4", lastModified: 1_700_000_000_000 });
}

const target = { programId: "p1", spaceId: "m1" };
const noWait = async () => {};

describe("chunks and progress", () => {
  it("cuts the file into chunks from the offset and never past its end", () => {
    expect(chunkEnd(0, 10, 4)).toBe(4);
    expect(chunkEnd(8, 10, 4)).toBe(10);
    expect(chunkEnd(0, 3, 4)).toBe(3);
  });

  it("shows whole percentages that never pass 100", () => {
    expect(percentOf({ sent: 0, size: 0 })).toBe(0);
    expect(percentOf({ sent: 1, size: 3 })).toBe(33);
    expect(percentOf({ sent: 5, size: 3 })).toBe(100);
  });
});

describe("uploadFile", () => {
  it("sends every byte once, in chunks, with progress that only grows, and forgets the upload when done", async () => {
    const server = new FakeServer();
    const storage = memoryStorage();
    const store = storagePendingStore(storage);
    const file = makeFile(10_000);
    const seen: Progress[] = [];
    const id = await uploadFile(file, target, { transport: server, store, chunkBytes: 4096, onProgress: (p) => seen.push(p), sleep: noWait });
    expect(id).toBe("doc-u1");
    expect(server.sends.map((s) => [s.offset, s.length])).toEqual([
      [0, 4096],
      [4096, 4096],
      [8192, 1808],
    ]);
    expect(server.content("u1")).toEqual(new Uint8Array(await file.arrayBuffer()));
    const sent = seen.map((p) => p.sent);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    expect(seen.at(-1)).toMatchObject({ phase: "done", sent: 10_000 });
    expect(store.list()).toEqual([]);
    expect(storage.data.size).toBe(0);
  });

  it("after a dropped network and a reload, resumes from the server's offset with the same file chosen again", async () => {
    const server = new FakeServer();
    const storage = memoryStorage();
    const file = makeFile(10_000);
    server.dropAfter = 1; // the first chunk lands, then the network is gone
    server.storePartialOnDrop = 1000; // and part of the second chunk reached the server
    const first = uploadFile(file, target, { transport: server, store: storagePendingStore(storage), chunkBytes: 4096, retries: 0, sleep: noWait });
    await expect(first).rejects.toBeInstanceOf(UploadInterrupted);
    const kept = JSON.parse(storage.data.get("mentorship.pendingUploads")!);
    expect(kept).toEqual([expect.objectContaining({ uploadId: "u1", fingerprint: fingerprint(file), offset: 4096 })]);
    expect(JSON.stringify(kept)).not.toMatch(/token|bearer/i);

    // The page reloads: a new store over the same sessionStorage; the user picks the file
    // again; the server's offset (1000 bytes of the cut chunk landed) decides, not the record.
    server.dropAfter = Infinity;
    const store = storagePendingStore(storage);
    const again = new File([await file.arrayBuffer()], file.name, { type: file.type, lastModified: file.lastModified });
    expect(findPending(store, again, target)?.uploadId).toBe("u1");
    const before = server.sends.length;
    const id = await uploadFile(again, target, { transport: server, store, chunkBytes: 4096, sleep: noWait });
    expect(id).toBe("doc-u1");
    expect(server.sends.slice(before).map((s) => s.offset)).toEqual([5096, 9192]);
    expect(server.content("u1")).toEqual(new Uint8Array(await file.arrayBuffer()));
    expect(store.list()).toEqual([]);
  });

  it("retries a failed chunk from where the server is, within its retries", async () => {
    const server = new FakeServer();
    const store = storagePendingStore(memoryStorage());
    server.dropAfter = 1;
    server.storePartialOnDrop = 10;
    const file = makeFile(9000);
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      server.dropAfter = Infinity; // the network comes back during the wait
    };
    const id = await uploadFile(file, target, { transport: server, store, chunkBytes: 4096, sleep });
    expect(id).toBe("doc-u1");
    expect(waits).toEqual([1000]);
    expect(server.content("u1")).toEqual(new Uint8Array(await file.arrayBuffer()));
  });

  it("follows the offset of a 409 instead of failing", async () => {
    const server = new FakeServer();
    const store = storagePendingStore(memoryStorage());
    const file = makeFile(5000);
    await server.begin({ size: 5000 });
    store.put({ uploadId: "u1", fingerprint: fingerprint(file), name: file.name, size: 5000, programId: "p1", spaceId: "m1", offset: 0 });
    // The pending record says 0, HEAD said 0, but another tab stored 2048 in between.
    const transport: Transport = { ...server, offset: async () => 0, send: server.send.bind(server), finish: server.finish.bind(server), status: server.status.bind(server), begin: server.begin.bind(server) };
    const upload = server.uploads.get("u1")!;
    const data = new Uint8Array(await file.arrayBuffer());
    upload.bytes.push(data.slice(0, 2048));
    upload.offset = 2048;
    await uploadFile(file, target, { transport, store, chunkBytes: 4096, sleep: noWait });
    expect(server.content("u1")).toEqual(data);
  });

  it("starts again when the server no longer knows the pending upload", async () => {
    const server = new FakeServer();
    const store = storagePendingStore(memoryStorage());
    const file = makeFile(100);
    store.put({ uploadId: "gone", fingerprint: fingerprint(file), name: file.name, size: 100, programId: "p1", spaceId: "m1", offset: 50 });
    const id = await uploadFile(file, target, { transport: server, store, chunkBytes: 64, sleep: noWait });
    expect(id).toBe("doc-u1");
    expect(store.list()).toEqual([]);
  });

  it("does not resume another target's upload of the same file", async () => {
    const store = storagePendingStore(memoryStorage());
    const file = makeFile(100);
    store.put({ uploadId: "x", fingerprint: fingerprint(file), name: file.name, size: 100, programId: "p1", spaceId: "other", offset: 50 });
    expect(findPending(store, file, target)).toBeUndefined();
  });

  it("a pause (abort) keeps the pending upload", async () => {
    const server = new FakeServer();
    const store = storagePendingStore(memoryStorage());
    const controller = new AbortController();
    const file = makeFile(10_000);
    const transport: Transport = {
      ...server,
      begin: server.begin.bind(server),
      offset: server.offset.bind(server),
      finish: server.finish.bind(server),
      status: server.status.bind(server),
      send: async (uploadId, offset, chunk, onSent) => {
        const stored = await server.send(uploadId, offset, chunk, onSent);
        controller.abort();
        return stored;
      },
    };
    await expect(uploadFile(file, target, { transport, store, chunkBytes: 4096, signal: controller.signal, sleep: noWait })).rejects.toMatchObject({ name: "AbortError" });
    expect(store.list()).toEqual([expect.objectContaining({ uploadId: "u1", offset: 4096 })]);
  });

  it("a refused file is not retried and is forgotten", async () => {
    const server = new FakeServer();
    const store = storagePendingStore(memoryStorage());
    server.refuseAt = 0;
    await expect(uploadFile(makeFile(100), target, { transport: server, store, sleep: noWait })).rejects.toBeInstanceOf(Refused);
    expect(server.sends).toEqual([]);
    expect(store.list()).toEqual([]);
  });

  it("waits while the server verifies the stored bytes", async () => {
    const server = new FakeServer();
    server.verifyingPolls = 3;
    const phases: string[] = [];
    const id = await uploadFile(makeFile(10), target, { transport: server, store: storagePendingStore(memoryStorage()), onProgress: (p) => phases.push(p.phase), sleep: noWait });
    expect(id).toBe("doc-u1");
    expect(phases).toContain("verifying");
    expect(phases.at(-1)).toBe("done");
  });

  it("ignores a corrupt stored list", () => {
    const storage = memoryStorage();
    storage.setItem("mentorship.pendingUploads", "{not json");
    expect(storagePendingStore(storage).list()).toEqual([]);
  });
});
