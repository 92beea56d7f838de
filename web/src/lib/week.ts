// Weekly windows of schedules as blocks on a Monday–Sunday, 24-hour grid: either at their
// wall-clock times in each schedule's own zone, or as instants in the browser's zone (the
// civil times made instants with Intl, so DST and other zones land where they really are).
// An overnight window continues into the next day.
import type { Day, Schedule } from "../api/types";

export const DAYS: Day[] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
export const DAY_SHORT: Record<Day, string> = {
  monday: "Mon",
  tuesday: "Tue",
  wednesday: "Wed",
  thursday: "Thu",
  friday: "Fri",
  saturday: "Sat",
  sunday: "Sun",
};

export const COMMON_ZONES = [
  "UTC",
  "Europe/London",
  "Europe/Dublin",
  "Europe/Lisbon",
  "Europe/Paris",
  "Europe/Berlin",
  "Europe/Amsterdam",
  "Europe/Madrid",
  "Europe/Rome",
  "Europe/Stockholm",
  "Europe/Oslo",
  "Europe/Copenhagen",
  "Europe/Warsaw",
  "Europe/Athens",
  "Europe/Helsinki",
  "Europe/Istanbul",
  "Europe/Moscow",
  "Africa/Johannesburg",
  "Africa/Cairo",
  "Asia/Dubai",
  "Asia/Kolkata",
  "Asia/Bangkok",
  "Asia/Singapore",
  "Asia/Shanghai",
  "Asia/Tokyo",
  "Australia/Perth",
  "Australia/Sydney",
  "Pacific/Auckland",
  "America/St_Johns",
  "America/Halifax",
  "America/New_York",
  "America/Chicago",
  "America/Denver",
  "America/Phoenix",
  "America/Los_Angeles",
  "America/Anchorage",
  "Pacific/Honolulu",
  "America/Mexico_City",
  "America/Sao_Paulo",
  "America/Argentina/Buenos_Aires",
];

/** The browser's own IANA zone. */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** "HH:MM" as minutes of the day, or null. */
export function minutes(hhmm: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  return h < 24 && mi < 60 ? h * 60 + mi : null;
}

export function hhmm(mins: number): string {
  const m = Math.round(mins);
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

export interface Block {
  schedule: Schedule;
  /** 0 = Monday. */
  day: number;
  /** Minutes of the day. */
  from: number;
  to: number;
  /** Continues from the day before (an overnight window's second part). */
  continued: boolean;
  /** Goes on into the next day. */
  continues: boolean;
}

/** The blocks at each schedule's own wall-clock times (its zone). */
export function zoneBlocks(s: Schedule): Block[] {
  const start = minutes(s.start);
  const end = minutes(s.end);
  if (start == null || end == null) return [];
  const out: Block[] = [];
  for (const day of s.days) {
    const d = DAYS.indexOf(day);
    if (d < 0) continue;
    if (end > start) out.push({ schedule: s, day: d, from: start, to: end, continued: false, continues: false });
    else {
      out.push({ schedule: s, day: d, from: start, to: 1440, continued: false, continues: end > 0 });
      if (end > 0) out.push({ schedule: s, day: (d + 1) % 7, from: 0, to: end, continued: true, continues: false });
    }
  }
  return out;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(zone: string, t: number): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formatters.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(t))) if (part.type !== "literal") p[part.type] = Number(part.value);
  return { y: p.year ?? 1970, m: p.month ?? 1, d: p.day ?? 1, h: (p.hour ?? 0) % 24, mi: p.minute ?? 0, s: p.second ?? 0 };
}

/** The zone's offset from UTC at instant `t`, in ms. */
function offset(zone: string, t: number): number {
  const p = partsIn(zone, t);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - Math.floor(t / 1000) * 1000;
}

/** The instant a wall-clock time in `zone` names (a time the clocks skip: when they get there). */
export function civilToInstant(zone: string, y: number, m: number, d: number, mins: number): number {
  const guess = Date.UTC(y, m - 1, d, Math.floor(mins / 60), mins % 60);
  const first = guess - offset(zone, guess);
  return guess - offset(zone, first);
}

/** Local midnight of the Monday of the week `now` is in. */
export function weekStart(now: Date): Date {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const back = (d.getDay() + 6) % 7;
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - back);
}

/** The blocks this week in the browser's zone: each window made instants in the schedule's
 *  zone, cut at local midnights. */
export function localBlocks(s: Schedule, monday: Date): Block[] {
  const start = minutes(s.start);
  const end = minutes(s.end);
  if (start == null || end == null) return [];
  const w0 = monday.getTime();
  const dayStart = (k: number) => new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + k).getTime();
  const w1 = dayStart(7);
  let first: { y: number; m: number; d: number };
  try {
    first = partsIn(s.time_zone, w0);
  } catch {
    return [];
  }
  const spans: [number, number][] = [];
  // Civil dates in the schedule's zone from two days before the week to one after it.
  for (let i = -2; i <= 8; i++) {
    const date = new Date(Date.UTC(first.y, first.m - 1, first.d + i));
    const weekday = DAYS[(date.getUTCDay() + 6) % 7] as Day;
    if (!s.days.includes(weekday)) continue;
    const y = date.getUTCFullYear();
    const m = date.getUTCMonth() + 1;
    const d = date.getUTCDate();
    const a = civilToInstant(s.time_zone, y, m, d, start);
    const next = new Date(Date.UTC(y, m - 1, d + (end > start ? 0 : 1)));
    const b = civilToInstant(s.time_zone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), end);
    if (b > w0 && a < w1 && b > a) spans.push([Math.max(a, w0), Math.min(b, w1)]);
  }
  const out: Block[] = [];
  for (const [a, b] of spans) {
    for (let k = 0; k < 7; k++) {
      const d0 = dayStart(k);
      const d1 = dayStart(k + 1);
      const from = Math.max(a, d0);
      const to = Math.min(b, d1);
      if (to <= from) continue;
      // Wall-clock minutes (a day the clocks change has 23 or 25 hours).
      const wall = (t: number) => {
        const d = new Date(t);
        return d.getHours() * 60 + d.getMinutes() + d.getSeconds() / 60;
      };
      out.push({
        schedule: s,
        day: k,
        from: wall(from),
        to: to >= d1 ? 1440 : wall(to),
        continued: from > a,
        continues: to < b,
      });
    }
  }
  return out;
}

/** An instant shown at the wall-clock time of `zone`: "Sat 12 Jul, 22:00". */
export function inZone(iso: string | null | undefined, zone: string): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return d.toLocaleString([], { timeZone: zone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hour12: false });
  } catch {
    return d.toLocaleString();
  }
}
