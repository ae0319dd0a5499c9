import { useQuery } from "@tanstack/react-query";
import { ok, profiles } from "../api/client";

/** A member's display name as the program lets me see it (falls back to the id). */
export function useMemberName(programId: string, memberId: string) {
  return useQuery({
    queryKey: ["member", programId, memberId],
    queryFn: () =>
      ok(
        profiles.GET("/v1/programs/{program_id}/members/{member_id}", {
          params: { path: { program_id: programId, member_id: memberId } },
        }),
      ),
    enabled: !!memberId,
    staleTime: 60_000,
    select: (m) => (m.profile.display_name as string | undefined) ?? memberId,
  });
}

export function MemberName({ programId, memberId }: { programId: string; memberId: string }) {
  const name = useMemberName(programId, memberId);
  return <>{name.data ?? memberId}</>;
}
