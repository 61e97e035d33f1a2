// The fields of the dashboard's forms: a label around its input or select, so the label names it.
import type { ComponentChildren } from 'preact';
import { useRun } from '../lib/use-run';
import { InlineError } from './states';

/** A row of fields (filters, or a form whose `Action` button runs the change): Enter submits nothing. */
export function FormRow({ children }: { children: ComponentChildren }) {
  return (
    <form class="filters" onSubmit={(event) => event.preventDefault()}>
      {children}
    </form>
  );
}

/**
 * A form that Enter submits, once the browser has checked its `required` fields: runs `run` (its
 * button disabled meanwhile) and shows the failure beside the button. `editor`: fields stacked, the
 * button in a row below them, rather than all in one row.
 */
export function SubmitForm({
  run,
  submit,
  kind,
  disabled,
  editor,
  children,
}: {
  run: () => Promise<unknown>;
  /** The submit button's text. */
  submit: string;
  kind?: 'primary';
  disabled?: boolean;
  editor?: boolean;
  children: ComponentChildren;
}) {
  const { busy, error, start } = useRun(run);
  const controls = (
    <>
      <button type="submit" class={kind} disabled={busy || disabled}>
        {submit}
      </button>
      <InlineError error={error} />
    </>
  );
  return (
    <form
      class={editor ? 'editor' : 'filters'}
      onSubmit={(event) => {
        event.preventDefault();
        void start();
      }}
    >
      {children}
      {editor ? <div class="actions">{controls}</div> : controls}
    </form>
  );
}

/** A labelled input: `onValue` at each keystroke (a form's state), `onCommit` once changed (a URL filter). */
export function Field({
  label,
  class: className,
  onValue,
  onCommit,
  value,
  type,
  placeholder,
  required,
}: {
  label: string;
  class?: string;
  value: string;
  type?: 'email' | 'search' | 'url' | 'date' | 'datetime-local';
  placeholder?: string;
  required?: boolean;
  onValue?: (value: string) => void;
  onCommit?: (value: string) => void;
}) {
  // Preact types `type` as a union an optional prop does not fit; an absent one is a text input.
  const input = { type, value, placeholder, required } as { value: string };
  return (
    <label class={className}>
      {label}
      <input
        {...input}
        onInput={onValue && ((event) => onValue(event.currentTarget.value))}
        onChange={onCommit && ((event) => onCommit(event.currentTarget.value))}
      />
    </label>
  );
}

/** A labelled select; an option is its value, or [value, text]. */
export function Select({
  label,
  class: className,
  value,
  options,
  onValue,
}: {
  label: string;
  class?: string;
  value: string;
  options: readonly (string | readonly [string, string])[];
  onValue: (value: string) => void;
}) {
  return (
    <label class={className}>
      {label}
      <select value={value} onChange={(event) => onValue(event.currentTarget.value)}>
        {options.map((option) => {
          const [optionValue, text] = typeof option === 'string' ? [option, option] : option;
          return (
            <option key={optionValue} value={optionValue}>
              {text}
            </option>
          );
        })}
      </select>
    </label>
  );
}
