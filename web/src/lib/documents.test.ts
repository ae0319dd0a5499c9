import { describe, expect, it } from "vitest";
import { conversationOf, edgeUrl, formatBytes, formatDuration, kindOf, matchOfConversation } from "./documents";

describe("documents helpers", () => {
  it("picks the viewer from the stored type", () => {
    expect(kindOf("application/pdf")).toBe("pdf");
    expect(kindOf("image/png")).toBe("image");
    expect(kindOf("video/mp4")).toBe("video");
    expect(kindOf("audio/mpeg; codecs=mp3")).toBe("audio");
    expect(kindOf("application/zip")).toBe("other");
    expect(kindOf(undefined)).toBe("other");
  });

  it("finds a mentorship's conversation and back", () => {
    const matches = [{ match_id: "a" }, { match_id: "b", group_id: "g1" }];
    expect(conversationOf(matches[0]!)).toBe("m-a");
    expect(conversationOf(matches[1]!)).toBe("g-g1");
    expect(matchOfConversation("g-g1", matches)?.match_id).toBe("b");
    expect(matchOfConversation("m-zzz", matches)).toBeUndefined();
  });

  it("writes sizes and durations for people", () => {
    expect(formatBytes(512, "en")).toBe("512 B");
    expect(formatBytes(1536, "en")).toBe("1.5 KB");
    expect(formatBytes(12_345_678, "fr")).toBe("12,3 Mo");
    expect(formatDuration(75.4)).toBe("1:15");
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(formatDuration(null)).toBe("");
  });

  it("puts the service's link behind the edge", () => {
    expect(edgeUrl("/v1/links/abc")).toBe("/api/documents/v1/links/abc");
    expect(edgeUrl("/api/documents/v1/links/abc")).toBe("/api/documents/v1/links/abc");
  });
});
