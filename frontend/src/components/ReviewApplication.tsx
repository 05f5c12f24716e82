// One application as staff see it (documents, automatic check results, history) with the decisions the
// caller's role may take, each with a required reason. Four eyes: a checker sees who recommended, and
// the one who recommended cannot decide (the API refuses it too: 403).
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { type Api, type Application, type ReviewAction, type User, describeError } from '../api/client.js';
import { t } from '../strings.js';
import type { ScreeningHit } from '../../../workloads/kyc/domain/screening/screening.js';
import { Control } from './Field.js';
import { Message } from './Message.js';

interface Decision {
  action: ReviewAction;
  label: string;
  body: (reason: string) => Record<string, unknown>;
}

const MAKER: Decision[] = [
  { action: 'recommend', label: t.staff.actions.recommendApprove, body: (note) => ({ recommendation: 'approve', note }) },
  { action: 'recommend', label: t.staff.actions.recommendReject, body: (note) => ({ recommendation: 'reject', note }) },
  { action: 'request-resubmission', label: t.staff.actions.requestResubmission, body: (reason) => ({ reason }) },
];
const CHECKER: Decision[] = [
  { action: 'approve', label: t.staff.actions.approve, body: (reason) => ({ reason }) },
  { action: 'reject', label: t.staff.actions.reject, body: (reason) => ({ reason }) },
  { action: 'return', label: t.staff.actions.return, body: (reason) => ({ reason }) },
];

/** The decisions `user` may take on `application` now, and why none when it is their own recommendation. */
export function decisionsFor(user: User, application: Application): { decisions: Decision[]; ownWork: boolean } {
  if (user.role === 'maker' && application.state === 'pending_review') return { decisions: MAKER, ownWork: false };
  if (user.role === 'checker' && application.state === 'pending_approval') {
    const ownWork = application.review?.makerId === user.id;
    return { decisions: ownWork ? [] : CHECKER, ownWork };
  }
  return { decisions: [], ownWork: false };
}

function DocumentView({
  api,
  applicationId,
  document,
}: {
  api: Api;
  applicationId: string;
  document: NonNullable<Application['documents']>[number];
}) {
  const [url, setUrl] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => () => (url ? URL.revokeObjectURL(url) : undefined), [url]);
  const label = t.documents.kinds[document.type ?? ''] ?? document.type ?? '';
  async function show() {
    try {
      setUrl(URL.createObjectURL(await api.document(applicationId, document.id ?? '')));
    } catch (caught) {
      setError(describeError(caught));
    }
  }
  return (
    <li>
      {label}{' '}
      {!url && (
        <button type="button" className="link" onClick={() => void show()}>
          {t.staff.view}
        </button>
      )}
      {url && document.contentType?.startsWith('image/') && <img className="document" src={url} alt={label} />}
      {url && !document.contentType?.startsWith('image/') && (
        <a href={url} target="_blank" rel="noreferrer">
          {label} (PDF)
        </a>
      )}
      <Message kind="error" text={error} />
    </li>
  );
}

interface Check {
  check?: string;
  status?: string;
  detail?: string;
}
interface FindingsShape {
  checks?: Check[];
  screening?: { band?: string; hits?: Partial<ScreeningHit>[] };
  risk?: { score?: number; category?: string };
}

/** The automatic checks, the screening hits with their scores, and the risk, as the kyc service recorded them. */
function Findings({ findings }: { findings: unknown }) {
  if (typeof findings !== 'object' || findings === null) return <p>{t.staff.noFindings}</p>;
  const { checks = [], screening, risk } = findings as FindingsShape;
  return (
    <>
      <ul className="checks">
        {checks.map((check, index) => (
          <li key={index} data-status={check.status}>
            <strong>{check.check}</strong>: {check.status} — {check.detail}
          </li>
        ))}
      </ul>
      {screening && (
        <p>
          {t.staff.screening(screening.band ?? '?')}{' '}
          {(screening.hits ?? []).map((hit, index) => (
            <span key={index} className="hit">
              {hit.matchedName} ({hit.source}, {hit.kind}): {hit.score?.toFixed(2)} {hit.band}
            </span>
          ))}
        </p>
      )}
      {risk && <p>{t.staff.risk(risk.category ?? '?', risk.score ?? 0)}</p>}
    </>
  );
}

/** One audit record in a line: when, who, what, from which state to which. */
function historyLine(entry: unknown): string {
  const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
  const text = (key: string): string => {
    const value = e[key];
    return typeof value === 'string' ? value : '';
  };
  const states = text('fromState') || text('toState') ? ` (${text('fromState') || '–'} → ${text('toState') || '–'})` : '';
  return `${text('at').slice(0, 19).replace('T', ' ')} ${text('actorRole')} ${text('action')}${states}`;
}

export function ReviewApplication({ api, user, id, onBack }: { api: Api; user: User; id: string; onBack: () => void }) {
  const [application, setApplication] = useState<Application>();
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    api
      .getApplication(id)
      .then(setApplication)
      .catch((caught: unknown) => setError(describeError(caught)));
  }, [api, id]);
  useEffect(load, [load]);

  async function decide(event: FormEvent, decision: Decision) {
    event.preventDefault();
    setNotice(undefined);
    setError(undefined);
    if (reason.trim() === '') {
      setReasonError(t.staff.reasonRequired);
      return;
    }
    setBusy(true);
    try {
      setApplication(await api.review(id, decision.action, decision.body(reason.trim())));
      setReason('');
      setNotice(t.staff.done);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  }

  if (!application) return <Message kind="error" text={error} />;
  const { decisions, ownWork } = decisionsFor(user, application);
  const review = application.review;
  return (
    <section aria-labelledby="review-title">
      <button type="button" className="link" onClick={onBack}>
        {t.staff.back}
      </button>
      <h2 id="review-title">{t.staff.applicationTitle(id.slice(0, 8))}</h2>
      <p>
        <strong>{t.status.state}: </strong>
        <span data-state={application.state}>{application.state}</span>
      </p>
      {review?.makerId && review.recommendation && <p>{t.staff.recommendedBy(review.makerId, review.recommendation)}</p>}
      <h3>{t.staff.applicant}</h3>
      <dl className="applicant">
        {Object.entries(application.applicant ?? {}).map(([field, value]) => (
          <div key={field}>
            <dt>{field}</dt>
            <dd>
              {typeof value === 'object' && value !== null
                ? Object.values(value as Record<string, string>).join(', ')
                : String(value ?? '')}
            </dd>
          </div>
        ))}
      </dl>
      <h3>{t.staff.documents}</h3>
      <ul className="documents">
        {(application.documents ?? []).map((document) => (
          <DocumentView key={document.id} api={api} applicationId={id} document={document} />
        ))}
      </ul>
      <h3>{t.staff.findings}</h3>
      <Findings findings={application.findings} />
      <h3>{t.staff.history}</h3>
      <ol className="history">
        {(application.history ?? []).map((entry, index) => (
          <li key={index}>{historyLine(entry)}</li>
        ))}
      </ol>
      {ownWork && <p className="message">{t.staff.ownWork}</p>}
      <Message kind="notice" text={notice} />
      <Message kind="error" text={error} />
      {decisions.length > 0 && (
        <form noValidate onSubmit={(event) => event.preventDefault()}>
          <Control id="review-reason" label={t.staff.reason} error={reasonError}>
            {(aria) => (
              <textarea
                id="review-reason"
                value={reason}
                maxLength={1000}
                rows={3}
                onChange={(event) => {
                  setReason(event.target.value);
                  setReasonError(undefined);
                }}
                {...aria}
              />
            )}
          </Control>
          {decisions.map((decision) => (
            <button key={decision.label} type="submit" disabled={busy} onClick={(event) => void decide(event, decision)}>
              {decision.label}
            </button>
          ))}
        </form>
      )}
    </section>
  );
}
