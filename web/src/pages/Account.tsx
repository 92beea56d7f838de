// The signed-in user: who, which role, change the password.
import { useState } from "preact/hooks";
import type { Problem } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { me, role, signOut } from "../session";
import { errorFor } from "../lib/forms";
import { toast } from "../lib/toast";
import { dateTime } from "../lib/format";
import { useTitle } from "../lib/hooks";
import { FormProblem, PageHeader, TextField } from "../components/ui";

export function Account() {
  useTitle("Account");
  const user = me.value?.user;
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const mismatch = again !== "" && again !== next;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setProblem(null);
    try {
      await unwrap(api.POST("/api/v1/auth/password", { body: { current_password: current, new_password: next } }));
      toast("Password changed. Your other sessions have ended.");
      setCurrent("");
      setNext("");
      setAgain("");
    } catch (er) {
      setProblem(problemOf(er));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title="Account" />
      <div class="grid grid-system">
        <section class="panel" aria-labelledby="acc-who">
          <h2 id="acc-who">Signed in</h2>
          <dl class="kv">
            <dt>User</dt>
            <dd>{user?.username}</dd>
            <dt>Role</dt>
            <dd>
              {role.value}
              {me.value && user && me.value.effective_role !== user.role ? ` (capped from ${user.role})` : ""}
            </dd>
            <dt>Since</dt>
            <dd>{dateTime(user?.created_at)}</dd>
          </dl>
          <button type="button" class="btn" onClick={() => void signOut()}>
            Sign out
          </button>
        </section>
        <section class="panel" aria-labelledby="acc-pw">
          <h2 id="acc-pw">Change password</h2>
          <form class="form" onSubmit={submit} noValidate>
            <FormProblem problem={problem} fields={["current_password", "new_password"]} />
            <input type="text" name="username" autoComplete="username" value={user?.username ?? ""} hidden readOnly />
            <TextField label="Current password" type="password" value={current} onValue={setCurrent} error={errorFor(problem, "current_password")} autoComplete="current-password" />
            <TextField label="New password" type="password" value={next} onValue={setNext} error={errorFor(problem, "new_password")} autoComplete="new-password" hint="At least 8 characters." />
            <TextField label="New password again" type="password" value={again} onValue={setAgain} error={mismatch ? "The two new passwords differ." : undefined} autoComplete="new-password" />
            <div class="row end">
              <button type="submit" class="btn btn-primary" disabled={busy || mismatch || !current || !next}>
                {busy ? "Changing…" : "Change password"}
              </button>
            </div>
          </form>
        </section>
      </div>
    </>
  );
}
