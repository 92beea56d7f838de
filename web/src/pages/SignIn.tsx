// Sign-in. The page stays at the address it was opened at, so after signing in the user is
// where they were (a session that ended mid-work comes back to the same page).
import { useState } from "preact/hooks";
import { signIn, signInNotice } from "../session";
import { problemOf } from "../api/client";
import { useTitle } from "../lib/hooks";

export function SignIn() {
  useTitle("Sign in");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username, password);
    } catch (err) {
      const p = problemOf(err);
      setError(p.status === 401 ? "Wrong username or password." : p.detail);
      setPassword("");
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="signin">
      <form class="signin-card login" onSubmit={submit} aria-describedby="signin-status">
        <div class="brand big">
          <span class="brand-mark" aria-hidden="true">▶</span> VistterStream
        </div>
        <h1>Sign in</h1>
        <p class="muted">{location.hostname} — operator's console</p>
        {signInNotice.value && !error && (
          <p class="alert alert-info" id="signin-status">
            {signInNotice.value}
          </p>
        )}
        {error && (
          <p class="alert alert-bad" role="alert" id="signin-status">
            {error}
          </p>
        )}
        <div class="field">
          <label for="username">Username</label>
          <input id="username" name="username" autoComplete="username" required autoFocus value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </div>
        <button class="btn btn-primary" type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
