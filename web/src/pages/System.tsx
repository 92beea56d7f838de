// The appliance itself: version, readiness, and the health of every actor as the event
// stream reports it.
import { api, toProblem } from "../api/client";
import type { Health, Readiness } from "../api/types";
import { cameraStates, connection, destinationStates, outputStates, ptzStates } from "../events";
import { cameraName, destinationName, outputName } from "../store";
import { dateTime, duration } from "../lib/format";
import { useLoad, useTitle } from "../lib/hooks";
import { PageHeader, ProblemBox } from "../components/ui";
import { StateBadge } from "../components/StateBadge";

async function readiness(): Promise<Readiness> {
  const { data, error, response } = await api.GET("/readyz");
  if (data) return data;
  // 503 carries the same body, saying what is not ready.
  const body = error as unknown;
  if (body && typeof body === "object" && "ready" in body) return body as Readiness;
  throw toProblem(error, response);
}

export function System() {
  useTitle("System");
  const health = useLoad<Health>(async () => {
    const { data, error, response } = await api.GET("/healthz");
    if (!data) throw toProblem(error, response);
    return data;
  }, []);
  const ready = useLoad(readiness, []);

  const rows: { kind: string; name: string; href?: string; state: string; reason: string | null; at: string }[] = [];
  for (const e of cameraStates.value.values()) rows.push({ kind: "Camera", name: cameraName(e.camera_id), href: `/cameras/${e.camera_id}`, state: e.state, reason: e.reason, at: e.at });
  for (const e of ptzStates.value.values()) rows.push({ kind: "PTZ", name: cameraName(e.camera_id), href: `/cameras/${e.camera_id}`, state: e.state, reason: e.reason, at: e.at });
  for (const e of outputStates.value.values()) rows.push({ kind: "Output", name: outputName(e.output_id), href: `/outputs/${e.output_id}`, state: e.state, reason: e.reason, at: e.at });
  for (const e of destinationStates.value.values()) {
    rows.push({ kind: "Destination", name: `${outputName(e.output_id)} → ${destinationName(e.destination_id)}`, href: `/outputs/${e.output_id}`, state: e.state, reason: e.reason, at: e.at });
  }

  const r = ready.data;
  return (
    <>
      <PageHeader title="System" />
      <div class="grid grid-system">
        <section class="panel" aria-labelledby="sys-app">
          <h2 id="sys-app">Appliance</h2>
          <ProblemBox problem={health.problem as never} />
          <dl class="kv">
            <dt>Version</dt>
            <dd>{health.data ? `VistterStream ${health.data.version}` : "…"}</dd>
            <dt>Process</dt>
            <dd>{health.data ? <StateBadge state={health.data.status === "ok" ? "up" : "down"} label={health.data.status} /> : "…"}</dd>
            <dt>Uptime</dt>
            <dd>{r ? duration(r.uptime_s) : "…"}</dd>
            <dt>Ready</dt>
            <dd>{r ? <StateBadge state={r.ready ? "ready" : "down"} label={r.ready ? "ready" : "not ready"} /> : "…"}</dd>
            <dt>Database</dt>
            <dd>{r ? (r.database ? "answers" : "not answering") : "…"}</dd>
            <dt>Media runtime</dt>
            <dd>{r ? (r.runtime ? "alive" : "not running") : "…"}</dd>
            <dt>Live updates</dt>
            <dd>{connection.value === "open" ? "connected" : connection.value}</dd>
            <dt>Address</dt>
            <dd>{location.host}</dd>
          </dl>
          <div class="row">
            <button type="button" class="btn btn-small" onClick={() => { void health.reload(); void ready.reload(); }}>
              Check again
            </button>
          </div>
        </section>
        <section class="panel" aria-labelledby="sys-links">
          <h2 id="sys-links">For engineers</h2>
          <ul class="plain-list">
            <li>
              <a href="/metrics" target="_blank" rel="noopener">
                Prometheus metrics
              </a>{" "}
              <span class="muted small">/metrics</span>
            </li>
            <li>
              <a href="/api/docs/" target="_blank" rel="noopener">
                API documentation
              </a>{" "}
              <span class="muted small">/api/docs/</span>
            </li>
            <li>
              <a href="/api/v1/openapi.json" target="_blank" rel="noopener">
                OpenAPI document
              </a>
            </li>
          </ul>
        </section>
      </div>
      <section class="panel" aria-labelledby="sys-actors">
        <h2 id="sys-actors">Actors</h2>
        {rows.length === 0 ? (
          <p class="muted">No actor has reported yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Name</th>
                  <th scope="col">State</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Since</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((x) => (
                  <tr key={`${x.kind}-${x.name}`}>
                    <td>{x.kind}</td>
                    <td>{x.href ? <a href={x.href}>{x.name}</a> : x.name}</td>
                    <td>
                      <StateBadge state={x.state} />
                    </td>
                    <td>{x.reason ?? ""}</td>
                    <td class="nowrap">{dateTime(x.at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
