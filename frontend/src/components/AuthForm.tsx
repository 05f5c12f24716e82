// Register and sign in. The API's own rules (email, password length 12-128) are checked before sending;
// the answer to a registration is the same whether or not the address already had an account.
import { type FormEvent, useState } from 'react';
import { type Api, ApiError, describeError } from '../api/client.js';
import { t } from '../strings.js';
import { Field } from './Field.js';
import { Message } from './Message.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function AuthForm({ api, onSignedIn }: { api: Api; onSignedIn: () => void }) {
  const [mode, setMode] = useState<'signIn' | 'register'>('signIn');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  const emailError = (tried || email !== '') && !EMAIL.test(email.trim()) ? t.auth.emailInvalid : undefined;
  const passwordError = mode === 'register' && (tried || password !== '') && password.length < 12 ? t.auth.passwordShort : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    setError(undefined);
    setNotice(undefined);
    if (!EMAIL.test(email.trim()) || (mode === 'register' && password.length < 12) || password === '') return;
    setBusy(true);
    try {
      if (mode === 'register') {
        await api.register(email.trim(), password, name.trim() || undefined);
        setMode('signIn');
        setNotice(t.auth.registered);
      } else {
        await api.signIn(email.trim(), password);
        onSignedIn();
      }
    } catch (caught) {
      setError(caught instanceof ApiError && caught.status === 401 ? t.errors.signInFailed : describeError(caught));
    } finally {
      setBusy(false);
    }
  }

  const title = mode === 'register' ? t.auth.registerTitle : t.auth.signInTitle;
  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby="auth-title">
      <h2 id="auth-title">{title}</h2>
      <Message kind="notice" text={notice} />
      <Message kind="error" text={error} />
      <Field
        id="email"
        label={t.auth.email}
        type="email"
        autoComplete="email"
        value={email}
        onChange={setEmail}
        error={emailError}
        required
      />
      <Field
        id="password"
        label={t.auth.password}
        type="password"
        autoComplete={mode === 'register' ? 'new-password' : 'current-password'}
        hint={mode === 'register' ? t.auth.passwordHint : undefined}
        value={password}
        onChange={setPassword}
        error={passwordError}
        maxLength={128}
        required
      />
      {mode === 'register' && <Field id="name" label={t.auth.name} autoComplete="name" value={name} onChange={setName} maxLength={200} />}
      <button type="submit" disabled={busy}>
        {mode === 'register' ? t.auth.register : t.auth.signIn}
      </button>
      <button
        type="button"
        className="link"
        onClick={() => {
          setMode(mode === 'register' ? 'signIn' : 'register');
          setTried(false);
          setError(undefined);
        }}
      >
        {mode === 'register' ? t.auth.switchToSignIn : t.auth.switchToRegister}
      </button>
    </form>
  );
}
