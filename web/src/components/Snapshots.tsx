// A camera's stored snapshots: take one (with a note), look at them full size, delete.
import { useState } from "preact/hooks";
import type { Problem, Snapshot } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { useLoad } from "../lib/hooks";
import { bytes, dateTime } from "../lib/format";
import { errorFor } from "../lib/forms";
import { toast } from "../lib/toast";
import { Confirm, Dialog, Empty, FormProblem, Loading, ProblemBox, SelectField, TextField } from "./ui";

type Source = "auto" | "stream" | "http";

export function Snapshots({ cameraId, operator, hasSnapshotUrl }: { cameraId: number; operator: boolean; hasSnapshotUrl: boolean }) {
  const params = { params: { path: { id: cameraId } } };
  const list = useLoad(() => unwrap(api.GET("/api/v1/cameras/{id}/snapshots", params)), [cameraId]);
  const [note, setNote] = useState("");
  const [source, setSource] = useState<Source>("auto");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [viewing, setViewing] = useState<Snapshot | null>(null);
  const [deleting, setDeleting] = useState<Snapshot | null>(null);

  const take = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const s = await unwrap(api.POST("/api/v1/cameras/{id}/snapshots", { ...params, body: { note: note.trim() || null, source } }));
      list.set([s, ...(list.data ?? [])]);
      setNote("");
      toast("Snapshot stored");
    } catch (er) {
      setProblem(problemOf(er));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (s: Snapshot) => {
    try {
      await unwrap(api.DELETE("/api/v1/snapshots/{id}", { params: { path: { id: s.id } } }));
      list.set((list.data ?? []).filter((x) => x.id !== s.id));
      setDeleting(null);
      if (viewing?.id === s.id) setViewing(null);
    } catch (e) {
      toast(`Delete: ${problemOf(e).detail}`, "error");
    }
  };

  const sorted = [...(list.data ?? [])].sort((a, b) => b.id - a.id);
  return (
    <section aria-labelledby={`snaps-${cameraId}`}>
      <h2 id={`snaps-${cameraId}`} class="visually-hidden">
        Snapshots
      </h2>
      {operator && (
        <form class="capture row wrap" onSubmit={take} noValidate>
          <FormProblem problem={problem} fields={["note", "source"]} />
          <TextField label="Note (optional)" value={note} onValue={setNote} error={errorFor(problem, "note")} maxLength={200} />
          <SelectField<Source>
            label="Source"
            value={source}
            options={[
              { value: "auto", label: "Automatic" },
              { value: "stream", label: "Video stream" },
              { value: "http", label: hasSnapshotUrl ? "HTTP snapshot URL" : "HTTP snapshot URL (none set)" },
            ]}
            onValue={setSource}
            error={errorFor(problem, "source")}
          />
          <button class="btn btn-primary" type="submit" disabled={busy}>
            {busy ? "Taking…" : "Take snapshot"}
          </button>
        </form>
      )}
      <ProblemBox problem={list.problem} onRetry={() => void list.reload()} />
      {!list.data ? (
        list.loading && <Loading />
      ) : sorted.length === 0 ? (
        <Empty>No stored snapshots.</Empty>
      ) : (
        <ul class="grid grid-snapshots">
          {sorted.map((s) => (
            <li key={s.id} class="card snapshot">
              <button type="button" class="thumb-button" onClick={() => setViewing(s)} aria-label={`View snapshot of ${dateTime(s.created_at)}`}>
                <img src={`/api/v1/snapshots/${s.id}/image`} alt="" loading="lazy" width={s.width} height={s.height} />
              </button>
              <div class="card-body small">
                <div>{dateTime(s.created_at)}</div>
                <div class="muted">
                  {s.width}×{s.height} · {bytes(s.bytes)} · {s.source}
                </div>
                {s.note && <div class="note">{s.note}</div>}
                <div class="row">
                  <a class="btn btn-small" href={`/api/v1/snapshots/${s.id}/image`} download={`snapshot-${cameraId}-${s.id}.jpg`}>
                    Download
                  </a>
                  {operator && (
                    <button type="button" class="btn btn-small btn-danger-outline" onClick={() => setDeleting(s)}>
                      Delete
                    </button>
                  )}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
      <Dialog open={viewing !== null} title={viewing ? `Snapshot · ${dateTime(viewing.created_at)}` : ""} onClose={() => setViewing(null)} wide>
        {viewing && (
          <figure class="snapshot-full">
            <img src={`/api/v1/snapshots/${viewing.id}/image`} alt={viewing.note ?? `Snapshot ${viewing.id}`} width={viewing.width} height={viewing.height} />
            <figcaption class="muted small">
              {viewing.width}×{viewing.height} · {bytes(viewing.bytes)} · from {viewing.source}
              {viewing.note ? ` · ${viewing.note}` : ""}
            </figcaption>
          </figure>
        )}
      </Dialog>
      <Confirm
        open={deleting !== null}
        title="Delete this snapshot?"
        message={deleting ? `Snapshot of ${dateTime(deleting.created_at)} is removed for good.` : ""}
        confirm="Delete"
        danger
        onConfirm={() => (deleting ? remove(deleting) : undefined)}
        onClose={() => setDeleting(null)}
      />
    </section>
  );
}
