import { describe, expect, it } from "vitest";
import { mergeMessages } from "./chat";

const message = (id: string, number: number, body = id) => ({
  id,
  conversation_id: "c",
  number,
  sender: "u",
  body,
  html: null,
  thread_root: null,
  mentions: [],
  attachments: [],
  reactions: {},
  sent_at: "2026-12-02T00:00:00Z",
  edited_at: null,
  state: "visible" as const,
});

describe("mergeMessages", () => {
  it("orders by number and keeps one copy of a repeated message (the newest version)", () => {
    const merged = mergeMessages([message("b", 2), message("a", 1)], [message("b", 2, "edited"), message("c", 3)]);
    expect(merged.map((m) => m.id)).toEqual(["a", "b", "c"]);
    expect(merged[1]!.body).toBe("edited");
  });
});
