// Add or edit a camera: vendor profile, the stream address (a URL, or host/port/path filled
// from the vendor's profile), credentials, PTZ settings, and a connection test of the form
// as it stands (nothing saved).
import { useState } from "preact/hooks";
import type { Camera, CameraInput, CameraKind, CameraPatch, Problem, PtzQuirk, TestResult, Vendor } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { errorFor, numOrNull, orNull } from "../lib/forms";
import { Check, Field, FormProblem, SelectField, TextField } from "./ui";
import { fps, resolution } from "../lib/format";

/** The vendors' main-stream defaults (mirrors the appliance's vendor profiles). */
export const VENDORS: Record<Vendor, { label: string; port: number; path: string; onvif: number }> = {
  generic: { label: "Generic ONVIF/RTSP", port: 554, path: "/stream1", onvif: 80 },
  reolink: { label: "Reolink", port: 554, path: "/Preview_01_main", onvif: 8000 },
  sunba: { label: "Sunba", port: 554, path: "/stream0", onvif: 8899 },
  hikvision: { label: "Hikvision", port: 554, path: "/Streaming/Channels/101", onvif: 80 },
  dahua: { label: "Dahua", port: 554, path: "/cam/realmonitor?channel=1&subtype=0", onvif: 80 },
  amcrest: { label: "Amcrest", port: 554, path: "/cam/realmonitor?channel=1&subtype=0", onvif: 80 },
};

const QUIRKS: { value: PtzQuirk; label: string }[] = [
  { value: "stop_by_zero_velocity", label: "Stop by a zero-speed move (camera ignores Stop)" },
  { value: "ignore_position", label: "Ignore reported position (camera reports nonsense)" },
];

const FIELDS = ["name", "kind", "vendor", "rtsp_url", "host", "port", "path", "username", "password", "onvif_port", "onvif_profile", "ptz_quirks", "snapshot_url", "enabled"];

interface FormState {
  name: string;
  kind: CameraKind;
  vendor: Vendor;
  addressing: "url" | "host";
  rtsp_url: string;
  host: string;
  port: string;
  path: string;
  username: string;
  password: string;
  clearPassword: boolean;
  onvif_port: string;
  onvif_profile: string;
  quirks: PtzQuirk[];
  snapshot_url: string;
  enabled: boolean;
}

function initial(c?: Camera, seed?: Partial<CameraInput>): FormState {
  const s = seed ?? {};
  return {
    name: c?.name ?? s.name ?? "",
    kind: c?.kind ?? s.kind ?? "fixed",
    vendor: c?.vendor ?? s.vendor ?? "generic",
    addressing: c ? "host" : s.host && !s.rtsp_url ? "host" : "url",
    rtsp_url: s.rtsp_url ?? "",
    host: c?.host ?? s.host ?? "",
    port: String(c?.port ?? s.port ?? ""),
    path: c?.path ?? s.path ?? "",
    username: c?.username ?? s.username ?? "",
    password: "",
    clearPassword: false,
    onvif_port: String(c?.onvif_port ?? s.onvif_port ?? ""),
    onvif_profile: c?.onvif_profile ?? s.onvif_profile ?? "",
    quirks: c?.ptz_quirks ?? s.ptz_quirks ?? [],
    snapshot_url: c?.snapshot_url ?? s.snapshot_url ?? "",
    enabled: c?.enabled ?? s.enabled ?? true,
  };
}

/** The two shapes of a camera body (the keys of the other shape left out altogether). */
export type CameraBody =
  | Omit<Extract<CameraInput, { rtsp_url: string }>, "host" | "port" | "path">
  | Omit<Extract<CameraInput, { host: string }>, "rtsp_url">;

function toInput(f: FormState): CameraBody {
  const common = {
    name: f.name.trim(),
    kind: f.kind,
    vendor: f.vendor,
    username: orNull(f.username),
    password: f.password === "" ? null : f.password,
    onvif_port: f.kind === "ptz" ? numOrNull(f.onvif_port) : null,
    onvif_profile: f.kind === "ptz" ? orNull(f.onvif_profile) : null,
    ptz_quirks: f.kind === "ptz" ? f.quirks : [],
    snapshot_url: orNull(f.snapshot_url),
    enabled: f.enabled,
  };
  // Either the URL or the host (empty ones go as given, so the server names the field).
  return f.addressing === "url"
    ? { ...common, rtsp_url: f.rtsp_url.trim() }
    : { ...common, host: f.host.trim(), port: numOrNull(f.port), path: orNull(f.path) };
}

/** The two shapes of a camera change, as for a new camera. */
type CameraPatchBody =
  | Omit<Extract<CameraPatch, { rtsp_url: string }>, "host" | "port" | "path">
  | Omit<Extract<CameraPatch, { rtsp_url?: null }>, "rtsp_url">;

function toPatch(f: FormState, c: Camera): CameraPatchBody {
  const { password: _typed, ...rest } = toInput(f);
  const patch: CameraPatchBody = rest;
  if (f.clearPassword) patch.password = null;
  else if (f.password !== "") patch.password = f.password;
  else if (!c.has_password) delete patch.password;
  return patch;
}

export function TestOutcome({ r }: { r: TestResult }) {
  if (r.ok) {
    return (
      <div class="alert alert-ok" role="status">
        <strong>Connected.</strong> {r.codec ?? "?"} {r.profile ?? ""} · {resolution(r.width, r.height)} · {fps(r.fps)} · audio {r.audio_codec ?? "none"}
        {r.first_keyframe_ms != null && <> · first keyframe after {r.first_keyframe_ms} ms</>}
      </div>
    );
  }
  const kinds: Record<string, string> = {
    auth: "Wrong username or password",
    not_found: "No stream at that path",
    unreachable: "Camera unreachable",
    timeout: "No answer in time",
    unsupported_codec: "Codec not supported",
    protocol: "RTSP protocol error",
    ended: "Stream ended at once",
  };
  return (
    <div class="alert alert-bad" role="status">
      <strong>{kinds[r.error_kind ?? ""] ?? "Connection failed"}.</strong> {r.error}
    </div>
  );
}

interface Props {
  camera?: Camera;
  seed?: Partial<CameraInput>;
  onSaved: (c: Camera) => void;
  onCancel?: () => void;
}

export function CameraForm({ camera, seed, onSaved, onCancel }: Props) {
  const [f, setF] = useState<FormState>(() => initial(camera, seed));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState<"save" | "test" | null>(null);
  const [test, setTest] = useState<{ result: TestResult; stored: boolean } | null>(null);
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setF((s) => ({ ...s, [k]: v }));
  const err = (path: string) => errorFor(problem, path);
  const v = VENDORS[f.vendor];

  const runTest = async () => {
    setBusy("test");
    setProblem(null);
    setTest(null);
    try {
      // The stored password never comes back to the browser: with an unchanged password the
      // saved camera is tested with its stored credentials.
      const stored = !!camera && camera.has_password && f.password === "" && !f.clearPassword;
      const result = stored
        ? await unwrap(api.POST("/api/v1/cameras/{id}/test", { params: { path: { id: camera.id } } }))
        : // A test needs no name yet (the API's body wants one).
          await unwrap(api.POST("/api/v1/cameras/test", { body: toInput(f.name.trim() ? f : { ...f, name: "Connection test" }) }));
      setTest({ result, stored });
    } catch (e) {
      setProblem(problemOf(e));
    } finally {
      setBusy(null);
    }
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy("save");
    setProblem(null);
    try {
      const saved = camera
        ? await unwrap(api.PATCH("/api/v1/cameras/{id}", { params: { path: { id: camera.id } }, body: toPatch(f, camera) }))
        : await unwrap(api.POST("/api/v1/cameras", { body: toInput(f) }));
      onSaved(saved);
    } catch (er) {
      setProblem(problemOf(er));
    } finally {
      setBusy(null);
    }
  };

  return (
    <form class="form" onSubmit={save} noValidate>
      <FormProblem problem={problem} fields={FIELDS} />
      <div class="form-grid">
        <TextField label="Name" value={f.name} onValue={(x) => set("name", x)} error={err("name")} required maxLength={100} />
        <SelectField
          label="Vendor profile"
          value={f.vendor}
          options={(Object.keys(VENDORS) as Vendor[]).map((k) => ({ value: k, label: VENDORS[k].label }))}
          onValue={(x) => set("vendor", x)}
          error={err("vendor")}
          hint="Fills the RTSP port and path and the ONVIF port you leave empty."
        />
        <SelectField
          label="Kind"
          value={f.kind}
          options={[
            { value: "fixed", label: "Fixed camera" },
            { value: "ptz", label: "PTZ (ONVIF pan/tilt/zoom)" },
          ]}
          onValue={(x) => set("kind", x)}
          error={err("kind")}
        />
      </div>

      <fieldset>
        <legend>Stream address</legend>
        <div class="segmented" role="radiogroup" aria-label="Give the address as">
          <label>
            <input type="radio" name="addressing" checked={f.addressing === "url"} onChange={() => set("addressing", "url")} /> RTSP URL
          </label>
          <label>
            <input type="radio" name="addressing" checked={f.addressing === "host"} onChange={() => set("addressing", "host")} /> Host, port and path
          </label>
        </div>
        {f.addressing === "url" ? (
          <TextField
            label="RTSP URL"
            value={f.rtsp_url}
            onValue={(x) => set("rtsp_url", x)}
            error={err("rtsp_url")}
            placeholder={`rtsp://192.168.1.20:${v.port}${v.path}`}
            hint={camera ? "Replaces the host, port and path below when given." : "Credentials in the URL are moved to the username and password."}
            spellcheck={false}
            autoComplete="off"
          />
        ) : (
          <div class="form-grid">
            <TextField label="Host" value={f.host} onValue={(x) => set("host", x)} error={err("host")} placeholder="192.168.1.20" spellcheck={false} />
            <TextField label="RTSP port" value={f.port} onValue={(x) => set("port", x)} error={err("port")} placeholder={String(v.port)} inputMode="numeric" />
            <TextField label="Path" value={f.path} onValue={(x) => set("path", x)} error={err("path")} placeholder={v.path} spellcheck={false} />
          </div>
        )}
      </fieldset>

      <fieldset>
        <legend>Credentials</legend>
        <div class="form-grid">
          <TextField label="Username" value={f.username} onValue={(x) => set("username", x)} error={err("username")} autoComplete="off" spellcheck={false} />
          <TextField
            label="Password"
            type="password"
            value={f.password}
            onValue={(x) => set("password", x)}
            error={err("password")}
            autoComplete="new-password"
            disabled={f.clearPassword}
            placeholder={camera?.has_password ? "•••••••• (stored)" : ""}
            hint={camera?.has_password ? "A password is stored. Leave empty to keep it." : "Stored encrypted; never shown again."}
          />
        </div>
        {camera?.has_password && <Check label="Remove the stored password" checked={f.clearPassword} onValue={(x) => set("clearPassword", x)} />}
      </fieldset>

      {f.kind === "ptz" && (
        <fieldset>
          <legend>PTZ (ONVIF)</legend>
          <div class="form-grid">
            <TextField
              label="ONVIF port"
              value={f.onvif_port}
              onValue={(x) => set("onvif_port", x)}
              error={err("onvif_port")}
              placeholder={String(v.onvif)}
              inputMode="numeric"
              hint="Tried first, then 8899, 8000, 80."
            />
            <TextField label="ONVIF media profile" value={f.onvif_profile} onValue={(x) => set("onvif_profile", x)} error={err("onvif_profile")} placeholder="first with PTZ" />
          </div>
          <div class="checks" role="group" aria-label="Workarounds">
            {QUIRKS.map((q) => (
              <Check
                key={q.value}
                label={q.label}
                checked={f.quirks.includes(q.value)}
                onValue={(on) => set("quirks", on ? [...f.quirks, q.value] : f.quirks.filter((x) => x !== q.value))}
              />
            ))}
          </div>
          {err("ptz_quirks") && <div class="field-error">{err("ptz_quirks")}</div>}
        </fieldset>
      )}

      <fieldset>
        <legend>More</legend>
        <TextField
          label="HTTP snapshot URL (optional)"
          value={f.snapshot_url}
          onValue={(x) => set("snapshot_url", x)}
          error={err("snapshot_url")}
          placeholder="http://192.168.1.20/cgi-bin/snapshot.cgi"
          hint="Used for pictures when the stream has none. The camera's username and password are used."
          spellcheck={false}
        />
        <Field label="Enabled" error={err("enabled")}>
          {({ id }) => (
            <label class="check">
              <input id={id} type="checkbox" checked={f.enabled} onChange={(e) => set("enabled", e.currentTarget.checked)} />
              <span>Connect to this camera</span>
            </label>
          )}
        </Field>
      </fieldset>

      {test && (
        <div class="test-result">
          <TestOutcome r={test.result} />
          {test.stored && <p class="muted small">Tested the saved settings with the stored password. Save first to test changed settings.</p>}
        </div>
      )}
      <div class="row">
        <button type="button" class="btn" onClick={runTest} disabled={busy !== null}>
          {busy === "test" ? "Testing…" : "Test connection"}
        </button>
        <span class="spacer" />
        {onCancel && (
          <button type="button" class="btn btn-ghost" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy !== null}>
          {busy === "save" ? "Saving…" : camera ? "Save changes" : "Add camera"}
        </button>
      </div>
    </form>
  );
}
