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

export function AuthProvider({ manager, lang, children }: { manager: UserManager; lang: string; children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    const loaded = (u: User) => setUser(u);
    const gone = () => setUser(null);
    manager.events.addUserLoaded(loaded);
    manager.events.addUserUnloaded(gone);
    manager.events.addSilentRenewError(gone);
    let cancelled = false;
    (async () => {
      try {
        if (window.location.pathname === "/callback") {
          const u = await manager.signinRedirectCallback();
          const back = (u.state as string | undefined) ?? "/";
          window.history.replaceState(null, "", back);
          if (!cancelled) setUser(u);
        } else {
          // A reload: the token was in memory only; the issuer's session renews it.
          const u = await manager.signinSilent().catch(() => null);
          if (!cancelled) setUser(u);
        }
      } finally {
        if (!cancelled) setReady(true);
      }
    })();
    return () => {
      cancelled = true;
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
