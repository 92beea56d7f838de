// Create or edit an output: a program (decode, composite, encode) or a relay (one camera
// copied). Profile, encoder, destinations, cameras, slate and recording.
import { useEffect, useState } from "preact/hooks";
import type { Encoder, Mode, Output, OutputInput, Problem } from "../api/types";
import { outputRecording } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { assets, cameras, destinations, loadAssets, loadDestinations } from "../store";
import { errorFor, fieldErrors, numOrNull, orNull } from "../lib/forms";
import { Check, FormProblem, SelectField, TextField } from "./ui";

const FIELDS = ["name", "mode", "profile", "encoder", "destination_ids", "camera_id", "standby_camera_ids", "slate_text", "slate_asset_id", "recording"];

const PROFILES: { label: string; w: number; h: number; fps: number; kbps: number }[] = [
  { label: "720p30, 3 Mbit/s (YouTube/Twitch, a Pi can encode it)", w: 1280, h: 720, fps: 30, kbps: 3000 },
  { label: "1080p30, 4.5 Mbit/s", w: 1920, h: 1080, fps: 30, kbps: 4500 },
  { label: "1080p30, 6 Mbit/s", w: 1920, h: 1080, fps: 30, kbps: 6000 },
  { label: "480p30, 1.5 Mbit/s", w: 854, h: 480, fps: 30, kbps: 1500 },
];

const X264 = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"];

interface FormState {
  name: string;
  mode: Mode;
  width: string;
  height: string;
  fps: string;
  kbps: string;
  keyframe: string;
  audio: string;
  preset: string;
  encoder: Encoder;
  destination_ids: number[];
  camera_id: string;
  standby: number[];
  slate_text: string;
  slate_asset_id: string;
  rec: boolean;
  segment: string;
}

function initial(o?: Output): FormState {
  const p = o?.profile;
  const r = o ? outputRecording(o) : { enabled: false, segment_seconds: 300 };
  return {
    name: o?.name ?? "",
    mode: o?.mode ?? "program",
    width: String(p?.width ?? 1280),
    height: String(p?.height ?? 720),
    fps: String(p?.fps ?? 30),
    kbps: String(p?.video_bitrate_kbps ?? 3000),
    keyframe: String(p?.keyframe_interval_s ?? 2),
    audio: String(p?.audio_bitrate_kbps ?? 128),
    preset: p?.x264_preset ?? "ultrafast",
    encoder: o?.encoder ?? "auto",
    destination_ids: o?.destination_ids ?? [],
    camera_id: o?.camera_id != null ? String(o.camera_id) : "",
    standby: o?.standby_camera_ids ?? [],
    slate_text: o?.slate_text ?? "We'll be right back",
    slate_asset_id: o?.slate_asset_id != null ? String(o.slate_asset_id) : "",
    rec: r.enabled,
    segment: String(r.segment_seconds),
  };
}

function toBody(f: FormState): OutputInput {
  const program = f.mode === "program";
  return {
    name: f.name.trim(),
    mode: f.mode,
    profile: {
      width: numOrNull(f.width),
      height: numOrNull(f.height),
      fps: numOrNull(f.fps),
      video_bitrate_kbps: numOrNull(f.kbps),
      keyframe_interval_s: numOrNull(f.keyframe),
      audio_bitrate_kbps: numOrNull(f.audio),
      x264_preset: orNull(f.preset),
    },
    encoder: f.encoder,
    destination_ids: f.destination_ids,
    camera_id: f.camera_id === "" ? null : Number(f.camera_id),
    standby_camera_ids: program ? f.standby : [],
    slate_text: f.slate_text,
    slate_asset_id: f.slate_asset_id === "" ? null : Number(f.slate_asset_id),
    recording: { enabled: f.rec, segment_seconds: numOrNull(f.segment) },
  };
}

/** The error of one item of a list field (`destination_ids[1]`). */
function itemError(p: Problem | null, list: string, index: number): string | undefined {
  return fieldErrors(p)
    .filter((e) => e.field === `${list}[${index}]` || e.field.startsWith(`${list}[${index}].`))
    .map((e) => e.message)
    .join("; ") || undefined;
}

function listError(p: Problem | null, list: string): string | undefined {
  return fieldErrors(p)
    .filter((e) => e.field === list)
    .map((e) => e.message)
    .join("; ") || undefined;
}

export function OutputForm({ output, onSaved, onCancel }: { output?: Output; onSaved: (o: Output) => void; onCancel?: () => void }) {
  const [f, setF] = useState<FormState>(() => initial(output));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setF((s) => ({ ...s, [k]: v }));
  const err = (p: string) => errorFor(problem, p);
  const program = f.mode === "program";

  useEffect(() => {
    if (!destinations.value) void loadDestinations().catch(() => undefined);
    if (!assets.value) void loadAssets().catch(() => undefined);
  }, []);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const body = toBody(f);
      const saved = output
        ? await unwrap(api.PATCH("/api/v1/outputs/{id}", { params: { path: { id: output.id } }, body }))
        : await unwrap(api.POST("/api/v1/outputs", { body }));
      onSaved(saved);
    } catch (er) {
      setProblem(problemOf(er));
    } finally {
      setBusy(false);
    }
  };

  const cams = cameras.value ?? [];
  const dests = destinations.value ?? [];
  const images = (assets.value ?? []).filter((a) => a.kind === "image" || a.kind === "url_image");
  const selectedDests = f.destination_ids;
  const matching = PROFILES.findIndex((p) => String(p.w) === f.width && String(p.h) === f.height && String(p.fps) === f.fps && String(p.kbps) === f.kbps);

  return (
    <form class="form" onSubmit={save} noValidate>
      <FormProblem problem={problem} fields={FIELDS} />
      <div class="form-grid">
        <TextField label="Name" value={f.name} onValue={(x) => set("name", x)} error={err("name")} maxLength={100} required />
        <SelectField<Mode>
          label="Mode"
          value={f.mode}
          options={[
            { value: "program", label: "Program: cuts, slate, overlays (encodes)" },
            { value: "relay", label: "Relay: one camera copied (no encoding)" },
          ]}
          onValue={(x) => set("mode", x)}
          error={err("mode")}
        />
        <SelectField<string>
          label={program ? "Camera on air" : "Camera relayed"}
          value={f.camera_id}
          options={[{ value: "", label: program ? "None (slate)" : "Choose a camera" }, ...cams.map((c) => ({ value: String(c.id), label: c.name }))]}
          onValue={(x) => set("camera_id", x)}
          error={err("camera_id")}
        />
      </div>

      <fieldset>
        <legend>Destinations</legend>
        {dests.length === 0 ? (
          <p class="muted small">
            No destinations yet. <a href="/destinations">Add one</a>, or record only.
          </p>
        ) : (
          <ul class="check-list">
            {dests.map((d) => {
              const i = selectedDests.indexOf(d.id);
              const e = i >= 0 ? itemError(problem, "destination_ids", i) : undefined;
              return (
                <li key={d.id}>
                  <Check
                    label={`${d.name}${d.enabled ? "" : " (disabled)"}`}
                    hint={d.publish_url_masked}
                    checked={i >= 0}
                    onValue={(on) => set("destination_ids", on ? [...selectedDests, d.id] : selectedDests.filter((x) => x !== d.id))}
                  />
                  {e && <div class="field-error">{e}</div>}
                </li>
              );
            })}
          </ul>
        )}
        {selectedDests.map((id, i) => {
          const e = itemError(problem, "destination_ids", i);
          return e && !dests.some((d) => d.id === id) ? (
            <div class="field-error" key={id}>
              Destination {id}: {e}
            </div>
          ) : null;
        })}
        {listError(problem, "destination_ids") && <div class="field-error">{listError(problem, "destination_ids")}</div>}
      </fieldset>

      {program && (
        <fieldset>
          <legend>Standby cameras</legend>
          <p class="hint">Kept decoded beside the camera on air, so a cut to them lands on the next frame (at most 8).</p>
          <ul class="check-list columns">
            {cams.map((c) => {
              const i = f.standby.indexOf(c.id);
              const e = i >= 0 ? itemError(problem, "standby_camera_ids", i) : undefined;
              return (
                <li key={c.id}>
                  <Check label={c.name} checked={i >= 0} onValue={(on) => set("standby", on ? [...f.standby, c.id] : f.standby.filter((x) => x !== c.id))} />
                  {e && <div class="field-error">{e}</div>}
                </li>
              );
            })}
          </ul>
          {listError(problem, "standby_camera_ids") && <div class="field-error">{listError(problem, "standby_camera_ids")}</div>}
        </fieldset>
      )}

      <fieldset>
        <legend>Encoding</legend>
        {program && (
          <SelectField<string>
            label="Profile"
            value={matching >= 0 ? String(matching) : "custom"}
            options={[...PROFILES.map((p, i) => ({ value: String(i), label: p.label })), { value: "custom", label: "Custom (below)" }]}
            onValue={(x) => {
              const p = PROFILES[Number(x)];
              if (p) setF((s) => ({ ...s, width: String(p.w), height: String(p.h), fps: String(p.fps), kbps: String(p.kbps) }));
            }}
          />
        )}
        <div class="form-grid compact">
          {program && (
            <>
              <TextField label="Width" value={f.width} onValue={(x) => set("width", x)} error={err("profile.width")} inputMode="numeric" />
              <TextField label="Height" value={f.height} onValue={(x) => set("height", x)} error={err("profile.height")} inputMode="numeric" />
              <TextField label="Frames per second" value={f.fps} onValue={(x) => set("fps", x)} error={err("profile.fps")} inputMode="numeric" />
              <TextField label="Video kbit/s" value={f.kbps} onValue={(x) => set("kbps", x)} error={err("profile.video_bitrate_kbps")} inputMode="numeric" />
              <TextField label="Keyframe every (s)" value={f.keyframe} onValue={(x) => set("keyframe", x)} error={err("profile.keyframe_interval_s")} inputMode="decimal" />
            </>
          )}
          <TextField label="Audio kbit/s" value={f.audio} onValue={(x) => set("audio", x)} error={err("profile.audio_bitrate_kbps")} inputMode="numeric" />
          {program && (
            <>
              <SelectField<Encoder>
                label="Encoder"
                hint="Automatic: a hardware encoder that passes a test, else x264."
                value={f.encoder}
                options={[
                  { value: "auto", label: "Automatic" },
                  { value: "x264", label: "x264 (software)" },
                  { value: "v4l2", label: "V4L2 (Raspberry Pi 4)" },
                  { value: "vaapi", label: "VA-API (Intel)" },
                ]}
                onValue={(x) => set("encoder", x)}
                error={err("encoder")}
              />
              <SelectField<string> label="x264 preset" value={f.preset} options={X264.includes(f.preset) ? X264 : [f.preset, ...X264]} onValue={(x) => set("preset", x)} error={err("profile.x264_preset")} />
            </>
          )}
        </div>
        {listError(problem, "profile") && <div class="field-error">{listError(problem, "profile")}</div>}
      </fieldset>

      {program && (
        <fieldset>
          <legend>Slate</legend>
          <p class="hint">Shown when no camera is on air, and within 2 s of the camera on air stalling.</p>
          <div class="form-grid">
            <TextField label="Slate text" value={f.slate_text} onValue={(x) => set("slate_text", x)} error={err("slate_text")} maxLength={200} />
            <SelectField<string>
              label="Slate image"
              value={f.slate_asset_id}
              options={[{ value: "", label: "None" }, ...images.map((a) => ({ value: String(a.id), label: a.name }))]}
              onValue={(x) => set("slate_asset_id", x)}
              error={err("slate_asset_id")}
              hint={images.length ? undefined : "Upload an image under Assets to show one."}
            />
          </div>
        </fieldset>
      )}

      <fieldset>
        <legend>Recording</legend>
        <div class="form-grid">
          <Check label="Record the output to MP4 segments" checked={f.rec} onValue={(x) => set("rec", x)} />
          <TextField label="Segment length (s)" value={f.segment} onValue={(x) => set("segment", x)} error={err("recording.segment_seconds")} inputMode="numeric" disabled={!f.rec} />
        </div>
        {errorFor(problem, "recording.enabled") && <div class="field-error">{errorFor(problem, "recording.enabled")}</div>}
      </fieldset>

      <div class="row">
        <span class="spacer" />
        {onCancel && (
          <button type="button" class="btn btn-ghost" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button class="btn btn-primary" type="submit" disabled={busy}>
          {busy ? "Saving…" : output ? "Save changes" : "Create output"}
        </button>
      </div>
    </form>
  );
}
