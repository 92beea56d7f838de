// Every camera with its live picture and health.
import { cameras } from "../store";
import { CameraTile } from "../components/CameraTile";
import { Empty, Loading, PageHeader } from "../components/ui";
import { can } from "../session";
import { useTitle } from "../lib/hooks";

export function Cameras() {
  useTitle("Cameras");
  const list = cameras.value;
  return (
    <>
      <PageHeader title="Cameras" sub={list ? `${list.length} camera${list.length === 1 ? "" : "s"}` : undefined}>
        {can("operator") && (
          <a class="btn btn-primary" href="/cameras/new">
            Add camera
          </a>
        )}
      </PageHeader>
      {!list ? (
        <Loading />
      ) : list.length === 0 ? (
        <Empty>
          No cameras yet.{" "}
          {can("operator") && (
            <>
              <a href="/cameras/new">Add one</a> by address or by discovery.
            </>
          )}
        </Empty>
      ) : (
        <section aria-labelledby="all-cameras">
          <h2 id="all-cameras" class="visually-hidden">All cameras</h2>
          <div class="grid grid-cameras">
          {list.map((c) => (
            <CameraTile c={c} key={c.id}>
              <p class="small muted">
                {c.kind === "ptz" ? "PTZ" : "Fixed"} · {c.vendor} · <code>{c.rtsp_url}</code>
              </p>
            </CameraTile>
          ))}
          </div>
        </section>
      )}
    </>
  );
}
