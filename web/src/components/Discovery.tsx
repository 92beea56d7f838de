// Find cameras: WS-Discovery on the appliance's network and/or an RTSP scan of a range;
// every candidate carries a ready camera body, added with one click.
import { useState } from "preact/hooks";
import type { Camera, CameraInput, Candidate, DiscoveryReport, DiscoveryRequest, Problem } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { errorFor, numOrNull, orNull } from "../lib/forms";
import { Check, FormProblem, TextField } from "./ui";
import type { CameraBody } from "./CameraForm";
import { toast } from "../lib/toast";

const FIELDS = ["interface", "timeout_ms", "onvif", "scan", "username", "password"];

export function Discovery({ onAdded, onEdit }: { onAdded: (c: Camera) => void; onEdit: (seed: Partial<CameraInput>) => void }) {
  const [iface, setIface] = useState("");
  const [timeout, setTimeoutMs] = useState("2000");
  const [onvif, setOnvif] = useState(true);
  const [target, setTarget] = useState("");
  const [ports, setPorts] = useState("");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<DiscoveryReport | null>(null);
  const [adding, setAdding] = useState<string | null>(null);
  const [added, setAdded] = useState<Record<string, number>>({});
  const [addErrors, setAddErrors] = useState<Record<string, string>>({});
  const err = (p: string) => errorFor(problem, p);

  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    setReport(null);
    const body: DiscoveryRequest = {
      interface: orNull(iface),
      timeout_ms: numOrNull(timeout),
      onvif,
      username: orNull(username),
      password: password === "" ? null : password,
    };
    if (target.trim()) {
      body.scan = {
        target: target.trim(),
        ports: ports.trim() ? ports.split(/[\s,]+/).filter(Boolean).map(Number) : null,
      };
    }
    try {
      setReport(await unwrap(api.POST("/api/v1/discovery", { body })));
    } catch (er) {
      setProblem(problemOf(er));
    } finally {
      setBusy(false);
    }
  };

  const key = (c: Candidate) => `${c.address}|${c.rtsp_urls[0] ?? ""}`;

  const add = async (c: Candidate) => {
    const k = key(c);
    setAdding(k);
    setAddErrors((m) => ({ ...m, [k]: "" }));
    // The server's proposal, as is (plus the password typed above).
    const proposed = c.camera as CameraBody;
    const body: CameraBody = password ? { ...proposed, password } : proposed;
    try {
      const cam = await unwrap(api.POST("/api/v1/cameras", { body }));
      setAdded((m) => ({ ...m, [k]: cam.id }));
      toast(`${cam.name} added`);
      onAdded(cam);
    } catch (er) {
      const p = problemOf(er);
      setAddErrors((m) => ({ ...m, [k]: p.field ? `${p.field}: ${p.detail}` : p.detail }));
    } finally {
      setAdding(null);
    }
  };

  return (
    <div class="discovery">
      <form class="form" onSubmit={run} noValidate>
        <FormProblem problem={problem} fields={FIELDS} />
        <div class="form-grid">
          <TextField label="Network interface" value={iface} onValue={setIface} error={err("interface")} placeholder="default" hint="Name (eth0) or IPv4 address." />
          <TextField label="Listen for (ms)" value={timeout} onValue={setTimeoutMs} error={err("timeout_ms")} inputMode="numeric" hint="200–10000" />
          <div class="field">
            <span class="label-like">ONVIF</span>
            <Check label="WS-Discovery probe" checked={onvif} onValue={setOnvif} />
          </div>
        </div>
        <div class="form-grid">
          <TextField label="Scan address or range (optional)" value={target} onValue={setTarget} error={err("scan.target")} placeholder="192.168.1.0/24" hint="At most a /24; probes RTSP on the vendors' paths." />
          <TextField label="RTSP ports" value={ports} onValue={setPorts} error={err("scan.ports")} placeholder="554" hint="Up to 4, comma separated." />
        </div>
        <div class="form-grid">
          <TextField label="Username to try" value={username} onValue={setUsername} error={err("username")} autoComplete="off" />
          <TextField label="Password to try" type="password" value={password} onValue={setPassword} error={err("password")} autoComplete="new-password" hint="Also used when you add a camera below." />
        </div>
        <div class="row">
          <button class="btn btn-primary" type="submit" disabled={busy}>
            {busy ? "Searching…" : "Search"}
          </button>
        </div>
      </form>

      {report && (
        <section aria-labelledby="disc-results" class="discovery-results">
          <h3 id="disc-results">
            {report.candidates.length} found
            <span class="muted small">
              {" "}
              · {report.probes_sent} probes{report.interface ? ` from ${report.interface.name} (${report.interface.address})` : ""}, {report.replies} replies, {report.hosts_scanned} hosts scanned
            </span>
          </h3>
          {report.candidates.length === 0 && <p class="muted">Nothing answered. Try a scan of the cameras' address range, with credentials.</p>}
          <ul class="candidates">
            {report.candidates.map((c) => {
              const k = key(c);
              const existing = added[k] ?? c.existing_camera_id;
              return (
                <li key={k} class="card candidate">
                  <div class="card-body">
                    <div class="card-title">
                      <h4>{c.name || c.model || c.address}</h4>
                      <span class="muted small">{c.sources.join(" + ")}</span>
                    </div>
                    <dl class="kv small">
                      <dt>Address</dt>
                      <dd>{c.address}</dd>
                      <dt>Device</dt>
                      <dd>{[c.manufacturer, c.model].filter(Boolean).join(" ") || "—"} {c.vendor ? `(${c.vendor} profile)` : ""}</dd>
                      <dt>Streams</dt>
                      <dd>{c.rtsp_urls.length ? c.rtsp_urls.map((u) => <code key={u}>{u}</code>) : c.rtsp_auth_required ? "needs credentials to list" : "—"}</dd>
                      <dt>PTZ</dt>
                      <dd>{c.ptz == null ? "unknown" : c.ptz ? "yes" : "no"}</dd>
                    </dl>
                    {addErrors[k] && <p class="field-error">{addErrors[k]}</p>}
                    <div class="row">
                      {existing ? (
                        <a class="btn btn-small" href={`/cameras/${existing}`}>
                          Already added — open
                        </a>
                      ) : (
                        <>
                          <button type="button" class="btn btn-small btn-primary" disabled={adding === k} onClick={() => void add(c)}>
                            {adding === k ? "Adding…" : "Add"}
                          </button>
                          <button type="button" class="btn btn-small" onClick={() => onEdit(c.camera as CameraInput)}>
                            Review first
                          </button>
                        </>
                      )}
                    </div>
                  </div>
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </div>
  );
}
