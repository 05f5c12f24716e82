// Admin: the platform's status in full (GET /status): the mode, everything reduced now (the mode's
// writes/api, the features switched off, the services that cannot answer) and the version, read again on
// demand. Everyone else sees the banner and the footer only (StatusBanner).
import { useCallback, useEffect, useState } from 'react';
import { type Api, type PlatformStatus, describeError } from '../api/client.js';
import { t } from '../strings.js';
import { Message } from './Message.js';

const s = t.admin.platform;
const clock = (): Date => new Date();

export function PlatformPanel({ api, now = clock }: { api: Api; now?: () => Date }) {
  const [status, setStatus] = useState<PlatformStatus>();
  const [checkedAt, setCheckedAt] = useState<string>();
  const [error, setError] = useState<string>();

  const load = useCallback(() => {
    setError(undefined);
    api
      .status()
      .then((answer) => {
        setStatus(answer);
        setCheckedAt(now().toISOString().slice(11, 19));
      })
      .catch((caught: unknown) => setError(describeError(caught)));
  }, [api, now]);
  useEffect(load, [load]);

  return (
    <section aria-labelledby="platform-title">
      <h2 id="platform-title">{s.title}</h2>
      <Message kind="error" text={error} />
      {status && (
        <dl className="applicant">
          <dt>{s.mode}</dt>
          <dd data-mode={status.mode}>{s.modes[status.mode] ?? status.mode}</dd>
          <dt>{s.reduced}</dt>
          <dd>{status.reducedFeatures.length > 0 ? status.reducedFeatures.join(', ') : s.nothingReduced}</dd>
          <dt>{s.version}</dt>
          <dd>{status.version}</dd>
        </dl>
      )}
      {checkedAt && <p className="hint">{s.checkedAt(checkedAt)}</p>}
      <button type="button" onClick={load}>
        {s.refresh}
      </button>
    </section>
  );
}
