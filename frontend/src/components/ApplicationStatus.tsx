// Where the application is, in words, with the re-KYC due date once approved and the messages the
// platform sent. The reviewer's reason is not in any answer a customer gets (the history is shown to
// staff only; docs/frontend.md, "What is left"), so the state's text says where to find it.
import { useEffect, useState } from 'react';
import type { Api, Application, Notification } from '../api/client.js';
import { t } from '../strings.js';

export function ApplicationStatus({ api, application, onRefresh }: { api: Api; application: Application; onRefresh: () => void }) {
  const [notes, setNotes] = useState<Notification[]>([]);
  useEffect(() => {
    // The messages are an extra: while the notification service is away the state alone is shown.
    api
      .notifications()
      .then((answer) => setNotes(answer.items))
      .catch(() => setNotes([]));
  }, [api, application.updatedAt]);

  const state = application.state ?? 'draft';
  const due = application.risk?.reKycDueOn;
  return (
    <section aria-labelledby="status-title">
      <h2 id="status-title">{t.status.title}</h2>
      <p>
        <strong>{t.status.state}: </strong>
        <span data-state={state}>{t.status.states[state] ?? state}</span>
      </p>
      {state === 'approved' && due && <p>{t.status.reKycDue(due)}</p>}
      <button type="button" onClick={onRefresh}>
        {t.status.refresh}
      </button>
      {notes.length > 0 && (
        <>
          <h3>{t.status.notifications}</h3>
          <ul className="notes">
            {notes.map((note, index) => (
              <li key={note.id ?? index}>
                {note.createdAt?.slice(0, 10)} {note.channel}: {note.eventType ?? note.template}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
