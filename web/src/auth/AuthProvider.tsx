import type { User, UserManager } from "oidc-client-ts";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { identityOf, type Identity } from "./oidc";

interface AuthState {
  user: User | null;
  identity: Identity | null;
  ready: boolean;
  signIn: (returnTo?: string) => Promise<void>;
  signOut: () => Promise<void>;
  token: () => string | null;
}

const AuthContext = createContext<AuthState | null>(null);

/** Finish a sign-in redirect, or renew silently after a reload; before the app renders,
 * so the one-use code is exchanged exactly once. */
export async function restoreSession(manager: UserManager): Promise<User | null> {
  if (window.location.pathname === "/callback") {
    try {
      const user = await manager.signinRedirectCallback();
      const back = typeof user.state === "string" && user.state.startsWith("/") ? user.state : "/";
      window.history.replaceState(null, "", back);
      return user;
    } catch {
      window.history.replaceState(null, "", "/");
      return null;
    }
  }
  // A reload: the token was in memory only; the issuer's session renews it.
  return manager.signinSilent().catch(() => null);
}

export function AuthProvider({ manager, lang, initialUser, children }: { manager: UserManager; lang: string; initialUser: User | null; children: ReactNode }) {
  const [user, setUser] = useState<User | null>(initialUser);
  const ready = true;

  useEffect(() => {
    const loaded = (u: User) => setUser(u);
    const gone = () => setUser(null);
    manager.events.addUserLoaded(loaded);
    manager.events.addUserUnloaded(gone);
    manager.events.addSilentRenewError(gone);
    return () => {
      manager.events.removeUserLoaded(loaded);
      manager.events.removeUserUnloaded(gone);
      manager.events.removeSilentRenewError(gone);
    };
  }, [manager]);

  const signIn = useCallback(
    (returnTo?: string) =>
      manager.signinRedirect({
        state: returnTo ?? window.location.pathname + window.location.search,
        ui_locales: lang,
      }),
    [manager, lang],
  );
  const signOut = useCallback(async () => {
    await manager.removeUser();
    await manager.signoutRedirect();
  }, [manager]);
  const value = useMemo<AuthState>(
    () => ({
      user,
      identity: user ? identityOf(user) : null,
      ready,
      signIn,
      signOut,
      token: () => user?.access_token ?? null,
    }),
    [user, ready, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error("useAuth outside AuthProvider");
  return state;
}
