// Every output with its program picture and state.
import { useState } from "preact/hooks";
import { outputs } from "../store";
import { OutputCard } from "../components/OutputCard";
import { EmergencyStop } from "../components/EmergencyStop";
import { Empty, Loading, PageHeader } from "../components/ui";
import { can } from "../session";
import { useTitle } from "../lib/hooks";

export function Outputs() {
  useTitle("Outputs");
  const list = outputs.value;
  const [stopAll, setStopAll] = useState(false);
  const anyLive = (list ?? []).some((o) => o.running || o.status.state !== "stopped");
  return (
    <>
      <PageHeader title="Outputs" sub="Programs (cuts, slate, overlays) and relays (one camera copied).">
        {can("operator") && (
          <>
            <a class="btn btn-primary" href="/outputs/new">
              New output
            </a>
            <button type="button" class="btn btn-danger" disabled={!anyLive} onClick={() => setStopAll(true)}>
              Emergency stop
            </button>
          </>
        )}
      </PageHeader>
      {!list ? (
        <Loading />
      ) : list.length === 0 ? (
        <Empty>No outputs yet.</Empty>
      ) : (
        <section aria-labelledby="all-outputs">
          <h2 id="all-outputs" class="visually-hidden">All outputs</h2>
          <div class="grid grid-outputs">
            {list.map((o) => (
              <OutputCard o={o} key={o.id} />
            ))}
          </div>
        </section>
      )}
      <EmergencyStop open={stopAll} onClose={() => setStopAll(false)} />
    </>
  );
}
