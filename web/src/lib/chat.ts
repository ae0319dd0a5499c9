// The chat socket: one per tab, every conversation of the member, resumable by position.
// It reconnects with backoff from the last position it saw (no message lost); when the
// server no longer keeps that position (4410) the caller reloads over HTTP and it starts
// afresh.
import type { Msg } from "../api/client";

export type ChatFrame =
  | { type: "event"; position: number; kind: string; conversation_id: string; message?: Msg["MessageOut"] | null; user_id?: string; up_to?: number }
  | { type: "typing"; conversation_id: string; user_id: string }
  | { type: "live" | "ping" | "pong" | "error"; [key: string]: unknown };

export interface ChatHandlers {
  onFrame: (frame: ChatFrame) => void;
  onStatus: (status: "connecting" | "live" | "offline") => void;
  onReset: () => void;
}

export class ChatSocket {
  private ws: WebSocket | null = null;
  private position: number | null = null;
  private attempts = 0;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly url: string,
    private readonly token: () => string | null,
    private readonly handlers: ChatHandlers,
  ) {}

  start(): void {
    this.closed = false;
    this.connect();
  }

  stop(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close(1000);
  }

  typing(conversationId: string): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "typing", conversation_id: conversationId }));
  }

  private connect(): void {
    const token = this.token();
    if (!token || this.closed) return;
    this.handlers.onStatus("connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: "hello", token, after: this.position }));
    ws.onmessage = (e) => {
      const frame = JSON.parse(String(e.data)) as ChatFrame;
      if (frame.type === "ping") ws.send(JSON.stringify({ type: "pong" }));
      if (frame.type === "live") {
        this.attempts = 0;
        this.handlers.onStatus("live");
      }
      if (frame.type === "event") this.position = Math.max(this.position ?? 0, frame.position);
      this.handlers.onFrame(frame);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.handlers.onStatus("offline");
      if (e.code === 4410) {
        this.position = null;
        this.handlers.onReset();
      }
      if (this.closed) return;
      this.attempts += 1;
      this.timer = setTimeout(() => this.connect(), Math.min(10_000, 500 * 2 ** Math.min(this.attempts, 5)));
    };
  }
}

/** Messages by number, newest last, without duplicates (a resumed socket may repeat). */
export function mergeMessages(current: Msg["MessageOut"][], incoming: Msg["MessageOut"][]): Msg["MessageOut"][] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.number - b.number);
}
