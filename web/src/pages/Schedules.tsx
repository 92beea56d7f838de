// Schedules: timelines played on an output in weekly windows. The list (open now, next
// start and stop in the schedule's zone, the timeline on air), the form (name, output, zone,
// days, window, the ordered timelines, enabled) with errors by field, run now and stop, and
// the week: every enabled schedule's windows on a Monday–Sunday grid.
import { useEffect, useState } from "preact/hooks";
import type { Day, Problem, Schedule, ScheduleInput, Timeline } from "../api/types";
import { api, problemOf, unwrap } from "../api/client";
import { outputName, outputs } from "../store";
import { can } from "../session";
import { errorFor, fieldErrors } from "../lib/forms";
import { useInterval, useTitle } from "../lib/hooks";
import { toast } from "../lib/toast";
import { COMMON_ZONES, DAYS, DAY_SHORT, browserZone, hhmm, inZone, localBlocks, weekStart, zoneBlocks, type Block } from "../lib/week";
import { Check, Confirm, Dialog, Empty, Field, FormProblem, Loading, PageHeader, ProblemBox, SelectField, TextField } from "../components/ui";
import { StateBadge } from "../components/StateBadge";

const FIELDS = ["name", "output_id", "time_zone", "days", "start", "end", "timeline_ids", "enabled"];
const DAY_NAME: Record<Day, string> = {
  monday: "Monday",
  tuesday: "Tuesday",
  wednesday: "Wednesday",
  thursday: "Thursday",
  friday: "Friday",
  saturday: "Saturday",
  sunday: "Sunday",
};

function daysText(days: Day[]): string {
  if (days.length === 7) return "Every day";
  const set = new Set(days);
  if (set.size === 5 && DAYS.slice(0, 5).every((d) => set.has(d))) return "Weekdays";
  if (set.size === 2 && set.has("saturday") && set.has("sunday")) return "Weekends";
  return DAYS.filter((d) => set.has(d))
    .map((d) => DAY_SHORT[d])
    .join(", ");
}

function ScheduleForm({ s, timelines, onSaved, onCancel }: { s?: Schedule; timelines: Timeline[]; onSaved: () => void; onCancel: () => void }) {
  const programs = (outputs.value ?? []).filter((o) => o.mode === "program");
  const [name, setName] = useState(s?.name ?? "");
  const [output, setOutput] = useState(String(s?.output_id ?? programs[0]?.id ?? ""));
  const [zone, setZone] = useState(s?.time_zone ?? browserZone());
  const [days, setDays] = useState<Day[]>(s?.days ?? [...DAYS]);
  const [start, setStart] = useState(s?.start ?? "20:00");
  const [end, setEnd] = useState(s?.end ?? "23:00");
  const [ids, setIds] = useState<number[]>(s?.timeline_ids ?? []);
  const [adding, setAdding] = useState("");
  const [enabled, setEnabled] = useState(s?.enabled ?? true);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const err = (p: string) => errorFor(problem, p);
  const tlName = (id: number) => timelines.find((t) => t.id === id)?.name ?? `timeline ${id}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    const body: ScheduleInput = {
      name: name.trim(),
      output_id: Number(output),
      time_zone: zone.trim(),
      days: DAYS.filter((d) => days.includes(d)),
      start: start.trim(),
      end: end.trim(),
      timeline_ids: ids,
      enabled,
    };
    try {
      const saved = s
        ? await unwrap(api.PUT("/api/v1/schedules/{id}", { params: { path: { id: s.id } }, body }))
        : await unwrap(api.POST("/api/v1/schedules", { body }));
      toast(`${saved.name} saved`);
      onSaved();
    } catch (er) {
      setProblem(problemOf(er));
    } finally {
      setBusy(false);
    }
  };

  const move = (i: number, dir: -1 | 1) => {
    const j = i + dir;
    if (j < 0 || j >= ids.length) return;
    const next = [...ids];
    [next[i], next[j]] = [next[j] as number, next[i] as number];
    setIds(next);
  };
  const daysErr = err("days");
  // The list as a whole (each entry's own error is beside it).
  const own = (field: string) =>
    fieldErrors(problem)
      .filter((x) => x.field === field)
      .map((x) => x.message)
      .join("; ") || undefined;
  const listErr = own("timeline_ids");

  return (
    <form class="form" onSubmit={submit} noValidate>
      <FormProblem problem={problem} fields={FIELDS} />
      <div class="form-grid">
        <TextField label="Name" value={name} onValue={setName} error={err("name")} maxLength={100} required />
        <SelectField
          label="Output"
          value={output}
          options={programs.length ? programs.map((o) => ({ value: String(o.id), label: o.name })) : [{ value: "", label: "No program output" }]}
          onValue={setOutput}
          error={err("output_id")}
          hint="A program output: the timelines cut its cameras."
        />
        <Field label="Time zone" error={err("time_zone")} hint="IANA name; the window's times are wall-clock times there.">
          {({ id, describedBy, invalid }) => (
            <>
              <input
                id={id}
                list="sched-zones"
                value={zone}
                spellcheck={false}
                autoComplete="off"
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                onInput={(e) => setZone(e.currentTarget.value)}
              />
              <datalist id="sched-zones">
                {[...new Set([browserZone(), ...COMMON_ZONES])].map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </>
          )}
        </Field>
      </div>
      <fieldset class={daysErr ? "has-error" : ""} aria-describedby={daysErr ? "sched-days-err" : undefined}>
        <legend>Days</legend>
        <div class="row wrap sched-days">
          {DAYS.map((d) => (
            <Check key={d} label={DAY_NAME[d]} checked={days.includes(d)} onValue={(v) => setDays(v ? [...days, d] : days.filter((x) => x !== d))} />
          ))}
        </div>
        {daysErr && (
          <div class="field-error" id="sched-days-err">
            {daysErr}
          </div>
        )}
      </fieldset>
      <div class="form-grid">
        <TextField label="Start (HH:MM)" value={start} onValue={setStart} error={err("start")} placeholder="22:00" inputMode="numeric" hint="24-hour" />
        <TextField label="End (HH:MM)" value={end} onValue={setEnd} error={err("end")} placeholder="06:00" inputMode="numeric" hint="Not after the start: the next day (overnight)" />
      </div>
      <fieldset class={err("timeline_ids") ? "has-error" : ""}>
        <legend>Timelines, in order</legend>
        <p class="muted small">One that does not loop hands over to the next at its end; a looping one plays until the window closes. At the end of the list it starts over.</p>
        {ids.length === 0 ? (
          <p class="muted">None yet.</p>
        ) : (
          <ol class="sched-order">
            {ids.map((tid, i) => {
              const e = errorFor(problem, `timeline_ids[${i}]`);
              return (
                <li key={`${tid}-${i}`}>
                  <span class="sched-order-name">{tlName(tid)}</span>
                  <button type="button" class="btn btn-small" aria-label={`Move ${tlName(tid)} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                    ↑
                  </button>
                  <button type="button" class="btn btn-small" aria-label={`Move ${tlName(tid)} down`} disabled={i === ids.length - 1} onClick={() => move(i, 1)}>
                    ↓
                  </button>
                  <button type="button" class="btn btn-small btn-danger-outline" aria-label={`Remove ${tlName(tid)}`} onClick={() => setIds(ids.filter((_, j) => j !== i))}>
                    ✕
                  </button>
                  {e && <div class="field-error">{e}</div>}
                </li>
              );
            })}
          </ol>
        )}
        <div class="row wrap add-layer">
          <div class="field">
            <label for="sched-add">Add a timeline</label>
            <select id="sched-add" value={adding} onChange={(e) => setAdding(e.currentTarget.value)}>
              <option value="">Choose…</option>
              {timelines.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
          <button
            type="button"
            class="btn"
            disabled={!adding}
            onClick={() => {
              setIds([...ids, Number(adding)]);
              setAdding("");
            }}
          >
            Add
          </button>
        </div>
        {listErr && <div class="field-error">{listErr}</div>}
      </fieldset>
      <Check label="Enabled" checked={enabled} onValue={setEnabled} />
      <div class="row end">
        <button type="button" class="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Saving…" : s ? "Save schedule" : "Create schedule"}
        </button>
      </div>
    </form>
  );
}

const PALETTE = ["#1d5fa8", "#6a3fb8", "#1f7a4a", "#9a3b12", "#7a2b6b", "#2e5f75", "#8a5a00", "#a32b3c"];

function WeekView({ schedules }: { schedules: Schedule[] }) {
  const [mode, setMode] = useState<"local" | "zone">("local");
  const [now, setNow] = useState(() => new Date());
  useInterval(() => setNow(new Date()), 60000);
  const monday = weekStart(now);
  const enabled = schedules.filter((s) => s.enabled);
  const colour = (s: Schedule) => PALETTE[schedules.findIndex((x) => x.id === s.id) % PALETTE.length];
  const blocks: Block[] = enabled.flatMap((s) => (mode === "local" ? localBlocks(s, monday) : zoneBlocks(s)));
  const zones = [...new Set(enabled.map((s) => s.time_zone))];
  const today = (now.getDay() + 6) % 7;
  const nowMin = now.getHours() * 60 + now.getMinutes();
  const date = (k: number) => new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + k);
  return (
    <section class="panel week-panel" aria-labelledby="week-title">
      <div class="section-head">
        <h2 id="week-title">The week</h2>
        <div class="segmented" role="radiogroup" aria-label="Times shown in">
          <label>
            <input type="radio" name="week-mode" checked={mode === "local"} onChange={() => setMode("local")} /> Your time ({browserZone()})
          </label>
          <label>
            <input type="radio" name="week-mode" checked={mode === "zone"} onChange={() => setMode("zone")} /> Each schedule's zone
          </label>
        </div>
      </div>
      <p class="muted small" id="week-caption">
        {mode === "local"
          ? `This week, in your browser's time zone (${browserZone()}).`
          : `Wall-clock times in each schedule's own zone${zones.length ? ` (${zones.join(", ")})` : ""}.`}{" "}
        Enabled schedules only; an overnight window continues into the next day.
      </p>
      <div class="week" role="group" aria-describedby="week-caption" aria-label="Schedule windows by day">
        <div class="week-hours" aria-hidden="true">
          <div class="week-dayhead" />
          <div class="week-hours-col">
            {Array.from({ length: 24 }, (_, h) => (
              <span key={h} class="week-hour" style={{ top: `${(h / 24) * 100}%` }}>
                {String(h).padStart(2, "0")}
              </span>
            ))}
          </div>
        </div>
        {DAYS.map((d, k) => {
          const mine = blocks.filter((b) => b.day === k);
          return (
            <div key={d} class={`week-day ${mode === "local" && k === today ? "is-today" : ""}`} data-day={d}>
              <h3 class="week-dayhead" id={`week-${d}`}>
                {DAY_SHORT[d]}
                {mode === "local" && <span class="muted small"> {date(k).getDate()}</span>}
              </h3>
              <ul class="week-col" aria-labelledby={`week-${d}`}>
                {mine.map((b, i) => (
                  <li
                    key={`${b.schedule.id}-${i}`}
                    class={`week-block ${b.continued ? "is-continued" : ""} ${b.continues ? "continues" : ""}`}
                    data-schedule={b.schedule.id}
                    style={{ top: `${(b.from / 1440) * 100}%`, height: `${(Math.max(8, b.to - b.from) / 1440) * 100}%`, background: colour(b.schedule) }}
                    title={`${b.schedule.name}: ${hhmm(b.from)}–${hhmm(b.to)}`}
                  >
                    <span class="week-block-name">{b.schedule.name}</span> <span class="week-block-time">
                      {hhmm(b.from)}–{hhmm(b.to)}
                    </span>
                  </li>
                ))}
                {mode === "local" && k === today && <li class="week-now" style={{ top: `${(nowMin / 1440) * 100}%` }} aria-hidden="true" />}
              </ul>
            </div>
          );
        })}
      </div>
    </section>
  );
}

export function Schedules() {
  useTitle("Schedules");
  const operator = can("operator");
  const [list, setList] = useState<Schedule[] | null>(null);
  const [timelines, setTimelines] = useState<Timeline[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [editing, setEditing] = useState<Schedule | "new" | null>(null);
  const [deleting, setDeleting] = useState<Schedule | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  const load = async () => {
    try {
      const [s, t] = await Promise.all([unwrap(api.GET("/api/v1/schedules")), unwrap(api.GET("/api/v1/timelines"))]);
      setList(s);
      setTimelines(t);
      setProblem(null);
    } catch (e) {
      setProblem(problemOf(e));
    }
  };
  useEffect(() => {
    void load();
  }, []);
  // Windows open and close by the clock: the views say so when asked again.
  useInterval(() => void load(), 30000);

  const replace = (s: Schedule) => setList((l) => (l ?? []).map((x) => (x.id === s.id ? s : x)));
  const act = async (s: Schedule, what: "run" | "stop") => {
    setBusy(s.id);
    try {
      const r =
        what === "run"
          ? await unwrap(api.POST("/api/v1/schedules/{id}/run-now", { params: { path: { id: s.id } } }))
          : await unwrap(api.POST("/api/v1/schedules/{id}/stop", { params: { path: { id: s.id } } }));
      replace(r);
      toast(what === "run" ? `${s.name} runs now` : `${s.name} stopped`);
    } catch (e) {
      toast(`${s.name}: ${problemOf(e).detail}`, "error");
    } finally {
      setBusy(null);
    }
  };
  const remove = async (s: Schedule) => {
    try {
      await unwrap(api.DELETE("/api/v1/schedules/{id}", { params: { path: { id: s.id } } }));
      setList((l) => (l ?? []).filter((x) => x.id !== s.id));
      toast(`${s.name} deleted`);
    } catch (e) {
      toast(`Delete ${s.name}: ${problemOf(e).detail}`, "error");
    } finally {
      setDeleting(null);
    }
  };
  const tlName = (id: number | null | undefined) => (id == null ? "—" : timelines.find((t) => t.id === id)?.name ?? `timeline ${id}`);

  return (
    <>
      <PageHeader title="Schedules" sub="Timelines played on an output in weekly windows.">
        {operator && (
          <button type="button" class="btn btn-primary" onClick={() => setEditing("new")}>
            New schedule
          </button>
        )}
      </PageHeader>
      <ProblemBox problem={problem} onRetry={() => void load()} />
      {!list ? (
        !problem && <Loading />
      ) : list.length === 0 ? (
        <Empty>No schedules yet.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="sched-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Output</th>
                <th scope="col">When</th>
                <th scope="col">Timelines</th>
                <th scope="col">Next start</th>
                <th scope="col">Next stop</th>
                <th scope="col">On air</th>
                {operator && (
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id} data-schedule={s.id}>
                  <td>
                    <strong>{s.name}</strong>{" "}
                    {!s.enabled ? <StateBadge state="disabled" /> : s.open ? <StateBadge state="live" label={s.manual ? "running (by hand)" : "open"} /> : null}
                    {s.held_until && <div class="muted small">Quiet until {inZone(s.held_until, s.time_zone)}</div>}
                  </td>
                  <td>{outputName(s.output_id)}</td>
                  <td>
                    {daysText(s.days)}, {s.start}–{s.end}
                    <div class="muted small">{s.time_zone}</div>
                  </td>
                  <td>
                    <ol class="sched-tl">
                      {s.timeline_ids.map((id, i) => (
                        <li key={`${id}-${i}`}>
                          <a href={`/timelines/${id}`}>{tlName(id)}</a>
                        </li>
                      ))}
                    </ol>
                  </td>
                  <td class="sched-next-start">{s.next_start ? <time dateTime={s.next_start}>{inZone(s.next_start, s.time_zone)}</time> : "—"}</td>
                  <td class="sched-next-stop">{s.next_stop ? <time dateTime={s.next_stop}>{inZone(s.next_stop, s.time_zone)}</time> : "—"}</td>
                  <td>{s.on_air_timeline_id != null ? <a href={`/timelines/${s.on_air_timeline_id}`}>{tlName(s.on_air_timeline_id)}</a> : <span class="muted">—</span>}</td>
                  {operator && (
                    <td class="actions-cell">
                      <button type="button" class="btn btn-small" aria-label={`Edit ${s.name}`} onClick={() => setEditing(s)}>
                        Edit
                      </button>
                      {s.open ? (
                        <button type="button" class="btn btn-small" aria-label={`Stop ${s.name}`} disabled={busy === s.id} onClick={() => void act(s, "stop")}>
                          Stop
                        </button>
                      ) : (
                        <button type="button" class="btn btn-small" aria-label={`Run now: ${s.name}`} disabled={busy === s.id} onClick={() => void act(s, "run")}>
                          Run now
                        </button>
                      )}
                      <button type="button" class="btn btn-small btn-danger-outline" aria-label={`Delete ${s.name}`} onClick={() => setDeleting(s)}>
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list && <WeekView schedules={list} />}
      <Dialog open={editing !== null} title={editing === "new" ? "New schedule" : `Edit ${editing?.name ?? ""}`} onClose={() => setEditing(null)} wide>
        {editing !== null && (
          <ScheduleForm
            s={editing === "new" ? undefined : editing}
            timelines={timelines}
            onSaved={() => {
              setEditing(null);
              void load();
            }}
            onCancel={() => setEditing(null)}
          />
        )}
      </Dialog>
      <Confirm
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? ""}?`}
        message="Its run ends if it is on air."
        confirm="Delete"
        danger
        onConfirm={() => (deleting ? remove(deleting) : undefined)}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}
