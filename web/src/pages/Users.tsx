// Users and their roles (admin only). The last active admin cannot be demoted, disabled or
// deleted: the server says so (409) and the message is shown.
import { useState } from "preact/hooks";
import type { Problem, Role, User } from "../api/types";
import { ROLES } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { me } from "../session";
import { errorFor } from "../lib/forms";
import { toast } from "../lib/toast";
import { dateTime } from "../lib/format";
import { useLoad, useTitle } from "../lib/hooks";
import { Confirm, Dialog, FormProblem, Loading, PageHeader, ProblemBox, SelectField, TextField } from "../components/ui";

const ROLE_HINT: Record<Role, string> = {
  viewer: "sees everything, changes nothing",
  operator: "runs the show: cameras, outputs, destinations",
  admin: "also users, every token, the audit log",
};

function NewUser({ onDone }: { onDone: () => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("operator");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const u = await unwrap(api.POST("/api/v1/users", { body: { username: username.trim(), password, role } }));
      toast(`${u.username} created`);
      onDone();
    } catch (er) {
      setProblem(problemOf(er));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit} noValidate>
      <FormProblem problem={problem} fields={["username", "password", "role"]} />
      <TextField label="Username" value={username} onValue={setUsername} error={errorFor(problem, "username")} hint="3–50: letters, digits, . _ -" autoComplete="off" />
      <TextField label="Password" type="password" value={password} onValue={setPassword} error={errorFor(problem, "password")} hint="At least 8 characters." autoComplete="new-password" />
      <SelectField<Role> label="Role" value={role} options={ROLES.map((r) => ({ value: r, label: `${r} — ${ROLE_HINT[r]}` }))} onValue={setRole} error={errorFor(problem, "role")} />
      <div class="row end">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Creating…" : "Create user"}
        </button>
      </div>
    </form>
  );
}

function ResetPassword({ user, onDone }: { user: User; onDone: () => void }) {
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    try {
      await unwrap(api.PATCH("/api/v1/users/{id}", { params: { path: { id: user.id } }, body: { password } }));
      toast(`Password of ${user.username} changed`);
      onDone();
    } catch (er) {
      setProblem(problemOf(er));
    }
  };
  return (
    <form class="form" onSubmit={submit} noValidate>
      <FormProblem problem={problem} fields={["password"]} />
      <TextField label={`New password for ${user.username}`} type="password" value={password} onValue={setPassword} error={errorFor(problem, "password")} autoComplete="new-password" hint="At least 8 characters." />
      <div class="row end">
        <button type="submit" class="btn btn-primary">
          Set password
        </button>
      </div>
    </form>
  );
}

export function Users() {
  useTitle("Users");
  const list = useLoad(() => unwrap(api.GET("/api/v1/users")), []);
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const self = me.value?.user.id;

  const patch = async (u: User, body: { role?: Role; disabled?: boolean }) => {
    try {
      const saved = await unwrap(api.PATCH("/api/v1/users/{id}", { params: { path: { id: u.id } }, body }));
      list.set((list.data ?? []).map((x) => (x.id === u.id ? saved : x)));
      toast(`${u.username} updated`);
    } catch (e) {
      toast(`${u.username}: ${problemOf(e).detail}`, "error");
      void list.reload();
    }
  };
  const remove = async (u: User) => {
    try {
      await unwrap(api.DELETE("/api/v1/users/{id}", { params: { path: { id: u.id } } }));
      list.set((list.data ?? []).filter((x) => x.id !== u.id));
      toast(`${u.username} deleted`);
    } catch (e) {
      toast(`${u.username}: ${problemOf(e).detail}`, "error");
    } finally {
      setDeleting(null);
    }
  };

  return (
    <>
      <PageHeader title="Users" sub="Who may sign in, and what they may do.">
        <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
          Add user
        </button>
      </PageHeader>
      <ProblemBox problem={list.problem} onRetry={() => void list.reload()} />
      {!list.data ? (
        list.loading && <Loading />
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((u) => (
                <tr key={u.id}>
                  <td>
                    <strong>{u.username}</strong> {u.id === self && <span class="muted small">(you)</span>}
                  </td>
                  <td>
                    <label class="visually-hidden" for={`role-${u.id}`}>
                      Role of {u.username}
                    </label>
                    <select id={`role-${u.id}`} value={u.role} onChange={(e) => void patch(u, { role: e.currentTarget.value as Role })}>
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>{u.disabled ? <span class="badge badge-idle">disabled</span> : <span class="badge badge-ok">active</span>}</td>
                  <td>{dateTime(u.created_at)}</td>
                  <td class="actions-cell">
                    <button type="button" class="btn btn-small" onClick={() => void patch(u, { disabled: !u.disabled })}>
                      {u.disabled ? "Enable" : "Disable"}
                    </button>
                    <button type="button" class="btn btn-small" onClick={() => setResetting(u)}>
                      Set password
                    </button>
                    <button type="button" class="btn btn-small btn-danger-outline" onClick={() => setDeleting(u)} aria-label={`Delete ${u.username}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={creating} title="Add a user" onClose={() => setCreating(false)}>
        <NewUser
          onDone={() => {
            setCreating(false);
            void list.reload();
          }}
        />
      </Dialog>
      <Dialog open={resetting !== null} title="Set a password" onClose={() => setResetting(null)}>
        {resetting && <ResetPassword user={resetting} onDone={() => setResetting(null)} />}
      </Dialog>
      <Confirm
        open={deleting !== null}
        title={`Delete ${deleting?.username ?? ""}?`}
        message="Their sessions end at once. Their API tokens stop working."
        confirm="Delete user"
        danger
        onConfirm={() => (deleting ? remove(deleting) : undefined)}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
