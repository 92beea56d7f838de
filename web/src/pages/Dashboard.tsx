// The first page: every output with its program picture, the cameras' health, the events.
import { cameras, outputs } from "../store";
import { OutputCard } from "../components/OutputCard";
import { CameraTile } from "../components/CameraTile";
import { EventFeed } from "../components/EventFeed";
import { Empty, Loading, PageHeader } from "../components/ui";
import { useTitle } from "../lib/hooks";
import { can } from "../session";

export function Dashboard() {
  useTitle("Dashboard");
  const outs = outputs.value;
  const cams = cameras.value;
  const onAir = new Map<number, string>();
  for (const o of outs ?? []) {
    if (o.status.state === "live" && o.status.showing.kind === "camera") onAir.set(o.status.showing.camera_id, o.name);
  }
  const healthy = (cams ?? []).filter((c) => c.status.state === "streaming").length;
  return (
    <>
      {/* The line is there from the start (and the lists come together) so nothing moves
          when the data arrives. */}
      <PageHeader title="Dashboard" sub={cams ? `${healthy} of ${cams.length} cameras streaming` : "\u00a0"} />
      {!outs || !cams ? (
        <Loading />
      ) : (
        <div class="dash">
          <div class="dash-main">
            <section aria-labelledby="dash-outputs">
              <h2 id="dash-outputs">Outputs</h2>
              {outs.length === 0 ? (
                <Empty>
                  No outputs yet. {can("operator") && <a href="/outputs/new">Create the program</a>}
                </Empty>
              ) : (
                <div class="grid grid-outputs">
                  {outs.map((o) => (
                    <OutputCard o={o} key={o.id} />
                  ))}
                </div>
              )}
            </section>
            <section aria-labelledby="dash-cameras">
              <h2 id="dash-cameras">Cameras</h2>
              {cams.length === 0 ? (
                <Empty>
                  No cameras yet. {can("operator") && <a href="/cameras/new">Add a camera</a>}
                </Empty>
              ) : (
                <div class="grid grid-cameras">
                  {cams.map((c) => (
                    <CameraTile c={c} key={c.id} tally={onAir.has(c.id) ? "onair" : null} />
                  ))}
                </div>
              )}
            </section>
          </div>
          <section aria-labelledby="dash-events" class="panel feed-panel">
            <h2 id="dash-events">Events</h2>
            <EventFeed />
          </section>
        </div>
      )}
    </>
  );
}
