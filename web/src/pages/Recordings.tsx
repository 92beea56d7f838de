// Recorded MP4 segments of the outputs: play in the page, download, delete.
import { useState } from "preact/hooks";
import type { Recording } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { outputName } from "../store";
import { can } from "../session";
import { toast } from "../lib/toast";
import { bytes, dateTime } from "../lib/format";
import { useLoad, useTitle } from "../lib/hooks";
import { Confirm, Dialog, Empty, Loading, PageHeader, ProblemBox } from "../components/ui";

export function Recordings() {
  useTitle("Recordings");
  const list = useLoad(() => unwrap(api.GET("/api/v1/recordings")), []);
  const [playing, setPlaying] = useState<Recording | null>(null);
  const [deleting, setDeleting] = useState<Recording | null>(null);
  const operator = can("operator");
  const href = (r: Recording) => `/api/v1/recordings/${encodeURIComponent(r.name)}`;

  const remove = async (r: Recording) => {
    try {
      await unwrap(api.DELETE("/api/v1/recordings/{name}", { params: { path: { name: r.name } } }));
      list.set((list.data ?? []).filter((x) => x.name !== r.name));
      toast(`${r.name} deleted`);
    } catch (e) {
      toast(`Delete: ${problemOf(e).detail}`, "error");
    } finally {
      setDeleting(null);
    }
  };

  const rows = [...(list.data ?? [])].sort((a, b) => b.modified_at.localeCompare(a.modified_at));
  const total = rows.reduce((n, r) => n + r.size_bytes, 0);

  return (
    <>
      <PageHeader title="Recordings" sub={list.data ? `${rows.length} segments · ${bytes(total)}` : undefined}>
        <button type="button" class="btn" onClick={() => void list.reload()}>
          Refresh list
        </button>
      </PageHeader>
      <ProblemBox problem={list.problem} onRetry={() => void list.reload()} />
      {!list.data ? (
        list.loading && <Loading />
      ) : rows.length === 0 ? (
        <Empty>No recordings. Turn recording on in an output's settings.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Output</th>
                <th scope="col">Run started</th>
                <th scope="col">Segment</th>
                <th scope="col">Last written</th>
                <th scope="col">Size</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.name}>
                  <td>{outputName(r.output_id)}</td>
                  <td>{dateTime(r.started_at)}</td>
                  <td>
                    #{r.segment} <span class="muted small">{r.name}</span>
                  </td>
                  <td>{r.in_progress ? <span class="badge badge-live">recording</span> : dateTime(r.modified_at)}</td>
                  <td>{bytes(r.size_bytes)}</td>
                  <td class="actions-cell">
                    <button type="button" class="btn btn-small" disabled={r.in_progress} onClick={() => setPlaying(r)} aria-label={`Play ${r.name}`}>
                      Play
                    </button>
                    <a class={`btn btn-small ${r.in_progress ? "is-disabled" : ""}`} href={href(r)} download={r.name} aria-disabled={r.in_progress || undefined}>
                      Download
                    </a>
                    {operator && (
                      <button type="button" class="btn btn-small btn-danger-outline" onClick={() => setDeleting(r)} aria-label={`Delete ${r.name}`}>
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={playing !== null} title={playing ? `${outputName(playing.output_id)} · segment ${playing.segment}` : ""} onClose={() => setPlaying(null)} wide>
        {playing && <video class="recording-player" src={href(playing)} controls autoplay preload="metadata" aria-label={`Recording ${playing.name}`} />}
      </Dialog>
      <Confirm
        open={deleting !== null}
        title="Delete this recording?"
        message={deleting ? `${deleting.name} (${bytes(deleting.size_bytes)}) is removed for good.` : ""}
        confirm="Delete"
        danger
        onConfirm={() => (deleting ? remove(deleting) : undefined)}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
