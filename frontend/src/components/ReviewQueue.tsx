// The staff's queue (GET /review/queue): filtered by what waits for a maker or a checker, oldest first, a
// page at a time (the API's cursor: each page's `next` is the `after` of the following one; the cursors of
// the pages seen are kept to go back).
import { useEffect, useState } from 'react';
import { type Api, type QueueItem, type QueueState, describeError } from '../api/client.js';
import { t } from '../strings.js';
import { Message } from './Message.js';

const LIMITS = [20, 50, 100];

export function ReviewQueue({ api, defaultState, onOpen }: { api: Api; defaultState: QueueState | 'all'; onOpen: (id: string) => void }) {
  const [state, setState] = useState<QueueState | 'all'>(defaultState);
  const [limit, setLimit] = useState(50);
  const [items, setItems] = useState<QueueItem[]>();
  const [next, setNext] = useState<string>();
  /** The `after` of each page from the first (undefined) to the one shown. */
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [error, setError] = useState<string>();
  const after = cursors[cursors.length - 1];

  useEffect(() => {
    setError(undefined);
    api
      .queue(state === 'all' ? undefined : state, limit, after)
      .then((answer) => {
        setItems(answer.items);
        setNext(answer.next);
      })
      .catch((caught: unknown) => setError(describeError(caught)));
  }, [api, state, limit, after]);

  const restart = () => setCursors([undefined]);

  return (
    <section aria-labelledby="queue-title">
      <h2 id="queue-title">{t.staff.queueTitle}</h2>
      <div className="filters">
        <div className="field">
          <label htmlFor="queue-state">{t.staff.filter}</label>
          <select
            id="queue-state"
            value={state}
            onChange={(event) => {
              setState(event.target.value as QueueState | 'all');
              restart();
            }}
          >
            {(['pending_review', 'pending_approval', 'all'] as const).map((option) => (
              <option key={option} value={option}>
                {t.staff.filters[option]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="queue-limit">{t.staff.limit}</label>
          <select
            id="queue-limit"
            value={limit}
            onChange={(event) => {
              setLimit(Number(event.target.value));
              restart();
            }}
          >
            {LIMITS.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Message kind="error" text={error} />
      {items && items.length === 0 && <p>{t.staff.empty}</p>}
      {items && items.length > 0 && (
        <ul className="queue">
          {items.map((item) => (
            <li key={item.id}>
              <button type="button" className="link" onClick={() => onOpen(item.id)} aria-label={t.staff.open(item.id)}>
                {item.id.slice(0, 8)}
              </button>{' '}
              <span>{t.status.states[item.state] ? item.state.replace('_', ' ') : item.state}</span>
              {item.submittedAt && (
                <span>
                  {' '}
                  · {t.staff.columns.submitted} {item.submittedAt.slice(0, 10)}
                </span>
              )}
              {item.riskCategory && (
                <span>
                  {' '}
                  · {t.staff.columns.risk} {item.riskCategory}
                </span>
              )}
              {item.screeningBand && (
                <span>
                  {' '}
                  · {t.staff.columns.screening} {item.screeningBand}
                </span>
              )}
              {item.recommendation && (
                <span>
                  {' '}
                  · {t.staff.columns.recommendation} {item.recommendation}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {(cursors.length > 1 || next) && (
        <nav className="pager" aria-label={t.staffPaging.page(cursors.length)}>
          <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            {t.staffPaging.previous}
          </button>
          <span>{t.staffPaging.page(cursors.length)}</span>{' '}
          <button type="button" disabled={!next} onClick={() => next && setCursors([...cursors, next])}>
            {t.staffPaging.next}
          </button>
        </nav>
      )}
    </section>
  );
}
