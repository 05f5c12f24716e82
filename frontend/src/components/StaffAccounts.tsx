// Admin: the accounts (GET /admin/users), a new staff account (POST /admin/users) and disabling or
// enabling one (POST /admin/users/{id}/disable|enable). The API enforces the rules (admin only, one review
// role per staff id, never one's own account); the page says them before the request and shows the API's
// refusal in words.
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { type Api, ApiError, type StaffUser, type User, describeError } from '../api/client.js';
import { t } from '../strings.js';
import { Field } from './Field.js';
import { Message } from './Message.js';

const STAFF_ROLES = ['maker', 'checker', 'admin'] as const;
type StaffRole = (typeof STAFF_ROLES)[number];
const s = t.admin.accounts;

export function StaffAccounts({ api, self }: { api: Api; self: User }) {
  const [users, setUsers] = useState<User[]>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  // One call per staff role: customers are not listed, and their numbers cannot crowd the staff out of a page.
  const load = useCallback(() => {
    Promise.all(STAFF_ROLES.map((role) => api.users(role)))
      .then((answers) => setUsers(answers.flatMap((answer) => answer.items)))
      .catch((caught: unknown) => setError(describeError(caught)));
  }, [api]);
  useEffect(load, [load]);

  async function toggle(user: User) {
    setError(undefined);
    setNotice(undefined);
    try {
      const changed = await api.setDisabled(user.id, !user.disabled);
      setNotice(changed.disabled ? s.disabledNow(changed.email) : s.enabledNow(changed.email));
      load();
    } catch (caught) {
      setError(describeError(caught));
    }
  }

  return (
    <section aria-labelledby="accounts-title">
      <h2 id="accounts-title">{s.title}</h2>
      <Message kind="error" text={error} />
      <Message kind="notice" text={notice} />
      <NewStaffAccount
        api={api}
        onStart={() => {
          setError(undefined);
          setNotice(undefined);
        }}
        onCreated={(user) => {
          setError(undefined);
          setNotice(s.created(user.email));
          load();
        }}
      />
      <h3>{s.listTitle}</h3>
      {users && users.length === 0 && <p>{s.empty}</p>}
      {users && users.length > 0 && (
        <ul className="queue accounts">
          {users.map((user) => (
            <li key={user.id}>
              <span className="account-email">{user.email}</span> · {s.roles[user.role] ?? user.role}
              {user.staffId && <span> · {user.staffId}</span>} · {user.disabled ? s.disabled : s.active}
              {user.id === self.id ? (
                <span> ({s.you})</span>
              ) : (
                <>
                  {' '}
                  <button type="button" className="link" onClick={() => void toggle(user)}>
                    {user.disabled ? s.enable(user.email) : s.disable(user.email)}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NewStaffAccount({ api, onStart, onCreated }: { api: Api; onStart: () => void; onCreated: (user: User) => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<StaffRole>('maker');
  const [staffId, setStaffId] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function create(event: FormEvent) {
    event.preventDefault();
    onStart();
    const found: Record<string, string> = {};
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.trim())) found.email = t.auth.emailInvalid;
    if (password.length < 12) found.password = t.auth.passwordShort;
    if (role !== 'admin' && staffId.trim() === '') found.staffId = s.staffIdRequired;
    setErrors(found);
    setError(undefined);
    if (Object.keys(found).length > 0) return;
    const body: StaffUser = {
      email: email.trim(),
      password,
      role,
      ...(name.trim() && { name: name.trim() }),
      ...(staffId.trim() && { staffId: staffId.trim() }),
    };
    setBusy(true);
    try {
      const user = await api.createUser(body);
      setEmail('');
      setName('');
      setPassword('');
      setStaffId('');
      onCreated(user);
    } catch (caught) {
      setError(describeError(caught));
      // The API's own words at a field only for a field it could not take (422); a conflict is said once, above.
      if (caught instanceof ApiError && caught.status === 422) setErrors(caught.fieldErrors());
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void create(event)} noValidate aria-labelledby="new-account-title">
      <h3 id="new-account-title">{s.createTitle}</h3>
      <Message kind="error" text={error} />
      <Field
        id="staff-email"
        label={s.email}
        type="email"
        autoComplete="off"
        value={email}
        onChange={setEmail}
        error={errors.email}
        required
      />
      <Field id="staff-name" label={s.name} autoComplete="off" value={name} onChange={setName} error={errors.name} />
      <Field
        id="staff-password"
        label={s.password}
        hint={s.passwordHint}
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={setPassword}
        error={errors.password}
        required
      />
      <div className="field">
        <label htmlFor="staff-role">{s.role}</label>
        <select id="staff-role" value={role} onChange={(event) => setRole(event.target.value as StaffRole)}>
          {STAFF_ROLES.map((option) => (
            <option key={option} value={option}>
              {s.roles[option]}
            </option>
          ))}
        </select>
      </div>
      <Field
        id="staff-id"
        label={s.staffId}
        hint={s.staffIdHint}
        autoComplete="off"
        value={staffId}
        onChange={setStaffId}
        error={errors.staffId}
        required={role !== 'admin'}
      />
      <button type="submit" disabled={busy}>
        {s.create}
      </button>
    </form>
  );
}
