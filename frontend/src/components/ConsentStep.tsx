// Consent with the notice shown: the application is created only with kyc_verification among the
// purposes and the version of the notice the person saw (the API records both).
import { type FormEvent, useState } from 'react';
import { type Api, type Application, type ConsentPurpose, describeError } from '../api/client.js';
import { t } from '../strings.js';
import { Check } from './Field.js';
import { Message } from './Message.js';

/** The version of the notice text in strings.ts; change both together. */
export const NOTICE_VERSION = '2026-12';
const PURPOSES: ConsentPurpose[] = ['kyc_verification', 'ckyc_registry_upload', 'aadhaar_offline_verification', 'marketing'];

export function ConsentStep({ api, onCreated }: { api: Api; onCreated: (application: Application) => void }) {
  const [chosen, setChosen] = useState<Set<ConsentPurpose>>(new Set(['kyc_verification']));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  function toggle(purpose: ConsentPurpose) {
    const next = new Set(chosen);
    if (next.has(purpose)) next.delete(purpose);
    else next.add(purpose);
    setChosen(next);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onCreated(await api.createApplication([...chosen], NOTICE_VERSION));
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} aria-labelledby="consent-title">
      <h2 id="consent-title">{t.consent.title}</h2>
      <section className="notice" aria-label={t.consent.noticeVersion(NOTICE_VERSION)}>
        <h3>{t.consent.noticeVersion(NOTICE_VERSION)}</h3>
        <p>{t.consent.notice}</p>
      </section>
      <fieldset>
        <legend>{t.consent.purposes}</legend>
        {PURPOSES.map((purpose) => (
          <Check
            key={purpose}
            id={`purpose-${purpose}`}
            label={t.consent.purpose[purpose] ?? purpose}
            checked={chosen.has(purpose)}
            disabled={purpose === 'kyc_verification'}
            onChange={() => toggle(purpose)}
          />
        ))}
      </fieldset>
      <Message kind="error" text={error} />
      <button type="submit" disabled={busy}>
        {t.consent.agree}
      </button>
    </form>
  );
}
