// Every output off air at once (cameras keep running), behind a confirmation.
import { api, problemOf, unwrap } from "../api/client";
import { loadOutputs, outputName } from "../store";
import { toast } from "../lib/toast";
import { Confirm } from "./ui";

export function EmergencyStop({ open, onClose }: { open: boolean; onClose: () => void }) {
  const stop = async () => {
    try {
      const r = await unwrap(api.POST("/api/v1/outputs/stop-all"));
      toast(r.stopped.length ? `Stopped: ${r.stopped.map(outputName).join(", ")}` : "Nothing was on air", r.stopped.length ? "ok" : "info");
      await loadOutputs();
      onClose();
    } catch (e) {
      toast(`Emergency stop: ${problemOf(e).detail}`, "error");
    }
  };
  return (
    <Confirm
      open={open}
      title="Emergency stop"
      danger
      confirm="Stop every output"
      message={
        <p>
          Every output goes off air now: publishing to every destination and recording stop. Cameras keep running. Outputs stay stopped until you
          start them again.
        </p>
      }
      onConfirm={stop}
      onClose={onClose}
    />
  );
}
