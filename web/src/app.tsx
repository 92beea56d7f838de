// The console's shell: sign-in gate, header, navigation, the routed page, toasts.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ComponentType } from "preact";
import { can, me, phase, role, signOut } from "./session";
import { match, navigate, path, type Params } from "./router";
import { connection, startEvents, clearEvents } from "./events";
import { clearStore, loadBasics, outputs } from "./store";
import { toasts, dismiss } from "./lib/toast";
import type { Role } from "./api/types";
import { SignIn } from "./pages/SignIn";
import { Dashboard } from "./pages/Dashboard";
import { Switcher, SwitcherIndex } from "./pages/Switcher";
import { Cameras } from "./pages/Cameras";
import { CameraNew } from "./pages/CameraNew";
import { CameraDetail } from "./pages/CameraDetail";
import { Outputs } from "./pages/Outputs";
import { OutputNew, OutputDetail } from "./pages/OutputDetail";
import { Destinations } from "./pages/Destinations";
import { Assets } from "./pages/Assets";
import { Timelines } from "./pages/Timelines";
import { TimelineEditor } from "./pages/TimelineEditor";
import { Schedules } from "./pages/Schedules";
import { Recordings } from "./pages/Recordings";
import { Users } from "./pages/Users";
import { Tokens } from "./pages/Tokens";
import { Audit } from "./pages/Audit";
import { System } from "./pages/System";
import { Account } from "./pages/Account";
import { NotFound } from "./pages/NotFound";

interface Route {
  pattern: string;
  page: ComponentType<{ params: Params }>;
  role?: Role;
}

const ROUTES: Route[] = [
  { pattern: "/", page: Dashboard },
  { pattern: "/switcher", page: SwitcherIndex },
  { pattern: "/outputs/:id/switcher", page: Switcher },
  { pattern: "/cameras", page: Cameras },
  { pattern: "/cameras/new", page: CameraNew, role: "operator" },
  { pattern: "/cameras/:id", page: CameraDetail },
  { pattern: "/outputs", page: Outputs },
  { pattern: "/outputs/new", page: OutputNew, role: "operator" },
  { pattern: "/outputs/:id", page: OutputDetail },
  { pattern: "/timelines", page: Timelines },
  { pattern: "/timelines/:id", page: TimelineEditor },
  { pattern: "/schedules", page: Schedules },
  { pattern: "/destinations", page: Destinations },
  { pattern: "/assets", page: Assets },
  { pattern: "/recordings", page: Recordings },
  { pattern: "/users", page: Users, role: "admin" },
  { pattern: "/tokens", page: Tokens },
  { pattern: "/audit", page: Audit, role: "admin" },
  { pattern: "/system", page: System },
  { pattern: "/account", page: Account },
];

const NAV: { href: string; label: string; role?: Role; group?: string }[] = [
  { href: "/", label: "Dashboard" },
  { href: "/switcher", label: "Switcher" },
  { href: "/cameras", label: "Cameras" },
  { href: "/outputs", label: "Outputs" },
  { href: "/timelines", label: "Timelines" },
  { href: "/schedules", label: "Schedules" },
  { href: "/destinations", label: "Destinations" },
  { href: "/assets", label: "Assets" },
  { href: "/recordings", label: "Recordings" },
  { href: "/system", label: "System", group: "admin" },
  { href: "/users", label: "Users", role: "admin" },
  { href: "/tokens", label: "API tokens" },
  { href: "/audit", label: "Audit log", role: "admin" },
  { href: "/account", label: "Account" },
];

function resolve(p: string): { route: Route; params: Params } | null {
  for (const route of ROUTES) {
    const params = match(route.pattern, p);
    if (params) return { route, params };
  }
  return null;
}

function isCurrent(href: string, p: string): boolean {
  if (href === "/") return p === "/";
  if (href === "/switcher") return p === "/switcher" || p.endsWith("/switcher");
  if (href === "/outputs") return p.startsWith("/outputs") && !p.endsWith("/switcher");
  return p === href || p.startsWith(href + "/");
}

function Header() {
  const user = me.value?.user;
  const conn = connection.value;
  const onAir = (outputs.value ?? []).filter((o) => o.status.state === "live").length;
  return (
    <header class="app-header">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <a href="/" class="brand">
        <span class="brand-mark" aria-hidden="true">▶</span>
        <span class="brand-name">VistterStream</span>
        <span class="brand-host muted">{location.hostname}</span>
      </a>
      <span class={`onair-pill ${onAir ? "on" : ""}`} role="status">
        {onAir ? `${onAir} on air` : "Off air"}
      </span>
      <span class={`conn conn-${conn}`} role="status" title="Live updates from the appliance">
        <span class="dot" aria-hidden="true" />
        <span class="conn-text">{conn === "open" ? "Live" : conn === "idle" ? "Offline" : "Reconnecting…"}</span>
      </span>
      <span class="spacer" />
      <nav class="header-links" aria-label="Appliance links">
        <a href="/api/docs/" target="_blank" rel="noopener">
          API docs
        </a>
        <a href="/metrics" target="_blank" rel="noopener">
          Metrics
        </a>
      </nav>
      {user && (
        <span class="who">
          <a href="/account">{user.username}</a> <span class={`role role-${role.value}`}>{role.value}</span>
        </span>
      )}
      <button type="button" class="btn btn-small" onClick={() => void signOut()}>
        Sign out
      </button>
    </header>
  );
}

function Nav({ current }: { current: string }) {
  return (
    <nav class="side-nav" aria-label="Console">
      <ul>
        {NAV.filter((n) => !n.role || can(n.role)).map((n) => (
          <li key={n.href}>
            <a href={n.href} aria-current={isCurrent(n.href, current) ? "page" : undefined}>
              {n.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Toasts() {
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.value.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`}>
          <span>{t.text}</span>
          <button type="button" class="btn btn-ghost btn-small" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}

function Signedin() {
  const p = path.value;
  const first = useRef(true);
  useEffect(() => {
    void loadBasics();
    startEvents();
    return () => {
      clearEvents();
      clearStore();
    };
  }, []);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    // After a navigation, move focus to the new page's heading (screen readers announce it).
    window.setTimeout(() => document.getElementById("page-title")?.focus(), 0);
  }, [p]);

  const found = resolve(p);
  let body;
  if (!found) body = <NotFound />;
  else if (found.route.role && !can(found.route.role)) {
    body = <NotFound reason={`This page needs the ${found.route.role} role.`} />;
  } else {
    const Page = found.route.page;
    body = <Page params={found.params} key={p} />;
  }
  return (
    <div class="shell">
      <Header />
      <Nav current={p} />
      <main id="main" class="page">
        {body}
      </main>
      <Toasts />
    </div>
  );
}

/** While the session is checked: nothing for a moment (the answer usually comes within
 * milliseconds, and a placeholder replaced that fast only makes the page jump), then a note. */
function Boot() {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    const timer = window.setTimeout(() => setSlow(true), 400);
    return () => window.clearTimeout(timer);
  }, []);
  if (!slow) return null;
  return (
    <main id="main" class="boot" aria-busy="true">
      <h1 class="visually-hidden">VistterStream</h1>
      <p class="muted">Connecting to the appliance…</p>
    </main>
  );
}

export function App() {
  if (phase.value === "checking") return <Boot />;
  if (phase.value === "signed-out") return <SignIn />;
  return <Signedin />;
}

export { navigate };
