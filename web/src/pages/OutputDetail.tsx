// One output: status and start/stop, its settings, and its overlay layers.
import { useState } from "preact/hooks";
import type { Output } from "../api/types";
import { outputRecording } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { loadOutputs, outputs, removeFrom, upsert, cameraName } from "../store";
import { navigate, type Params } from "../router";
import { can } from "../session";
import { toast } from "../lib/toast";
import { useTitle } from "../lib/hooks";
import { bitrate, fps } from "../lib/format";
import { OutputForm } from "../components/OutputForm";
import { OverlayEditor } from "../components/OverlayEditor";
import { LiveView } from "../components/LiveView";
import { StateBadge } from "../components/StateBadge";
import { StartStop } from "../components/StartStop";
import { DestinationList, showingText, Uptime } from "../components/OutputCard";
import { Confirm, Loading, PageHeader, ProblemBox } from "../components/ui";

export function OutputNew() {
  useTitle("New output");
  return (
    <>
      <PageHeader title="New output" sub="A program switches cameras and shows overlays; a relay copies one camera without re-encoding." />
      <div class="panel">
        <OutputForm
          onSaved={(o) => {
            upsert(outputs, o);
            toast(`${o.name} created. Start it when ready.`);
            navigate(`/outputs/${o.id}`);
          }}
          onCancel={() => navigate("/outputs")}
        />
      </div>
    </>
  );
}

type Tab = "status" | "settings" | "overlays";

function Status({ o }: { o: Output }) {
  const s = o.status;
  const rec = outputRecording(o);
  const showing = s.showing;
  return (
    <div class="output-status">
      <LiveView kind="output" id={o.id} label={`program ${o.name}`} snapshotCameraId={showing.kind === "camera" ? showing.camera_id : null} state={s.state} reason={s.reason ?? null} class="big">
        {s.state === "live" && <span class="tally tally-onair">ON AIR</span>}
      </LiveView>
      <section class="panel" aria-label="Status">
        <dl class="kv">
          <dt>State</dt>
          <dd>
            <StateBadge state={s.state} /> {s.reason}
          </dd>
          <dt>Desired</dt>
          <dd>{o.running ? "On air (comes back after a restart)" : "Stopped"}</dd>
          <dt>On screen</dt>
          <dd>{showingText(o)}</dd>
          <dt>Camera asked for</dt>
          <dd>{cameraName(o.camera_id)}</dd>
          <dt>Uptime</dt>
          <dd>
            <Uptime o={o} />
          </dd>
          <dt>Encoder</dt>
          <dd>{s.encoder ?? o.encoder}</dd>
          <dt>Output</dt>
          <dd>
            {o.profile.width}×{o.profile.height} · {o.profile.fps} fps · {o.profile.video_bitrate_kbps} kbit/s
          </dd>
          <dt>Measured</dt>
          <dd>
            {fps(s.fps)} · {bitrate(s.bitrate_bps)} · {s.frames_total} frames · {s.dropped_frames} dropped · {s.restarts} restarts
          </dd>
          <dt>Recording</dt>
          <dd>{rec.enabled ? `On, ${rec.segment_seconds} s segments` : "Off"}</dd>
        </dl>
        <h2 class="spaced">Destinations</h2>
        <DestinationList o={o} />
      </section>
    </div>
  );
}

export function OutputDetail({ params }: { params: Params }) {
  const id = Number(params.id);
  const o = outputs.value?.find((x) => x.id === id);
  useTitle(o?.name ?? "Output");
  const [tab, setTab] = useState<Tab>("status");
  const [confirmDelete, setConfirmDelete] = useState(false);
  const operator = can("operator");
  if (!outputs.value) return <Loading />;
  if (!o) return <ProblemBox problem={{ type: "about:blank", title: "Not found", status: 404, code: "not_found", detail: `There is no output ${id}.` }} />;

  const remove = async () => {
    try {
      await unwrap(api.DELETE("/api/v1/outputs/{id}", { params: { path: { id } } }));
      removeFrom(outputs, id);
      toast(`${o.name} deleted`);
      navigate("/outputs");
    } catch (e) {
      setConfirmDelete(false);
      toast(`Delete ${o.name}: ${problemOf(e).detail}`, "error");
    }
  };

  const tabs: [Tab, string][] = [
    ["status", "Status"],
    ["settings", "Settings"],
  ];
  if (o.mode === "program") tabs.push(["overlays", "Overlays"]);

  return (
    <>
      <PageHeader
        title={o.name}
        sub={
          <>
            <StateBadge state={o.status.state} /> {o.mode === "program" ? "Program" : "Relay"} · {o.destination_ids.length} destination(s)
          </>
        }
      >
        {o.mode === "program" && (
          <a class="btn" href={`/outputs/${o.id}/switcher`}>
            Switcher
          </a>
        )}
        {operator && <StartStop o={o} />}
        {operator && (
          <button type="button" class="btn btn-danger-outline" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        )}
      </PageHeader>
      <div class="tabs" role="tablist" aria-label="Output">
        {tabs.map(([t, label]) => (
          <button key={t} type="button" role="tab" id={`tab-${t}`} aria-controls={`panel-${t}`} aria-selected={tab === t} class="tab" onClick={() => setTab(t)}>
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === "status" && <Status o={o} />}
        {tab === "settings" &&
          (operator ? (
            <div class="panel">
              <OutputForm
                output={o}
                onSaved={(saved) => {
                  upsert(outputs, saved);
                  toast(o.running ? "Saved. A running output picks the changes up at once." : "Saved");
                  void loadOutputs();
                }}
              />
            </div>
          ) : (
            <p class="muted">Changing an output needs the operator role.</p>
          ))}
        {tab === "overlays" && <OverlayEditor output={o} operator={operator} />}
      </div>
      <Confirm
        open={confirmDelete}
        title={`Delete ${o.name}?`}
        message={o.running ? "It is on air: deleting it stops it first." : "Its settings and overlay layers are removed. Recordings stay."}
        confirm="Delete output"
        danger
        onConfirm={remove}
        onClose={() => setConfirmDelete(false)}
      />
    </>
  );
}
