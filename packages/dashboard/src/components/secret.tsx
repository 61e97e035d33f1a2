// A secret shown once (an API key's token, a webhook's signing secret): copy it now.
export function OnceSecret({
  label,
  value,
  warning = 'copy it now, it is not shown again here.',
  note,
  onDone,
}: {
  label: string;
  value: string;
  warning?: string;
  note?: string;
  onDone: () => void;
}) {
  return (
    <div class="callout" role="status">
      <p>
        <strong>{label}</strong>: {warning}
        {note ? ` ${note}` : ''}
      </p>
      <code class="token">{value}</code>{' '}
      <button type="button" onClick={() => navigator.clipboard?.writeText(value)}>
        Copy
      </button>{' '}
      <button type="button" class="link" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
