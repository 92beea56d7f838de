// API tokens for automation and VistterStudio. The secret is shown once, right after
// creation; afterwards only its first characters identify it.
import { useState } from "preact/hooks";
import type { ApiToken, CreatedToken, Problem, Role } from "../api/types";
import { ROLES } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { can, me, role } from "../session";
import { errorFor, numOrNull } from "../lib/forms";
import { toast } from "../lib/toast";
import { dateTime } from "../lib/format";
import { useLoad, useTitle } from "../lib/hooks";
import { Confirm, Dialog, FormProblem, Loading, PageHeader, ProblemBox, SelectField, TextField, Empty } from "../components/ui";

function NewToken({ onCreated }: { onCreated: (t: CreatedToken) => void }) {
  const mine = role.value;
  const allowed = ROLES.slice(0, ROLES.indexOf(mine) + 1);
  const [name, setName] = useState("");
  const [tokenRole, setTokenRole] = useState<Role>(mine);
  const [days, setDays] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      onCreated(await unwrap(api.POST("/api/v1/tokens", { body: { name: name.trim(), role: tokenRole, expires_in_days: numOrNull(days) } })));
    } catch (er) {
      setProblem(problemOf(er));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit} noValidate>
      <FormProblem problem={problem} fields={["name", "role", "expires_in_days"]} />
      <TextField label="What it is for" value={name} onValue={setName} error={errorFor(problem, "name")} placeholder="VistterStudio" maxLength={100} />
      <SelectField<Role> label="Scope (at most your role)" value={tokenRole} options={allowed} onValue={setTokenRole} error={errorFor(problem, "role")} />
      <TextField label="Expires after (days)" value={days} onValue={setDays} error={errorFor(problem, "expires_in_days")} inputMode="numeric" hint="1–3650; empty: until revoked." />
      <div class="row end">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Creating…" : "Create token"}
        </button>
      </div>
    </form>
  );
}

export function Tokens() {
  useTitle("API tokens");
  const list = useLoad(() => unwrap(api.GET("/api/v1/tokens")), []);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const operator = can("operator");
  const admin = can("admin");

  const revoke = async (t: ApiToken) => {
    try {
      await unwrap(api.DELETE("/api/v1/tokens/{id}", { params: { path: { id: t.id } } }));
      toast(`${t.name} revoked`);
      await list.reload();
    } catch (e) {
      toast(`${t.name}: ${problemOf(e).detail}`, "error");
    } finally {
      setRevoking(null);
    }
  };
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      toast("Copied");
    } catch {
      toast("Copying is not allowed here: select the token and copy it.", "info");
    }
  };

  return (
    <>
      <PageHeader title="API tokens" sub="For scripts and VistterStudio: send as Authorization: Bearer <token>.">
        {operator && (
          <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
            New token
          </button>
        )}
      </PageHeader>
      {created && (
        <div class="alert alert-ok token-once" role="status">
          <p>
            <strong>{created.name}</strong>: copy the token now. It is not shown again.
          </p>
          <div class="row">
            <label class="visually-hidden" for="new-token">
              New token
            </label>
            <input id="new-token" class="mono" readOnly value={created.token} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" class="btn" onClick={() => void copy(created.token)}>
              Copy
            </button>
            <button type="button" class="btn btn-ghost" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      <ProblemBox problem={list.problem} onRetry={() => void list.reload()} />
      {!list.data ? (
        list.loading && <Loading />
      ) : list.data.length === 0 ? (
        <Empty>No tokens.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Scope</th>
                {admin && <th scope="col">Owner</th>}
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((t) => (
                <tr key={t.id} class={t.revoked_at ? "is-revoked" : ""}>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{t.role}</td>
                  {admin && <td>{t.user_id === me.value?.user.id ? "you" : `user ${t.user_id}`}</td>}
                  <td>{dateTime(t.created_at)}</td>
                  <td>{t.expires_at ? dateTime(t.expires_at) : "never"}</td>
                  <td>{t.last_used_at ? dateTime(t.last_used_at) : "never"}</td>
                  <td class="actions-cell">
                    {t.revoked_at ? (
                      <span class="muted small">revoked {dateTime(t.revoked_at)}</span>
                    ) : (
                      operator && (
                        <button type="button" class="btn btn-small btn-danger-outline" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                          Revoke
                        </button>
                      )
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={creating} title="New API token" onClose={() => setCreating(false)}>
        <NewToken
          onCreated={(t) => {
            setCreating(false);
            setCreated(t);
            void list.reload();
          }}
        />
      </Dialog>
      <Confirm
        open={revoking !== null}
        title={`Revoke ${revoking?.name ?? ""}?`}
        message="Whatever uses it stops working at once."
        confirm="Revoke"
        danger
        onConfirm={() => (revoking ? revoke(revoking) : undefined)}
        onClose={() => setRevoking(null)}
      />
    </>
  );
}
