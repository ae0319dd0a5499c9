// Queries shared by several screens (TanStack Query caches them by key).
import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { matching, ok, profiles } from "../api/client";

export function useProgramId(): string {
  const { programId } = useParams();
  return programId ?? "";
}

export function useProgram(programId: string) {
  return useQuery({
    queryKey: ["program", programId],
    queryFn: () => ok(profiles.GET("/v1/programs/{program_id}", { params: { path: { program_id: programId } } })),
    enabled: !!programId,
  });
}

/** My membership in the program; null when I am not a member (404). */
export function useMyMember(programId: string) {
  return useQuery({
    queryKey: ["me", programId],
    queryFn: async () => {
      const { data, response } = await profiles.GET("/v1/programs/{program_id}/members/me", {
        params: { path: { program_id: programId } },
      });
      if (response.status === 404) return null;
      if (!data) throw new Error(`${response.status}`);
      return data;
    },
    enabled: !!programId,
  });
}

/** My active mentorships in the program (home, chat, calendar and documents list them). */
export function useActiveMatches(programId: string, enabled = true) {
  return useQuery({
    queryKey: ["matches", programId],
    queryFn: () =>
      ok(matching.GET("/v1/programs/{program_id}/matches", { params: { path: { program_id: programId }, query: { status: "active" } } })),
    enabled,
  });
}

export function useMemberships() {
  return useQuery({ queryKey: ["memberships"], queryFn: () => ok(profiles.GET("/v1/me/memberships")) });
}

export function useMentorCard(programId: string, mentorId: string) {
  return useQuery({
    queryKey: ["mentor", programId, mentorId],
    queryFn: () =>
      ok(
        matching.GET("/v1/programs/{program_id}/mentors/{mentor_id}", {
          params: { path: { program_id: programId, mentor_id: mentorId } },
        }),
      ),
    enabled: !!programId && !!mentorId,
  });
}

/** Is the signed-in person an admin of this program (an org admin, or the program's admin role)? */
export function useIsProgramAdmin(programId: string, isOrgAdmin: boolean): boolean {
  const me = useMyMember(programId);
  return isOrgAdmin || !!me.data?.roles.includes("admin");
}
