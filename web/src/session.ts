// Who is signed in, with which role. The session itself is the HttpOnly cookie the server
// sets at sign-in; this module only knows whether it still works (GET /auth/me).
import { computed, signal } from "@preact/signals";
import { api, onUnauthorized, unwrap } from "./api/client";
import type { Me, Role } from "./api/types";

export type AuthPhase = "checking" | "signed-out" | "signed-in";

export const me = signal<Me | null>(null);
export const phase = signal<AuthPhase>("checking");
/** Why the sign-in page is shown (session expired, signed out, …). */
export const signInNotice = signal<string>("");

export const role = computed<Role>(() => me.value?.effective_role ?? "viewer");

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether the signed-in user's role includes `needed`. */
export function can(needed: Role): boolean {
  return me.value !== null && RANK[role.value] >= RANK[needed];
}

onUnauthorized(() => {
  if (phase.value === "signed-in") {
    signInNotice.value = "Your session has ended. Sign in again to carry on where you were.";
    me.value = null;
    phase.value = "signed-out";
  }
});

export async function checkSession(): Promise<void> {
  const { data, response } = await api.GET("/api/v1/auth/me").catch(() => ({
    data: undefined,
    response: undefined,
  }));
  if (data) {
    me.value = data;
    phase.value = "signed-in";
  } else {
    me.value = null;
    phase.value = "signed-out";
    if (response && response.status !== 401) {
      signInNotice.value = `The appliance answered ${response.status}; sign in to retry.`;
    } else if (!response) {
      signInNotice.value = "The appliance cannot be reached right now.";
    }
  }
}

export async function signIn(username: string, password: string): Promise<void> {
  await unwrap(api.POST("/api/v1/auth/login", { body: { username, password } }));
  const current = await unwrap(api.GET("/api/v1/auth/me"));
  me.value = current;
  signInNotice.value = "";
  phase.value = "signed-in";
}

export async function signOut(): Promise<void> {
  await api.POST("/api/v1/auth/logout").catch(() => undefined);
  me.value = null;
  signInNotice.value = "You have signed out.";
  phase.value = "signed-out";
}
