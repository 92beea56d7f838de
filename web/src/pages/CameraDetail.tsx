// One camera: live picture and health, the PTZ pad and presets, stored snapshots, settings.
import { useState } from "preact/hooks";
import type { Camera } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { cameras, loadCameras, removeFrom, upsert } from "../store";
import { navigate, type Params } from "../router";
import { can } from "../session";
import { toast } from "../lib/toast";
import { useTitle } from "../lib/hooks";
import { bitrate, duration, fps, resolution } from "../lib/format";
import { LiveView } from "../components/LiveView";
import { StateBadge } from "../components/StateBadge";
import { PtzPad } from "../components/PtzPad";
import { Presets } from "../components/Presets";
import { Snapshots } from "../components/Snapshots";
import { CameraForm } from "../components/CameraForm";
import { Confirm, Loading, PageHeader, ProblemBox } from "../components/ui";

type Tab = "live" | "snapshots" | "settings";

function Health({ c }: { c: Camera }) {
  const s = c.status;
  return (
    <>
    <h2>Health</h2>
    <dl class="kv">
      <dt>State</dt>
      <dd>
        <StateBadge state={s.state} /> {s.reason}
      </dd>
      <dt>Video</dt>
      <dd>
        {s.codec ?? "—"} {s.profile ?? ""} · {resolution(s.width, s.height)} · {fps(s.fps)}
      </dd>
      <dt>Audio</dt>
      <dd>{s.audio_codec ?? "none"}</dd>
      <dt>Bitrate</dt>
      <dd>{bitrate(s.bitrate_bps)}</dd>
      <dt>Session up</dt>
      <dd>{duration(s.uptime_s)}</dd>
      <dt>Reconnects</dt>
      <dd>{s.reconnects}</dd>
      <dt>Address</dt>
      <dd>
        <code>{c.rtsp_url}</code>
      </dd>
    </dl>
    </>
  );
}

export function CameraDetail({ params }: { params: Params }) {
  const id = Number(params.id);
  const c = cameras.value?.find((x) => x.id === id);
  useTitle(c?.name ?? "Camera");
  const [tab, setTab] = useState<Tab>("live");
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [busy, setBusy] = useState(false);
  const operator = can("operator");

  if (!cameras.value) return <Loading />;
  if (!c) {
    return <ProblemBox problem={{ type: "about:blank", title: "Not found", status: 404, code: "not_found", detail: `There is no camera ${id}.` }} />;
  }

  const toggle = async () => {
    setBusy(true);
    try {
      upsert(cameras, await unwrap(api.PATCH("/api/v1/cameras/{id}", { params: { path: { id } }, body: { enabled: !c.enabled } })));
    } catch (e) {
      toast(problemOf(e).detail, "error");
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    try {
      await unwrap(api.DELETE("/api/v1/cameras/{id}", { params: { path: { id } } }));
      removeFrom(cameras, id);
      toast(`${c.name} deleted`);
      navigate("/cameras");
    } catch (e) {
      setConfirmDelete(false);
      toast(`Delete ${c.name}: ${problemOf(e).detail}`, "error");
    }
  };

  const tabs: [Tab, string][] = [
    ["live", c.kind === "ptz" ? "Live & PTZ" : "Live"],
    ["snapshots", "Snapshots"],
    ["settings", "Settings"],
  ];

  return (
    <>
      <PageHeader
        title={c.name}
        sub={
          <>
            <StateBadge state={c.status.state} /> {c.kind === "ptz" ? "PTZ camera" : "Fixed camera"} · {c.vendor}
          </>
        }
      >
        {operator && (
          <>
            <button type="button" class="btn" disabled={busy} onClick={toggle}>
              {c.enabled ? "Disable" : "Enable"}
            </button>
            <button type="button" class="btn btn-danger-outline" onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          </>
        )}
      </PageHeader>
      <div class="tabs" role="tablist" aria-label="Camera">
        {tabs.map(([t, label]) => (
          <button key={t} type="button" role="tab" id={`tab-${t}`} aria-controls={`panel-${t}`} aria-selected={tab === t} class="tab" onClick={() => setTab(t)}>
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === "live" && (
          <>
            <div class="camera-live">
              <LiveView kind="camera" id={c.id} label={c.name} state={c.status.state} reason={c.status.reason ?? null} class="big" />
              {c.kind === "ptz" ? (
                <PtzPad cameraId={c.id} operator={operator} />
              ) : (
                <section class="panel" aria-label="Health">
                  <Health c={c} />
                </section>
              )}
            </div>
            {c.kind === "ptz" && <Presets cameraId={c.id} cameraName={c.name} operator={operator} />}
            {c.kind === "ptz" && (
              <section class="panel" aria-label="Health">
                <Health c={c} />
              </section>
            )}
          </>
        )}
        {tab === "snapshots" && <Snapshots cameraId={c.id} operator={operator} hasSnapshotUrl={!!c.snapshot_url} />}
        {tab === "settings" &&
          (operator ? (
            <div class="panel">
              <CameraForm
                camera={c}
                onSaved={(saved) => {
                  upsert(cameras, saved);
                  toast("Camera saved");
                  void loadCameras();
                }}
              />
            </div>
          ) : (
            <div class="panel">
              <Health c={c} />
              <p class="muted">Changing a camera needs the operator role.</p>
            </div>
          ))}
      </div>
      <Confirm
        open={confirmDelete}
        title={`Delete ${c.name}?`}
        message="The camera, its presets and its stored snapshots are removed. Outputs showing it lose it."
        confirm="Delete camera"
        danger
        onConfirm={remove}
        onClose={() => setConfirmDelete(false)}
      />
    </>
  );
}
