// Small hooks shared by the pages.
import { useEffect, useRef, useState } from "preact/hooks";
import { signal } from "@preact/signals";
import { problemOf } from "../api/client";
import type { Problem } from "../api/types";

/** Whether the page is visible (players and picture refreshes pause when it is not). */
export const pageVisible = signal<boolean>(document.visibilityState === "visible");
document.addEventListener("visibilitychange", () => {
  pageVisible.value = document.visibilityState === "visible";
});

export interface Loaded<T> {
  data: T | undefined;
  problem: Problem | null;
  loading: boolean;
  reload: () => Promise<void>;
  set: (v: T) => void;
}

/** Runs `load` on mount and whenever `deps` change; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(true);
  const latest = useRef(0);
  const run = async () => {
    const n = ++latest.current;
    setLoading(true);
    try {
      const v = await load();
      if (n === latest.current) {
        setData(v);
        setProblem(null);
      }
    } catch (e) {
      if (n === latest.current) setProblem(problemOf(e));
    } finally {
      if (n === latest.current) setLoading(false);
    }
  };
  useEffect(() => {
    void run();
  }, deps);
  return { data, problem, loading, reload: run, set: setData };
}

/** Calls `fn` every `ms` while `active`. */
export function useInterval(fn: () => void, ms: number, active = true): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!active) return;
    const t = window.setInterval(() => saved.current(), ms);
    return () => window.clearInterval(t);
  }, [ms, active]);
}

/** Whether the element is (near) on screen. */
export function useInView<E extends Element>(ref: { current: E | null }): boolean {
  const [inView, setInView] = useState(true);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === "undefined") return;
    const io = new IntersectionObserver((entries) => {
      const last = entries[entries.length - 1];
      if (last) setInView(last.isIntersecting);
    }, { rootMargin: "200px" });
    io.observe(el);
    return () => io.disconnect();
  }, [ref.current]);
  return inView;
}

/** Seconds counted on from a value fetched at `since` (ms epoch), ticking once a second. */
export function useCountUp(seconds: number | null | undefined, since: number, running: boolean): number | null {
  const [now, setNow] = useState(Date.now());
  useInterval(() => setNow(Date.now()), 1000, running && seconds != null);
  if (seconds == null) return null;
  return running ? seconds + Math.max(0, (now - since) / 1000) : seconds;
}

/** The document title: "<page> · VistterStream". */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · VistterStream`;
  }, [title]);
}
