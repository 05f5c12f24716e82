// One labelled input with its hint and its error, tied together for screen readers (aria-describedby,
// aria-invalid); the error is announced as it appears (role=alert on the message).
import type { ChangeEvent, HTMLAttributes, ReactNode } from 'react';

export interface FieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  onBlur?: () => void;
  hint?: string;
  error?: string | undefined;
  type?: 'text' | 'email' | 'password' | 'date';
  autoComplete?: string;
  inputMode?: HTMLAttributes<HTMLInputElement>['inputMode'];
  maxLength?: number;
  required?: boolean;
}

export function Field(props: FieldProps) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errorId = props.error ? `${props.id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={props.error ? 'field field-invalid' : 'field'}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.hint && (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      )}
      <input
        id={props.id}
        name={props.id}
        type={props.type ?? 'text'}
        value={props.value}
        onChange={(event: ChangeEvent<HTMLInputElement>) => props.onChange(event.target.value)}
        onBlur={props.onBlur}
        autoComplete={props.autoComplete}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        required={props.required}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
      />
      {props.error && (
        <p id={errorId} className="error" role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** A checkbox with its label after it (the order a person reads a consent or a confirmation in). */
export function Check(props: { id: string; label: string; checked: boolean; onChange: (checked: boolean) => void; disabled?: boolean }) {
  return (
    <div className="check">
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(event) => props.onChange(event.target.checked)}
      />
      <label htmlFor={props.id}>{props.label}</label>
    </div>
  );
}

/** What a control needs to name its error for screen readers. */
export interface ErrorAria {
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/** A labelled control that is not a text input (a file picker, a text area), with its announced error. */
export function Control(props: { id: string; label: string; error: string | undefined; children: (aria: ErrorAria) => ReactNode }) {
  const errorId = `${props.id}-error`;
  return (
    <div className={props.error ? 'field field-invalid' : 'field'}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children(props.error ? { 'aria-invalid': true, 'aria-describedby': errorId } : {})}
      {props.error && (
        <p id={errorId} className="error" role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}
