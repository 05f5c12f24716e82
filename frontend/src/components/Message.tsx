// A form-level message: an error (role=alert, read out at once) or a notice (role=status, polite).
export function Message({ kind, text }: { kind: 'error' | 'notice'; text: string | undefined }) {
  if (!text) return null;
  return (
    <p className={kind === 'error' ? 'message message-error' : 'message'} role={kind === 'error' ? 'alert' : 'status'}>
      {text}
    </p>
  );
}
