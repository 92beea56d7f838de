// Maps a problem+json answer onto a form: each error goes next to the field its JSON path
// names (`profile.fps`, `destination_ids[1]`, `presets[2].position.pan`), and the detail goes
// at the top when no field of the form claims it.
import type { Problem } from "../api/types";

export interface FieldMessage {
  field: string;
  message: string;
}

export function fieldErrors(p: Problem | null): FieldMessage[] {
  if (!p) return [];
  if (p.errors && p.errors.length) return p.errors;
  if (p.field) return [{ field: p.field, message: p.detail }];
  return [];
}

/** `a.b` claims `a.b`, `a.b.c` and `a.b[2]`. */
export function claims(path: string, field: string): boolean {
  return field === path || field.startsWith(path + ".") || field.startsWith(path + "[");
}

/** The messages for one field (and its sub-paths), joined. */
export function errorFor(p: Problem | null, path: string): string | undefined {
  const hits = fieldErrors(p).filter((e) => claims(path, e.field));
  if (!hits.length) return undefined;
  return hits
    .map((e) => (e.field === path ? e.message : `${e.field.slice(path.length).replace(/^\./, "")}: ${e.message}`))
    .join("; ");
}

/** Whether the top of the form must show the detail (no rendered field claims an error). */
export function unclaimed(p: Problem | null, paths: readonly string[]): boolean {
  if (!p) return false;
  const errs = fieldErrors(p);
  if (!errs.length) return true;
  return errs.some((e) => !paths.some((path) => claims(path, e.field)));
}

/** "" → null, else the trimmed text. */
export function orNull(v: string): string | null {
  const t = v.trim();
  return t === "" ? null : t;
}

/** "" → null, else the number (NaN kept so the server names the field). */
export function numOrNull(v: string): number | null {
  const t = v.trim();
  return t === "" ? null : Number(t);
}
