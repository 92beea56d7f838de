// Where programs are published. The stream key is write-only: never shown, only "a key is
// stored"; typing a new one replaces it.
import { useEffect, useState } from "preact/hooks";
import type { Destination, DestinationInput, DestinationPatch, Platform, Problem } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { destinations, loadDestinations, outputs, removeFrom, upsert } from "../store";
import { can } from "../session";
import { errorFor, orNull } from "../lib/forms";
import { toast } from "../lib/toast";
import { useTitle } from "../lib/hooks";
import { Check, Confirm, Dialog, Empty, FormProblem, Loading, PageHeader, SelectField, TextField } from "../components/ui";
import { StateBadge } from "../components/StateBadge";

const PLATFORMS: Record<Platform, { label: string; url: string }> = {
  youtube: { label: "YouTube Live", url: "rtmps://a.rtmp.youtube.com:443/live2" },
  twitch: { label: "Twitch", url: "rtmps://live.twitch.tv:443/app" },
  facebook: { label: "Facebook Live (RTMPS only)", url: "rtmps://live-api-s.facebook.com:443/rtmp" },
  custom: { label: "Custom RTMP(S) server", url: "rtmp://host:1935/app" },
};
const FIELDS = ["name", "platform", "server_url", "stream_key", "enabled"];
/** A destination body with a platform named (the platform-less shape is not used here). */
type DestinationBody = Extract<DestinationInput, { platform: Platform }>;

function DestinationForm({ d, onDone }: { d?: Destination; onDone: () => void }) {
  const [name, setName] = useState(d?.name ?? "");
  const [platform, setPlatform] = useState<Platform>(d?.platform ?? "youtube");
  const [url, setUrl] = useState(d?.server_url ?? "");
  const [key, setKey] = useState("");
  const [removeKey, setRemoveKey] = useState(false);
  const [enabled, setEnabled] = useState(d?.enabled ?? true);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const err = (p: string) => errorFor(problem, p);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      let saved: Destination;
      if (d) {
        const patch: DestinationPatch = { name: name.trim(), platform, server_url: orNull(url), enabled };
        if (key !== "") patch.stream_key = key;
        else if (removeKey) patch.stream_key = null;
        saved = await unwrap(api.PATCH("/api/v1/destinations/{id}", { params: { path: { id: d.id } }, body: patch }));
      } else {
        // A platform needs its key, a custom server its URL (sent as typed: the server names
        // the field that is missing).
        const body: DestinationBody =
          platform === "custom"
            ? { name: name.trim(), platform, server_url: url.trim(), enabled, ...(key !== "" ? { stream_key: key } : {}) }
            : { name: name.trim(), platform, server_url: orNull(url), stream_key: key, enabled };
        saved = await unwrap(api.POST("/api/v1/destinations", { body }));
      }
      upsert(destinations, saved);
      toast(`${saved.name} saved`);
      onDone();
    } catch (er) {
      setProblem(problemOf(er));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="form" onSubmit={save} noValidate>
      <FormProblem problem={problem} fields={FIELDS} />
      <TextField label="Name" value={name} onValue={setName} error={err("name")} maxLength={100} required />
      <SelectField<Platform>
        label="Platform"
        value={platform}
        options={(Object.keys(PLATFORMS) as Platform[]).map((p) => ({ value: p, label: PLATFORMS[p].label }))}
        onValue={setPlatform}
        error={err("platform")}
      />
      <TextField
        label="Server URL"
        value={url}
        onValue={setUrl}
        error={err("server_url")}
        placeholder={PLATFORMS[platform].url}
        hint={platform === "custom" ? "rtmp:// or rtmps://, without the key." : "Leave empty for the platform's ingest."}
        spellcheck={false}
      />
      <TextField
        label="Stream key"
        type="password"
        value={key}
        onValue={setKey}
        error={err("stream_key")}
        autoComplete="off"
        disabled={removeKey}
        placeholder={d?.has_stream_key ? "A key is stored" : platform === "custom" ? "optional" : ""}
        hint={d?.has_stream_key ? "A key is stored and never shown. Type a new one to replace it." : "Stored encrypted; never shown again."}
      />
      {d?.has_stream_key && <Check label="Remove the stored key" checked={removeKey} onValue={setRemoveKey} />}
      <Check label="Enabled" checked={enabled} onValue={setEnabled} />
      {err("enabled") && <div class="field-error">{err("enabled")}</div>}
      <div class="row end">
        <button type="button" class="btn btn-ghost" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Saving…" : d ? "Save" : "Add destination"}
        </button>
      </div>
    </form>
  );
}

export function Destinations() {
  useTitle("Destinations");
  const list = destinations.value;
  const [editing, setEditing] = useState<Destination | "new" | null>(null);
  const [deleting, setDeleting] = useState<Destination | null>(null);
  const operator = can("operator");
  useEffect(() => {
    void loadDestinations().catch(() => undefined);
  }, []);

  const usage = (d: Destination) =>
    (outputs.value ?? []).flatMap((o) =>
      o.destination_ids.includes(d.id)
        ? [{ o, st: o.status.destinations.find((x) => x.destination_id === d.id) }]
        : [],
    );

  const remove = async (d: Destination) => {
    try {
      await unwrap(api.DELETE("/api/v1/destinations/{id}", { params: { path: { id: d.id } } }));
      removeFrom(destinations, d.id);
      toast(`${d.name} deleted`);
    } catch (e) {
      toast(`Delete ${d.name}: ${problemOf(e).detail}`, "error");
    } finally {
      setDeleting(null);
    }
  };

  return (
    <>
      <PageHeader title="Destinations" sub="Where outputs publish: YouTube, Twitch, Facebook or any RTMP(S) server.">
        {operator && (
          <button type="button" class="btn btn-primary" onClick={() => setEditing("new")}>
            Add destination
          </button>
        )}
      </PageHeader>
      {!list ? (
        <Loading />
      ) : list.length === 0 ? (
        <Empty>No destinations yet.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Platform</th>
                <th scope="col">Publishes to</th>
                <th scope="col">Key</th>
                <th scope="col">Used by</th>
                {operator && <th scope="col"><span class="visually-hidden">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.id}>
                  <td>
                    <strong>{d.name}</strong> {!d.enabled && <StateBadge state="disabled" />}
                  </td>
                  <td>{PLATFORMS[d.platform]?.label ?? d.platform}</td>
                  <td>
                    <code>{d.publish_url_masked}</code>
                  </td>
                  <td>{d.has_stream_key ? "A key is stored" : <span class="muted">No key</span>}</td>
                  <td>
                    {usage(d).length === 0 ? (
                      <span class="muted">—</span>
                    ) : (
                      usage(d).map(({ o, st }) => (
                        <div key={o.id}>
                          <a href={`/outputs/${o.id}`}>{o.name}</a> {st ? <StateBadge state={st.state} title={st.last_error} /> : <span class="muted small">idle</span>}
                        </div>
                      ))
                    )}
                  </td>
                  {operator && (
                    <td class="actions-cell">
                      <button type="button" class="btn btn-small" onClick={() => setEditing(d)} aria-label={`Edit ${d.name}`}>
                        Edit
                      </button>
                      <button type="button" class="btn btn-small btn-danger-outline" onClick={() => setDeleting(d)} aria-label={`Delete ${d.name}`}>
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={editing !== null} title={editing === "new" ? "Add a destination" : `Edit ${editing?.name ?? ""}`} onClose={() => setEditing(null)}>
        {editing !== null && <DestinationForm d={editing === "new" ? undefined : editing} onDone={() => setEditing(null)} />}
      </Dialog>
      <Confirm
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? ""}?`}
        message="Its stream key is removed too. A destination an output uses cannot be deleted."
        confirm="Delete"
        danger
        onConfirm={() => (deleting ? remove(deleting) : undefined)}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
