// The customer's flow, one step at a time: sign in (or register) → consent → details → documents and
// submit → the application's state; staff (maker, checker, admin) get the review queue instead, and an
// admin also the staff accounts, the analytics and the platform's status. Which step shows follows from the session and the application's
// state, so a reload resumes where the person was (the application id and refresh token are kept for
// the tab: docs/frontend.md, "Tokens").
import { useCallback, useEffect, useState } from 'react';
import { type Api, ApiError, type Application, type PlatformStatus, type User, describeError } from './api/client.js';
import { type AdminSection, AdminNav } from './components/AdminNav.js';
import { AnalyticsCharts } from './components/AnalyticsCharts.js';
import { ApplicantForm } from './components/ApplicantForm.js';
import { ApplicationStatus } from './components/ApplicationStatus.js';
import { AuthForm } from './components/AuthForm.js';
import { ConsentStep } from './components/ConsentStep.js';
import { DocumentUpload } from './components/DocumentUpload.js';
import { Message } from './components/Message.js';
import { PlatformPanel } from './components/PlatformPanel.js';
import { ReviewApplication } from './components/ReviewApplication.js';
import { ReviewQueue } from './components/ReviewQueue.js';
import { StaffAccounts } from './components/StaffAccounts.js';
import { StatusBanner } from './components/StatusBanner.js';
import { t } from './strings.js';

const APPLICATION_KEY = 'kyc.application';
/** How often the state is read again while the platform works on the application. */
const POLL_MS = 10_000;
/** The waits before asking again who is signed in, after a failure that is not a refusal. */
const ME_RETRY_MS = [500, 1000, 2000];
const EDITABLE = new Set(['draft', 'resubmission_required']);

export function App({ api, store = sessionStorage }: { api: Api; store?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> }) {
  const [status, setStatus] = useState<PlatformStatus>();
  const [signedIn, setSignedIn] = useState(api.hasSession());
  const [application, setApplication] = useState<Application>();
  const [detailsSaved, setDetailsSaved] = useState(false);
  const [error, setError] = useState<string>();
  const [user, setUser] = useState<User>();
  const [openId, setOpenId] = useState<string>();
  const [section, setSection] = useState<AdminSection>('queue');

  useEffect(() => {
    api.onSignedOut = () => setSignedIn(false);
    api
      .status()
      .then(setStatus)
      .catch(() => undefined);
  }, [api]);

  const keep = useCallback(
    (next: Application) => {
      setApplication(next);
      if (next.id) store.setItem(APPLICATION_KEY, next.id);
    },
    [store],
  );

  const reload = useCallback(() => {
    const id = application?.id ?? store.getItem(APPLICATION_KEY);
    if (!id) return;
    api
      .getApplication(id)
      .then((next) => {
        keep(next);
        if (next.applicant?.pan) setDetailsSaved(true);
      })
      .catch((caught: unknown) => setError(describeError(caught)));
  }, [api, application?.id, keep, store]);

  useEffect(() => {
    if (!signedIn) return setUser(undefined);
    // Who is signed in decides every screen: without an answer the page stays empty. So a failure that
    // is not a refusal (no answer, a 5xx) is asked again, after ME_RETRY_MS, before it is told; a refusal
    // (4xx) is told at once, and an expired sign-in ends in the client.
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = (attempt: number): void => {
      api
        .me()
        .then((me) => {
          if (!stopped) setUser(me);
        })
        .catch((caught: unknown) => {
          if (stopped) return;
          const refused = caught instanceof ApiError && caught.status < 500;
          const wait = ME_RETRY_MS[attempt];
          if (!refused && wait !== undefined) timer = setTimeout(() => ask(attempt + 1), wait);
          else setError(describeError(caught));
        });
    };
    ask(0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, signedIn]);

  const customer = user?.role === 'customer';
  useEffect(() => {
    if (signedIn && customer && !application) reload();
  }, [signedIn, customer, application, reload]);

  const state = application?.state;
  useEffect(() => {
    if (!state || EDITABLE.has(state) || ['approved', 'rejected', 'expired', 'cancelled'].includes(state)) return;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [state, reload]);

  async function signOut() {
    await api.signOut();
    store.removeItem(APPLICATION_KEY);
    setApplication(undefined);
    setDetailsSaved(false);
    setOpenId(undefined);
    setSection('queue');
    setSignedIn(false);
  }

  let step;
  if (!signedIn) step = <AuthForm api={api} onSignedIn={() => setSignedIn(true)} />;
  else if (!user) step = null;
  else if (user.role === 'admin' && section !== 'queue')
    step =
      section === 'accounts' ? (
        <StaffAccounts api={api} self={user} />
      ) : section === 'analytics' ? (
        <AnalyticsCharts api={api} />
      ) : (
        <PlatformPanel api={api} />
      );
  else if (!customer)
    step = openId ? (
      <ReviewApplication api={api} user={user} id={openId} onBack={() => setOpenId(undefined)} />
    ) : (
      <ReviewQueue
        api={api}
        defaultState={user.role === 'maker' ? 'pending_review' : user.role === 'checker' ? 'pending_approval' : 'all'}
        onOpen={setOpenId}
      />
    );
  else if (!application) step = <ConsentStep api={api} onCreated={keep} />;
  else if (EDITABLE.has(application.state ?? '') && !detailsSaved)
    step = (
      <ApplicantForm
        api={api}
        application={application}
        onSaved={(next) => {
          keep(next);
          setDetailsSaved(true);
        }}
      />
    );
  else if (EDITABLE.has(application.state ?? ''))
    step = (
      <>
        {application.state === 'resubmission_required' && <p className="message">{t.status.states.resubmission_required}</p>}
        <DocumentUpload api={api} application={application} onUploaded={reload} onSubmitted={keep} />
        <button type="button" className="link" onClick={() => setDetailsSaved(false)}>
          {t.applicant.title}
        </button>
      </>
    );
  else step = <ApplicationStatus api={api} application={application} onRefresh={reload} />;

  return (
    <>
      <header>
        <h1>{t.appTitle}</h1>
        {signedIn && (
          <button type="button" className="link" onClick={() => void signOut()}>
            {t.auth.signOut}
          </button>
        )}
      </header>
      <StatusBanner status={status} />
      <main>
        <Message kind="error" text={error} />
        {user?.role === 'admin' && signedIn && (
          <AdminNav
            current={section}
            onChange={(next) => {
              setSection(next);
              setOpenId(undefined);
            }}
          />
        )}
        {step}
      </main>
      <footer>{status && t.version(status.version)}</footer>
    </>
  );
}
