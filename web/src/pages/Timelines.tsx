// Every timeline: its length, whether it loops and whether it runs (live from the event
// stream); create, copy, delete, import (our export or the existing system's JSON, with
// what the import changed) and export.
import { useEffect, useState } from "preact/hooks";
import type { Imported, Problem, Timeline, TimelineStatus } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { outputName } from "../store";
import { onResync, timelinePositions } from "../events";
import { navigate } from "../router";
import { can } from "../session";
import { errorFor, fieldErrors } from "../lib/forms";
import { useTitle } from "../lib/hooks";
import { toast } from "../lib/toast";
import { seconds } from "../lib/timeline";
import { StateBadge } from "../components/StateBadge";
import { Check, Confirm, Dialog, Empty, FormProblem, Loading, PageHeader, ProblemBox, TextField } from "../components/ui";

export function download(name: string, data: unknown): void {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const fileName = (name: string) => `timeline-${name.replace(/[^\w.-]+/g, "_")}.json`;

function NewTimeline({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState("");
  const [duration, setDuration] = useState("60");
  const [loop, setLoop] = useState(true);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const t = await unwrap(api.POST("/api/v1/timelines", { body: { name: name.trim(), duration_s: Number(duration.trim().replace(",", ".")) || 0, loop, tracks: [] } }));
      toast(`${t.name} created`);
      onClose();
      navigate(`/timelines/${t.id}`);
    } catch (er) {
      setProblem(problemOf(er));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit} noValidate>
      <FormProblem problem={problem} fields={["name", "duration_s", "loop"]} />
      <TextField label="Name" value={name} onValue={setName} error={errorFor(problem, "name")} maxLength={100} required autoFocus />
      <TextField label="Duration (s)" value={duration} onValue={setDuration} inputMode="decimal" hint="How long one pass lasts, up to 86400 s" error={errorFor(problem, "duration_s")} />
      <Check label="Loop (start again at the end)" checked={loop} onValue={setLoop} />
      <div class="row end">
        <button type="button" class="btn btn-ghost" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Creating…" : "Create timeline"}
        </button>
      </div>
    </form>
  );
}

function ImportTimeline({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const [text, setText] = useState("");
  const [fileNote, setFileNote] = useState<string | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [result, setResult] = useState<Imported | null>(null);
  const [busy, setBusy] = useState(false);

  const pick = async (file: File | undefined) => {
    setParseError(null);
    setFileNote(null);
    if (!file) return;
    setText(await file.text());
    setFileNote(`${file.name} loaded below.`);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    setParseError(null);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (er) {
      setParseError(`Not JSON: ${er instanceof Error ? er.message : String(er)}`);
      return;
    }
    setBusy(true);
    try {
      const r = await unwrap(api.POST("/api/v1/timelines/import", { body: { timeline: doc as Record<string, never> } }));
      setResult(r);
      onDone();
    } catch (er) {
      setProblem(problemOf(er));
    } finally {
      setBusy(false);
    }
  };

  if (result) {
    return (
      <div class="form">
        <p role="status">
          Imported as <strong>{result.timeline.name}</strong>.
        </p>
        {result.notes.length > 0 ? (
          <>
            <h3>What the import changed or left out</h3>
            <ul class="import-notes small">
              {result.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          </>
        ) : (
          <p class="muted">Nothing was changed or left out.</p>
        )}
        <div class="row end">
          <button type="button" class="btn btn-ghost" onClick={onClose}>
            Close
          </button>
          <a class="btn btn-primary" href={`/timelines/${result.timeline.id}`} onClick={onClose}>
            Open {result.timeline.name}
          </a>
        </div>
      </div>
    );
  }
  const errs = fieldErrors(problem);
  return (
    <form class="form" onSubmit={submit} noValidate>
      <p class="muted small">
        A timeline exported from an appliance, or the existing system's timeline JSON. Cameras, presets and assets are matched by name; the import is stored under a free name.
      </p>
      <div class="field">
        <label for="tl-import-file">Timeline file (JSON)</label>
        <input id="tl-import-file" type="file" accept="application/json,.json" onChange={(e) => void pick(e.currentTarget.files?.[0])} />
        {fileNote && <div class="hint">{fileNote}</div>}
      </div>
      <div class={`field ${parseError ? "has-error" : ""}`}>
        <label for="tl-import-text">Or paste it</label>
        <textarea
          id="tl-import-text"
          rows={10}
          spellcheck={false}
          value={text}
          aria-invalid={parseError ? true : undefined}
          aria-describedby={parseError ? "tl-import-parse" : undefined}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        {parseError && (
          <div class="field-error" id="tl-import-parse">
            {parseError}
          </div>
        )}
      </div>
      {problem && (
        <div class="alert alert-bad" role="alert">
          <strong>{problem.title}</strong>
          {errs.length ? (
            <ul class="small">
              {errs.map((x) => (
                <li key={x.field + x.message}>
                  <code>{x.field}</code>: {x.message}
                </li>
              ))}
            </ul>
          ) : (
            <span> — {problem.detail}</span>
          )}
        </div>
      )}
      <div class="row end">
        <button type="button" class="btn btn-ghost" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary" disabled={busy || !text.trim()}>
          {busy ? "Importing…" : "Import"}
        </button>
      </div>
    </form>
  );
}

export function Timelines() {
  useTitle("Timelines");
  const operator = can("operator");
  const [list, setList] = useState<Timeline[] | null>(null);
  const [statuses, setStatuses] = useState<ReadonlyMap<number, TimelineStatus>>(new Map());
  const [fetchedAt, setFetchedAt] = useState(0);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [dialog, setDialog] = useState<"new" | "import" | null>(null);
  const [deleting, setDeleting] = useState<Timeline | null>(null);

  const load = async () => {
    try {
      const all = await unwrap(api.GET("/api/v1/timelines"));
      const at = performance.now();
      const sts = await Promise.all(
        all.map((t) => unwrap(api.GET("/api/v1/timelines/{id}/status", { params: { path: { id: t.id } } })).catch(() => null)),
      );
      setList(all);
      setStatuses(new Map(sts.filter((s): s is TimelineStatus => s !== null).map((s) => [s.timeline_id, s])));
      setFetchedAt(at);
      setProblem(null);
    } catch (e) {
      setProblem(problemOf(e));
    }
  };
  useEffect(() => {
    void load();
    return onResync(() => void load());
  }, []);

  const copy = async (t: Timeline) => {
    try {
      const c = await unwrap(api.POST("/api/v1/timelines/{id}/copy", { params: { path: { id: t.id } } }));
      toast(`Copied as ${c.name}`);
      await load();
    } catch (e) {
      toast(`Copy ${t.name}: ${problemOf(e).detail}`, "error");
    }
  };
  const exportOne = async (t: Timeline) => {
    try {
      download(fileName(t.name), await unwrap(api.GET("/api/v1/timelines/{id}/export", { params: { path: { id: t.id } } })));
    } catch (e) {
      toast(`Export ${t.name}: ${problemOf(e).detail}`, "error");
    }
  };
  const remove = async (t: Timeline) => {
    try {
      await unwrap(api.DELETE("/api/v1/timelines/{id}", { params: { path: { id: t.id } } }));
      toast(`${t.name} deleted`);
      await load();
    } catch (e) {
      toast(`Delete ${t.name}: ${problemOf(e).detail}`, "error");
    } finally {
      setDeleting(null);
    }
  };

  // The state: the status fetched with the list, or a newer position from the events.
  const positions = timelinePositions.value;
  const stateOf = (t: Timeline): { state: string; output: number | null } => {
    const live = positions.get(t.id);
    if (live && live.received > fetchedAt) return { state: live.position.state, output: live.position.output_id };
    const s = statuses.get(t.id);
    const on = s && s.state !== "stopped";
    return { state: s?.state ?? "stopped", output: on ? s.position?.output_id ?? s.run?.output_id ?? null : null };
  };
  const cueCount = (t: Timeline) => t.tracks.reduce((n, tr) => n + tr.cues.length, 0);

  return (
    <>
      <PageHeader title="Timelines" sub="Shows on one clock: camera cues with cuts, fades and dips to black, and overlay cues.">
        {operator && (
          <>
            <button type="button" class="btn btn-primary" onClick={() => setDialog("new")}>
              New timeline
            </button>
            <button type="button" class="btn" onClick={() => setDialog("import")}>
              Import
            </button>
          </>
        )}
      </PageHeader>
      <ProblemBox problem={problem} onRetry={() => void load()} />
      {!list ? (
        !problem && <Loading />
      ) : list.length === 0 ? (
        <Empty>No timelines yet.{operator ? " Create one, then drag cameras onto its tracks." : ""}</Empty>
      ) : (
        <div class="table-wrap">
          <table class="tl-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Duration</th>
                <th scope="col">Loop</th>
                <th scope="col">Cues</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((t) => {
                const st = stateOf(t);
                return (
                  <tr key={t.id} data-timeline={t.id}>
                    <td>
                      <a href={`/timelines/${t.id}`}>
                        <strong>{t.name}</strong>
                      </a>
                      {t.description && <div class="muted small">{t.description}</div>}
                      {t.warnings.length > 0 && <div class="small warn-text">{t.warnings.length} warning{t.warnings.length === 1 ? "" : "s"}</div>}
                    </td>
                    <td>{seconds(t.duration_s)}</td>
                    <td>{t.loop ? "Loops" : "Once"}</td>
                    <td>{cueCount(t)}</td>
                    <td class="tl-state">
                      <StateBadge state={st.state} />
                      {st.output != null && <span class="small"> on {outputName(st.output)}</span>}
                    </td>
                    <td class="actions-cell">
                      <a class="btn btn-small" href={`/timelines/${t.id}`} aria-label={`${operator ? "Edit" : "Open"} ${t.name}`}>
                        {operator ? "Edit" : "Open"}
                      </a>
                      <button type="button" class="btn btn-small" aria-label={`Export ${t.name}`} onClick={() => void exportOne(t)}>
                        Export
                      </button>
                      {operator && (
                        <>
                          <button type="button" class="btn btn-small" aria-label={`Copy ${t.name}`} onClick={() => void copy(t)}>
                            Copy
                          </button>
                          <button type="button" class="btn btn-small btn-danger-outline" aria-label={`Delete ${t.name}`} onClick={() => setDeleting(t)}>
                            Delete
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={dialog === "new"} title="New timeline" onClose={() => setDialog(null)}>
        {dialog === "new" && <NewTimeline onClose={() => setDialog(null)} />}
      </Dialog>
      <Dialog open={dialog === "import"} title="Import a timeline" onClose={() => setDialog(null)} wide>
        {dialog === "import" && <ImportTimeline onClose={() => setDialog(null)} onDone={() => void load()} />}
      </Dialog>
      <Confirm
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? ""}?`}
        message="A timeline a schedule plays cannot be deleted; a running one is stopped."
        confirm="Delete"
        danger
        onConfirm={() => (deleting ? remove(deleting) : undefined)}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
