// Sign-in with OIDC authorization code + PKCE (oidc-client-ts). Tokens live in memory only:
// a reload renews them silently through the issuer's own session (prompt=none in a hidden
// iframe on the same origin), so nothing a script could steal sits in localStorage.
import { InMemoryWebStorage, UserManager, WebStorageStateStore, type User } from "oidc-client-ts";

export interface AppConfig {
  oidc: { authority: string; client_id: string };
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  return (await response.json()) as AppConfig;
}

export function absolute(pathOrUrl: string): string {
  return new URL(pathOrUrl, window.location.origin).toString();
}

export function createUserManager(config: AppConfig): UserManager {
  const memory = new InMemoryWebStorage();
  return new UserManager({
    authority: absolute(config.oidc.authority),
    client_id: config.oidc.client_id,
    redirect_uri: absolute("/callback"),
    silent_redirect_uri: absolute("/silent-callback.html"),
    post_logout_redirect_uri: absolute("/"),
    response_type: "code",
    scope: "openid profile",
    userStore: new WebStorageStateStore({ store: memory }),
    // The PKCE verifier and state must survive the redirect to the issuer and back; they
    // are one-use and worthless without the code, so session storage is enough for them.
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: true,
    silentRequestTimeoutInSeconds: 5,
    loadUserInfo: false,
  });
}

export interface Identity {
  userId: string;
  tenantId: string;
  name: string;
  roles: string[];
  isOrgAdmin: boolean;
}

export function identityOf(user: User): Identity {
  const p = user.profile as Record<string, unknown>;
  const roles = Array.isArray(p.roles) ? (p.roles as string[]) : [];
  return {
    userId: String(p.sub),
    tenantId: String(p.tenant_id ?? ""),
    name: String(p.name ?? p.sub),
    roles,
    isOrgAdmin: roles.includes("org_admin"),
  };
}
