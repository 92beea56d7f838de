// A PTZ camera's presets: capture the current position, go to one (with the settle time),
// test (go, settle, new thumbnail), rename, delete, and export/import them as JSON.
import { useState } from "preact/hooks";
import type { MoveOutcome, Preset, PresetExport, Problem } from "../api/types";
import { api, ApiError, problemOf, unwrap } from "../api/client";
import { errorFor } from "../lib/forms";
import { useLoad } from "../lib/hooks";
import { toast } from "../lib/toast";
import { BlobImage } from "./BlobImage";
import { Check, Confirm, Dialog, Empty, FormProblem, Loading, ProblemBox, TextField } from "./ui";

function outcomeText(o: MoveOutcome): string {
  const how = o.method === "preset_token" ? "camera preset" : o.method ?? "move";
  if (o.settled) return `Settled in ${o.elapsed_ms} ms (${how})`;
  if (o.timed_out) return `Still moving after ${o.elapsed_ms} ms (timed out)`;
  return `Done in ${o.elapsed_ms} ms (${how}, not confirmed settled)`;
}

function download(name: string, data: unknown): void {
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

interface CardProps {
  p: Preset;
  operator: boolean;
  onChanged: () => void;
}

function PresetCard({ p, operator, onChanged }: CardProps) {
  const [busy, setBusy] = useState<"goto" | "test" | "rename" | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [version, setVersion] = useState(0);
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(p.name);
  const [renameProblem, setRenameProblem] = useState<Problem | null>(null);
  const [confirm, setConfirm] = useState<"delete" | "force" | null>(null);
  const params = { params: { path: { id: p.id } } };

  const act = async (kind: "goto" | "test") => {
    setBusy(kind);
    setResult(null);
    setFailed(false);
    try {
      if (kind === "goto") {
        setResult(outcomeText(await unwrap(api.POST("/api/v1/presets/{id}/goto", params))));
      } else {
        const t = await unwrap(api.POST("/api/v1/presets/{id}/test", params));
        setResult(`${outcomeText(t.outcome)}${t.thumbnail_url ? "; new thumbnail taken" : "; no picture for a thumbnail"}`);
        setVersion((v) => v + 1);
      }
    } catch (e) {
      setFailed(true);
      setResult(problemOf(e).detail);
    } finally {
      setBusy(null);
    }
  };

  const rename = async (e: Event) => {
    e.preventDefault();
    setBusy("rename");
    setRenameProblem(null);
    try {
      await unwrap(api.PATCH("/api/v1/presets/{id}", { ...params, body: { name: name.trim() } }));
      setRenaming(false);
      onChanged();
    } catch (er) {
      setRenameProblem(problemOf(er));
    } finally {
      setBusy(null);
    }
  };

  const remove = async (force: boolean) => {
    try {
      await unwrap(api.DELETE("/api/v1/presets/{id}", { params: { path: { id: p.id }, query: force ? { force: true } : {} } }));
      toast(`Preset ${p.name} deleted`);
      setConfirm(null);
      onChanged();
    } catch (e) {
      const prob = problemOf(e);
      if (!force && e instanceof ApiError && (prob.status === 503 || prob.status === 502)) setConfirm("force");
      else {
        setConfirm(null);
        toast(`Delete ${p.name}: ${prob.detail}`, "error");
      }
    }
  };

  return (
    <li class="card preset">
      {p.thumbnail_url ? (
        <BlobImage src={p.thumbnail_url} version={version} alt={`Thumbnail of preset ${p.name}`} class="preset-thumb" />
      ) : (
        <div class="preset-thumb img-placeholder" role="img" aria-label="No thumbnail" />
      )}
      <div class="card-body">
        {renaming ? (
          <form class="rename" onSubmit={rename}>
            <FormProblem problem={renameProblem} fields={["name"]} />
            <TextField label="Preset name" value={name} onValue={setName} error={errorFor(renameProblem, "name")} maxLength={50} autoFocus />
            <div class="row">
              <button type="submit" class="btn btn-small btn-primary" disabled={busy === "rename"}>
                Save
              </button>
              <button type="button" class="btn btn-small btn-ghost" onClick={() => setRenaming(false)}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <div class="card-title">
            <h3>{p.name}</h3>
          </div>
        )}
        <p class="muted small">
          {p.pan != null && p.tilt != null && p.zoom != null ? `Pan ${p.pan.toFixed(2)} · Tilt ${p.tilt.toFixed(2)} · Zoom ${p.zoom.toFixed(2)}` : `Camera preset ${p.camera_token ?? ""}`}
        </p>
        {result && (
          <p class={failed ? "field-error small" : "ok-text small"} role="status">
            {result}
          </p>
        )}
        {operator && (
          <div class="row wrap">
            <button type="button" class="btn btn-small btn-primary" disabled={busy !== null} onClick={() => void act("goto")}>
              {busy === "goto" ? "Moving…" : "Go"}
            </button>
            <button type="button" class="btn btn-small" disabled={busy !== null} onClick={() => void act("test")}>
              {busy === "test" ? "Testing…" : "Test"}
            </button>
            <button type="button" class="btn btn-small" onClick={() => setRenaming(true)} aria-label={`Rename ${p.name}`}>
              Rename
            </button>
            <button type="button" class="btn btn-small btn-danger-outline" onClick={() => setConfirm("delete")} aria-label={`Delete ${p.name}`}>
              Delete
            </button>
          </div>
        )}
      </div>
      <Confirm
        open={confirm !== null}
        title={confirm === "force" ? "Camera unreachable" : `Delete preset ${p.name}?`}
        message={
          confirm === "force"
            ? "The camera cannot be reached to remove its own preset. Delete the stored preset anyway?"
            : "The preset is removed here and on the camera."
        }
        confirm={confirm === "force" ? "Delete anyway" : "Delete"}
        danger
        onConfirm={() => remove(confirm === "force")}
        onClose={() => setConfirm(null)}
      />
    </li>
  );
}

export function Presets({ cameraId, cameraName, operator }: { cameraId: number; cameraName: string; operator: boolean }) {
  const params = { params: { path: { id: cameraId } } };
  const list = useLoad(() => unwrap(api.GET("/api/v1/cameras/{id}/presets", params)), [cameraId]);
  const [name, setName] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [importing, setImporting] = useState(false);

  const capture = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const p = await unwrap(api.POST("/api/v1/cameras/{id}/presets", { ...params, body: { name: name.trim() } }));
      toast(`Preset ${p.name} saved`);
      setName("");
      await list.reload();
    } catch (er) {
      setProblem(problemOf(er));
    } finally {
      setBusy(false);
    }
  };

  const exportAll = async () => {
    try {
      const doc = await unwrap(api.GET("/api/v1/cameras/{id}/presets/export", params));
      download(`presets-${cameraName.replace(/[^\w.-]+/g, "_")}.json`, doc);
    } catch (e) {
      toast(`Export: ${problemOf(e).detail}`, "error");
    }
  };

  return (
    <section class="presets" aria-labelledby={`presets-${cameraId}`}>
      <div class="section-head">
        <h2 id={`presets-${cameraId}`}>Presets</h2>
        <div class="row">
          <button type="button" class="btn btn-small" onClick={() => void exportAll()}>
            Export
          </button>
          {operator && (
            <button type="button" class="btn btn-small" onClick={() => setImporting(true)}>
              Import
            </button>
          )}
        </div>
      </div>
      {operator && (
        <form class="capture row wrap" onSubmit={capture} noValidate>
          <FormProblem problem={problem} fields={["name"]} />
          <TextField label="New preset from the current position" value={name} onValue={setName} error={errorFor(problem, "name")} maxLength={50} placeholder="e.g. Harbor wide" />
          <button class="btn btn-primary" type="submit" disabled={busy || !name.trim()}>
            {busy ? "Saving…" : "Save preset"}
          </button>
        </form>
      )}
      <ProblemBox problem={list.problem} onRetry={() => void list.reload()} />
      {!list.data ? (
        list.loading && <Loading />
      ) : list.data.length === 0 ? (
        <Empty>No presets yet. Move the camera, then save its position.</Empty>
      ) : (
        <ul class="grid grid-presets">
          {list.data.map((p) => (
            <PresetCard key={p.id} p={p} operator={operator} onChanged={() => void list.reload()} />
          ))}
        </ul>
      )}
      <ImportDialog open={importing} cameraId={cameraId} onClose={() => setImporting(false)} onDone={() => void list.reload()} />
    </section>
  );
}

function ImportDialog({ open, cameraId, onClose, onDone }: { open: boolean; cameraId: number; onClose: () => void; onDone: () => void }) {
  const [doc, setDoc] = useState<PresetExport | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [replace, setReplace] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  const pick = async (file: File | undefined) => {
    setDoc(null);
    setFileError(null);
    setProblem(null);
    if (!file) return;
    try {
      const parsed = JSON.parse(await file.text()) as PresetExport;
      if (!parsed || !Array.isArray(parsed.presets)) throw new Error("no `presets` list in it");
      setDoc(parsed);
    } catch (e) {
      setFileError(`Not a presets export: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!doc) return;
    setBusy(true);
    setProblem(null);
    try {
      const stored = await unwrap(
        api.POST("/api/v1/cameras/{id}/presets/import", { params: { path: { id: cameraId }, query: replace ? { replace: true } : {} }, body: doc }),
      );
      toast(`${stored.length} presets imported`);
      onDone();
      onClose();
    } catch (er) {
      setProblem(problemOf(er));
    } finally {
      setBusy(false);
    }
  };

  const errs = problem?.errors ?? (problem?.field ? [{ field: problem.field, message: problem.detail }] : []);
  return (
    <Dialog open={open} title="Import presets" onClose={onClose}>
      <form onSubmit={submit} class="form">
        <p class="muted small">A file exported from this or another camera. Nothing moves; the positions are stored.</p>
        <div class="field">
          <label for="preset-file">Presets file (JSON)</label>
          <input id="preset-file" type="file" accept="application/json,.json" onChange={(e) => void pick(e.currentTarget.files?.[0])} />
          {fileError && <div class="field-error">{fileError}</div>}
        </div>
        {doc && (
          <ul class="import-list small">
            {doc.presets.map((p, i) => {
              const mine = errs.filter((x) => x.field.startsWith(`presets[${i}]`));
              return (
                <li key={i}>
                  {p.name}
                  {p.position ? ` · ${p.position.pan}, ${p.position.tilt}, ${p.position.zoom}` : ""}
                  {mine.map((m) => (
                    <div class="field-error" key={m.field}>
                      {m.field.replace(`presets[${i}].`, "")}: {m.message}
                    </div>
                  ))}
                </li>
              );
            })}
          </ul>
        )}
        {problem && !errs.some((x) => x.field.startsWith("presets[")) && (
          <div class="alert alert-bad" role="alert">
            {problem.detail}
          </div>
        )}
        <Check label="Replace presets with the same names" checked={replace} onValue={setReplace} />
        <div class="row end">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={!doc || busy}>
            {busy ? "Importing…" : `Import ${doc ? doc.presets.length : ""}`}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
