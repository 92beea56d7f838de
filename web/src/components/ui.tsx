// Shared building blocks: labelled fields with their errors, dialogs, page headers.
import type { ComponentChildren, LooseInputHTMLAttributes } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { Problem } from "../api/types";
import { fieldErrors, unclaimed } from "../lib/forms";

export function PageHeader({ title, sub, children }: { title: string; sub?: ComponentChildren; children?: ComponentChildren }) {
  return (
    <div class="page-header">
      <div>
        <h1 tabIndex={-1} id="page-title">{title}</h1>
        {sub && <p class="muted">{sub}</p>}
      </div>
      {children && <div class="actions">{children}</div>}
    </div>
  );
}

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: ComponentChildren;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ComponentChildren;
  class?: string;
}

/** A label, the control (given its id and aria attributes), a hint and the field's error. */
export function Field({ label, error, hint, children, class: cls }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = error ? `${id}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field ${error ? "has-error" : ""} ${cls ?? ""}`}>
      <label for={id}>{label}</label>
      {children({ id, describedBy, invalid: !!error })}
      {hint && (
        <div class="hint" id={hintId}>
          {hint}
        </div>
      )}
      {error && (
        <div class="field-error" id={errId}>
          {error}
        </div>
      )}
    </div>
  );
}

type InputProps = Omit<LooseInputHTMLAttributes<HTMLInputElement>, "onInput" | "value" | "label"> & {
  label: string;
  value: string;
  onValue: (v: string) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
};

export function TextField({ label, value, onValue, error, hint, class: cls, ...rest }: InputProps) {
  return (
    <Field label={label} error={error} hint={hint} class={cls as string | undefined}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          value={value}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onInput={(e) => onValue(e.currentTarget.value)}
          // Preact 11 types input attributes per `type`; the loose props pass through as given.
          {...(rest as object)}
        />
      )}
    </Field>
  );
}

interface SelectProps<T extends string> {
  label: string;
  value: T;
  options: readonly (T | { value: T; label: string })[];
  onValue: (v: T) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
  disabled?: boolean;
}

export function SelectField<T extends string>({ label, value, options, onValue, error, hint, disabled }: SelectProps<T>) {
  return (
    <Field label={label} error={error} hint={hint}>
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          value={value}
          disabled={disabled}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onChange={(e) => onValue(e.currentTarget.value as T)}
        >
          {options.map((o) =>
            typeof o === "string" ? (
              <option value={o} key={o}>
                {o}
              </option>
            ) : (
              <option value={o.value} key={o.value}>
                {o.label}
              </option>
            ),
          )}
        </select>
      )}
    </Field>
  );
}

export function Check({ label, checked, onValue, disabled, hint }: { label: string; checked: boolean; onValue: (v: boolean) => void; disabled?: boolean; hint?: string }) {
  return (
    <label class="check">
      <input type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onValue(e.currentTarget.checked)} />
      <span>{label}</span>
      {hint && <span class="muted small">{hint}</span>}
    </label>
  );
}

/** The problem at the top of a form: its detail when no field of the form shows it. */
export function FormProblem({ problem, fields }: { problem: Problem | null; fields: readonly string[] }) {
  if (!problem) return null;
  const show = unclaimed(problem, fields);
  const n = fieldErrors(problem).length;
  return (
    <div class="alert alert-bad" role="alert">
      <strong>{problem.title}</strong>
      {show ? <span> — {problem.detail}</span> : <span> — {n > 1 ? `${n} fields need attention` : "a field needs attention"} (marked below).</span>}
    </div>
  );
}

export function ProblemBox({ problem, onRetry }: { problem: Problem | null; onRetry?: () => void }) {
  if (!problem) return null;
  return (
    <div class="alert alert-bad" role="alert">
      <strong>{problem.title}</strong> — {problem.detail}
      {onRetry && (
        <button type="button" class="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
}

/** A modal <dialog>: focus moves in, Escape closes, focus returns to where it was. */
export function Dialog({ open, title, onClose, children, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} class={wide ? "wide" : ""} aria-labelledby={titleId} onClose={onClose} onCancel={onClose}>
      {open && (
        <>
          <div class="dialog-head">
            <h2 id={titleId}>{title}</h2>
            <button type="button" class="btn btn-ghost" aria-label="Close" onClick={onClose}>
              ✕
            </button>
          </div>
          <div class="dialog-body">{children}</div>
        </>
      )}
    </dialog>
  );
}

interface ConfirmProps {
  open: boolean;
  title: string;
  message: ComponentChildren;
  confirm: string;
  danger?: boolean;
  onConfirm: () => Promise<void> | void;
  onClose: () => void;
}

export function Confirm({ open, title, message, confirm, danger, onConfirm, onClose }: ConfirmProps) {
  const [busy, setBusy] = useState(false);
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <div class="confirm-message">{message}</div>
      <div class="row end">
        <button type="button" class="btn" onClick={onClose} autoFocus>
          Cancel
        </button>
        <button
          type="button"
          class={`btn ${danger ? "btn-danger" : "btn-primary"}`}
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await onConfirm();
            } finally {
              setBusy(false);
            }
          }}
        >
          {busy ? "Working…" : confirm}
        </button>
      </div>
    </Dialog>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <div class="loading" role="status">
      {what}…
    </div>
  );
}
