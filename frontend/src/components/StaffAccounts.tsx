// Admin: the accounts (GET /admin/users, a page of each staff role and more on demand), a new staff
// account (POST /admin/users), disabling or enabling one (POST /admin/users/{id}/disable|enable) and a
// role change (RoleChange). The API enforces the rules (admin only, one review role per staff id, never
// one's own account, never the last admin); the page says them before the request and shows the API's
// refusal in words.
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { type Api, type StaffUser, type User, type UserPage, describeError } from '../api/client.js';
import { t } from '../strings.js';
import { Field } from './Field.js';
import { Message } from './Message.js';
import { RoleChange, STAFF_ROLES, type StaffRole } from './RoleChange.js';
import { submit } from './submit.js';

const s = t.admin.accounts;

/** The pages read so far of each role: their accounts in order, and the cursor of the next page. */
type Listing = Record<StaffRole, UserPage>;

/** The listing with one account replaced by the API's answer about it (it stays where it was listed). */
const withUser = (listing: Listing, changed: User): Listing =>
  Object.fromEntries(
    STAFF_ROLES.map((role) => [role, { ...listing[role], items: listing[role].items.map((u) => (u.id === changed.id ? changed : u)) }]),
  ) as Listing;

export function StaffAccounts({ api, self }: { api: Api; self: User }) {
  const [listing, setListing] = useState<Listing>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [changing, setChanging] = useState<string>();

  // One call per staff role: customers are not listed, and their numbers cannot crowd the staff out of a page.
  const load = useCallback(() => {
    Promise.all(STAFF_ROLES.map((role) => api.users(role)))
      .then((pages) => setListing(Object.fromEntries(STAFF_ROLES.map((role, i) => [role, pages[i]])) as Listing))
      .catch((caught: unknown) => setError(describeError(caught)));
  }, [api]);
  useEffect(load, [load]);

  function clear() {
    setError(undefined);
    setNotice(undefined);
  }

  async function more(role: StaffRole) {
    const current = listing?.[role];
    if (!current?.next) return;
    clear();
    try {
      const page = await api.users(role, current.next);
      setListing((before) => before && { ...before, [role]: { items: [...before[role].items, ...page.items], next: page.next } });
    } catch (caught) {
      setError(describeError(caught));
    }
  }

  async function toggle(user: User) {
    clear();
    try {
      const changed = await api.setDisabled(user.id, !user.disabled);
      setNotice(changed.disabled ? s.disabledNow(changed.email) : s.enabledNow(changed.email));
      setListing((before) => before && withUser(before, changed));
    } catch (caught) {
      setError(describeError(caught));
    }
  }

  const users = listing && STAFF_ROLES.flatMap((role) => listing[role].items);
  return (
    <section aria-labelledby="accounts-title">
      <h2 id="accounts-title">{s.title}</h2>
      <Message kind="error" text={error} />
      <Message kind="notice" text={notice} />
      <NewStaffAccount
        api={api}
        onStart={clear}
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
                  </button>{' '}
                  <button
                    type="button"
                    className="link"
                    aria-expanded={changing === user.id}
                    onClick={() => {
                      clear();
                      setChanging(changing === user.id ? undefined : user.id);
                    }}
                  >
                    {s.changeRole(user.email)}
                  </button>
                  {changing === user.id && (
                    <RoleChange
                      api={api}
                      user={user}
                      onCancel={() => setChanging(undefined)}
                      onChanged={(changed) => {
                        setChanging(undefined);
                        setNotice(s.roleChanged(changed.email, s.roles[changed.role] ?? changed.role));
                        setListing((before) => before && withUser(before, changed));
                      }}
                    />
                  )}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {listing &&
        STAFF_ROLES.filter((role) => listing[role].next).map((role) => (
          <button key={role} type="button" onClick={() => void more(role)}>
            {s.more(s.roles[role] ?? role)}
          </button>
        ))}
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
    await submit({ setBusy, setError, setErrors }, async () => {
      const user = await api.createUser(body);
      setEmail('');
      setName('');
      setPassword('');
      setStaffId('');
      onCreated(user);
    });
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
