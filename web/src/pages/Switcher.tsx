// The vision mixer of one program output: the program big, a multiview of the cameras with
// one cut button each (keys 1–9), overlay layers on/off, slate, and the emergency stop.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Camera, Output, Overlay } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { applyOutput, assets, cameras, loadAssets, outputMark, outputs } from "../store";
import { navigate, type Params } from "../router";
import { can } from "../session";
import { toast } from "../lib/toast";
import { useLoad, useTitle } from "../lib/hooks";
import { LiveView } from "../components/LiveView";
import { StateBadge } from "../components/StateBadge";
import { Empty, Loading, PageHeader, ProblemBox } from "../components/ui";
import { DestinationList, showingText, Uptime } from "../components/OutputCard";
import { StartStop } from "../components/StartStop";
import { EmergencyStop } from "../components/EmergencyStop";
import { bitrate } from "../lib/format";

export function SwitcherIndex() {
  useTitle("Switcher");
  const programs = (outputs.value ?? []).filter((o) => o.mode === "program");
  useEffect(() => {
    const only = programs[0];
    if (programs.length === 1 && only) navigate(`/outputs/${only.id}/switcher`, true);
  }, [programs.length]);
  if (!outputs.value) return <Loading />;
  return (
    <>
      <PageHeader title="Switcher" sub="Choose the program output to switch." />
      {programs.length === 0 ? (
        <Empty>
          There is no program output. {can("operator") && <a href="/outputs/new">Create one</a>}
        </Empty>
      ) : (
        <ul class="plain-list">
          {programs.map((o) => (
            <li key={o.id}>
              <a class="btn" href={`/outputs/${o.id}/switcher`}>
                {o.name}
              </a>{" "}
              <StateBadge state={o.status.state} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The multiview order: the camera on air, the standby cameras, then every other camera.
 *  `previous` keeps the order stable while the page is open (a cut must not renumber the
 *  keys 1–9): known cameras keep their place, new ones go at the end. */
export function switcherOrder(o: Output, all: Camera[], previous: number[] = []): number[] {
  const exists = (id: number) => all.some((c) => c.id === id);
  const ids = previous.filter(exists);
  const add = (id: number) => {
    if (!ids.includes(id) && exists(id)) ids.push(id);
  };
  if (o.camera_id != null) add(o.camera_id);
  for (const id of o.standby_camera_ids) add(id);
  for (const c of all) add(c.id);
  return ids;
}

function isTyping(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || !!el.closest("dialog[open]");
}

export function Switcher({ params }: { params: Params }) {
  const id = Number(params.id);
  const o = outputs.value?.find((x) => x.id === id);
  useTitle(o ? `Switcher · ${o.name}` : "Switcher");
  const overlays = useLoad(() => unwrap(api.GET("/api/v1/outputs/{id}/overlays", { params: { path: { id } } })), [id]);
  const [pending, setPending] = useState<number | "slate" | null>(null);
  const [stopAll, setStopAll] = useState(false);
  const operator = can("operator");
  const orderRef = useRef<number[]>([]);
  orderRef.current = o ? switcherOrder(o, cameras.value ?? [], orderRef.current) : orderRef.current;
  const order = orderRef.current.map((cid) => cameras.value?.find((c) => c.id === cid)).filter((c): c is Camera => !!c);

  useEffect(() => {
    if (!assets.value) void loadAssets().catch(() => undefined);
  }, []);

  const cut = async (cam: Camera) => {
    if (!o || !operator) return;
    setPending(cam.id);
    try {
      const mark = outputMark();
      applyOutput(await unwrap(api.POST("/api/v1/outputs/{id}/cut", { params: { path: { id } }, body: { camera_id: cam.id } })), mark);
    } catch (e) {
      toast(`Cut to ${cam.name}: ${problemOf(e).detail}`, "error");
    } finally {
      setPending(null);
    }
  };

  const slate = async () => {
    if (!o) return;
    setPending("slate");
    try {
      const mark = outputMark();
      applyOutput(await unwrap(api.PATCH("/api/v1/outputs/{id}", { params: { path: { id } }, body: { camera_id: null } })), mark);
      toast("Slate on air");
    } catch (e) {
      toast(`Slate: ${problemOf(e).detail}`, "error");
    } finally {
      setPending(null);
    }
  };

  useEffect(() => {
    if (!operator) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.repeat || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (/^[1-9]$/.test(e.key)) {
        const cam = order[Number(e.key) - 1];
        if (cam) {
          e.preventDefault();
          void cut(cam);
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  if (!outputs.value) return <Loading />;
  if (!o) return <ProblemBox problem={{ type: "about:blank", title: "Not found", status: 404, code: "not_found", detail: `There is no output ${id}.` }} />;
  if (o.mode !== "program") {
    return (
      <>
        <PageHeader title={o.name} />
        <p>
          {o.name} is a relay: it copies one camera and cannot switch. <a href={`/outputs/${o.id}`}>Its settings</a>
        </p>
      </>
    );
  }

  const showing = o.status.showing;
  const onAirId = showing.kind === "camera" ? showing.camera_id : null;
  const live = o.status.state === "live";

  return (
    <div class="switcher">
      <PageHeader
        title={o.name}
        sub={
          <>
            <StateBadge state={o.status.state} /> {live ? <>up <Uptime o={o} /> · {bitrate(o.status.bitrate_bps)}</> : o.status.reason ?? "Off air"}
          </>
        }
      >
        {operator && <StartStop o={o} />}
        {operator && (
          <button type="button" class="btn btn-danger" onClick={() => setStopAll(true)}>
            Emergency stop
          </button>
        )}
      </PageHeader>

      <div class="switcher-layout">
        <section class="program" aria-labelledby="program-h">
          <h2 id="program-h" class="visually-hidden">
            Program
          </h2>
          <LiveView kind="output" id={o.id} label={`program ${o.name}`} snapshotCameraId={onAirId} state={o.status.state} reason={o.status.reason ?? null} class="program-view">
            <span class={`tally ${live ? "tally-onair" : "tally-off"}`}>{live ? "PROGRAM · ON AIR" : "PROGRAM · OFF AIR"}</span>
          </LiveView>
          <p class="program-caption" role="status">
            On screen: <strong>{showingText(o)}</strong>
            {o.camera_id != null && onAirId !== o.camera_id && live && <span class="pending"> — cutting to {order.find((c) => c.id === o.camera_id)?.name ?? "camera"}…</span>}
          </p>
        </section>
        <aside class="switcher-side panel" aria-label="Program controls">
          <h2>Slate</h2>
          <p class="muted small">“{o.slate_text || "—"}”</p>
          {operator ? (
            <button type="button" class={`btn btn-block ${showing.kind === "slate" ? "btn-onair" : ""}`} aria-pressed={showing.kind === "slate"} disabled={pending === "slate"} onClick={slate}>
              {showing.kind === "slate" ? "Slate is on air" : "Cut to slate"}
            </button>
          ) : null}
          <h2>Overlays</h2>
          <OverlayToggles outputId={id} list={overlays.data} set={overlays.set} problem={overlays.problem} operator={operator} />
          <h2>Destinations</h2>
          <DestinationList o={o} />
        </aside>

      <section aria-labelledby="multiview-h" class="multiview-section">
        <div class="section-head">
          <h2 id="multiview-h">Cameras</h2>
          {operator && <span class="muted small">Keys 1–9 cut to the camera with that number.</span>}
        </div>
        {order.length === 0 ? (
          <Empty>No cameras.</Empty>
        ) : (
          <div class="grid multiview">
            {order.map((c, i) => {
              const onAir = c.id === onAirId && live;
              const standby = o.standby_camera_ids.includes(c.id) || c.id === o.camera_id;
              return (
                <div key={c.id} class={`mv-tile ${onAir ? "tally-onair-border" : standby ? "tally-standby-border" : ""}`}>
                  <LiveView kind="camera" id={c.id} label={c.name} state={c.status.state} reason={c.status.reason ?? null} showStats={false}>
                    {i < 9 && <kbd class="mv-key">{i + 1}</kbd>}
                    {onAir && <span class="tally tally-onair">ON AIR</span>}
                  </LiveView>
                  {operator ? (
                    <button
                      type="button"
                      class={`btn btn-block mv-cut ${onAir ? "btn-onair" : ""}`}
                      aria-pressed={onAir}
                      aria-keyshortcuts={i < 9 ? String(i + 1) : undefined}
                      disabled={pending === c.id}
                      onClick={() => void cut(c)}
                    >
                      {pending === c.id ? "Cutting…" : onAir ? `${c.name} · on air` : `Cut to ${c.name}`}
                    </button>
                  ) : (
                    <div class="mv-name">{c.name}</div>
                  )}
                </div>
              );
            })}
          </div>
        )}
      </section>
      </div>
      <EmergencyStop open={stopAll} onClose={() => setStopAll(false)} />
    </div>
  );
}

function OverlayToggles(props: { outputId: number; list: Overlay[] | undefined; set: (v: Overlay[]) => void; problem: ReturnType<typeof problemOf> | null; operator: boolean }) {
  const { outputId, list, set, operator } = props;
  if (props.problem) return <ProblemBox problem={props.problem} />;
  if (!list) return <Loading />;
  if (!list.length) {
    return (
      <p class="muted small">
        No overlay layers. <a href={`/outputs/${outputId}`}>Place some</a>
      </p>
    );
  }
  const toggle = async (layer: Overlay) => {
    try {
      const updated = await unwrap(
        api.PATCH("/api/v1/outputs/{id}/overlays/{layer}", { params: { path: { id: outputId, layer: layer.id } }, body: { visible: !layer.visible } }),
      );
      set(list.map((l) => (l.id === layer.id ? updated : l)));
    } catch (e) {
      toast(`Overlay: ${problemOf(e).detail}`, "error");
    }
  };
  const name = (l: Overlay) => assets.value?.find((a) => a.id === l.asset_id)?.name ?? `asset ${l.asset_id}`;
  return (
    <ul class="overlay-toggles">
      {[...list].sort((a, b) => b.z - a.z).map((l) => (
        <li key={l.id}>
          {operator ? (
            <button type="button" class={`btn btn-block toggle ${l.visible ? "is-on" : ""}`} aria-pressed={l.visible} onClick={() => void toggle(l)}>
              <span>{name(l)}</span>
              <span class="toggle-state">{l.visible ? "ON" : "OFF"}</span>
            </button>
          ) : (
            <span>
              {name(l)}: {l.visible ? "shown" : "hidden"}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
