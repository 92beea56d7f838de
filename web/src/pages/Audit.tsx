// Every recorded change, newest first, a page at a time (admin only).
import { useState } from "preact/hooks";
import { api, unwrap } from "../api/client";
import { dateTime } from "../lib/format";
import { useLoad, useTitle } from "../lib/hooks";
import { Empty, Loading, PageHeader, ProblemBox } from "../components/ui";

const PAGE = 50;

function detailText(d: string | null | undefined): string {
  if (!d) return "";
  try {
    const o = JSON.parse(d) as Record<string, unknown>;
    return Object.entries(o)
      .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
      .join(" · ");
  } catch {
    return d;
  }
}

export function Audit() {
  useTitle("Audit log");
  // before_id of each page shown so far (undefined = the newest page).
  const [stack, setStack] = useState<(number | undefined)[]>([undefined]);
  const before = stack[stack.length - 1];
  const page = useLoad(
    () => unwrap(api.GET("/api/v1/audit", { params: { query: before === undefined ? { limit: PAGE } : { limit: PAGE, before_id: before } } })),
    [before],
  );
  const rows = page.data ?? [];
  const last = rows[rows.length - 1];
  return (
    <>
      <PageHeader title="Audit log" sub="Who changed what, and failed sign-ins.">
        <button type="button" class="btn" disabled={stack.length === 1} onClick={() => setStack([undefined])}>
          Newest
        </button>
        <button type="button" class="btn" disabled={stack.length === 1} onClick={() => setStack(stack.slice(0, -1))}>
          Newer
        </button>
        <button type="button" class="btn" disabled={rows.length < PAGE || !last} onClick={() => last && setStack([...stack, last.id])}>
          Older
        </button>
      </PageHeader>
      <ProblemBox problem={page.problem} onRetry={() => void page.reload()} />
      {page.loading && !page.data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>Nothing recorded{stack.length > 1 ? " before this" : ""}.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="audit">
            <caption class="visually-hidden">Audit entries, page {stack.length}</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td class="nowrap">{dateTime(r.at)}</td>
                  <td>{r.username ?? (r.user_id != null ? `user ${r.user_id}` : "—")}</td>
                  <td>
                    <code>{r.action}</code>
                  </td>
                  <td>{r.target ?? ""}</td>
                  <td class="small">{detailText(r.detail)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted small">Page {stack.length}</p>
    </>
  );
}
