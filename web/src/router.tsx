// A small router on the History API: the server answers index.html for every console path,
// so /cameras/3 works on reload. Links are plain <a href>; clicks on same-origin console
// links are turned into pushState navigations.
import { signal } from "@preact/signals";

export const path = signal<string>(location.pathname);

/** Paths the appliance serves itself (never routed in the page). */
const SERVER_PATHS = /^\/(api|metrics|healthz|readyz)(\/|$)/;

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  path.value = location.pathname;
  window.scrollTo(0, 0);
}

window.addEventListener("popstate", () => {
  path.value = location.pathname;
});

document.addEventListener("click", (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
    return;
  }
  const a = (e.target as Element | null)?.closest?.("a");
  if (!a || a.target || a.hasAttribute("download") || a.origin !== location.origin) return;
  if (SERVER_PATHS.test(a.pathname)) return;
  e.preventDefault();
  navigate(a.pathname + a.search);
});

export type Params = Record<string, string>;

/** Matches `/outputs/:id/switcher` against a path; returns the parameters or null. */
export function match(pattern: string, p: string): Params | null {
  const a = pattern.split("/").filter(Boolean);
  const b = p.split("/").filter(Boolean);
  if (a.length !== b.length) return null;
  const params: Params = {};
  for (let i = 0; i < a.length; i++) {
    const seg = a[i] as string;
    const val = b[i] as string;
    if (seg.startsWith(":")) params[seg.slice(1)] = decodeURIComponent(val);
    else if (seg !== val) return null;
  }
  return params;
}
