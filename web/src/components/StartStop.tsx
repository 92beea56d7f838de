import { useState } from "preact/hooks";
import type { Output } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { reloadOutput } from "../store";
import { toast } from "../lib/toast";

/** Start or stop an output (its desired state, kept across restarts of the appliance). */
export function StartStop({ o, small }: { o: Output; small?: boolean }) {
  const [busy, setBusy] = useState(false);
  const on = o.running;
  const act = async () => {
    setBusy(true);
    try {
      const params = { params: { path: { id: o.id } } };
      if (on) await unwrap(api.POST("/api/v1/outputs/{id}/stop", params));
      else await unwrap(api.POST("/api/v1/outputs/{id}/start", params));
      toast(on ? `${o.name} stopped` : `${o.name} starting`);
      await reloadOutput(o.id);
    } catch (e) {
      toast(`${o.name}: ${problemOf(e).detail}`, "error");
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" class={`btn ${small ? "btn-small" : ""} ${on ? "btn-danger-outline" : "btn-go"}`} disabled={busy} onClick={act}>
      {busy ? (on ? "Stopping…" : "Starting…") : on ? "Stop output" : "Start output"}
    </button>
  );
}
