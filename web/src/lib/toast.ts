// Short messages about what an action did (announced to screen readers by the toast region).
import { signal } from "@preact/signals";

export type ToastKind = "ok" | "error" | "info";
export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

export const toasts = signal<Toast[]>([]);
let next = 0;

export function toast(text: string, kind: ToastKind = "ok", ms = kind === "error" ? 8000 : 3500): void {
  const id = ++next;
  toasts.value = [...toasts.value, { id, kind, text }].slice(-5);
  window.setTimeout(() => dismiss(id), ms);
}

export function dismiss(id: number): void {
  toasts.value = toasts.value.filter((t) => t.id !== id);
}
