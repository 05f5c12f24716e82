// Admin: another account's new role (POST /admin/users/{id}/role), opened from its row of the staff
// accounts. The API enforces the rules (admin only, never one's own role, never the last admin, one
// review role per staff id) and ends the account's sign-ins; the form asks for the staff id a maker or
// checker needs when the account has none, and says a refusal in words.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { Api, User } from '../api/client.js';
import { t } from '../strings.js';
import { Field } from './Field.js';
import { Message } from './Message.js';
import { submit } from './submit.js';

export const STAFF_ROLES = ['maker', 'checker', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
const s = t.admin.accounts;

export function RoleChange({
  api,
  user,
  onChanged,
  onCancel,
}: {
  api: Api;
  user: User;
  onChanged: (user: User) => void;
  onCancel: () => void;
}) {
  const [role, setRole] = useState<StaffRole>(STAFF_ROLES.find((r) => r !== user.role) ?? 'maker');
  const [staffId, setStaffId] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const select = useRef<HTMLSelectElement>(null);
  // The form opens where the button was: the keyboard goes on from its first control.
  useEffect(() => select.current?.focus(), []);
  const needsStaffId = role !== 'admin' && !user.staffId;
  const prefix = `role-${user.id}`;

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    const found: Record<string, string> = {};
    if (role === user.role) found.role = s.sameRole;
    if (needsStaffId && staffId.trim() === '') found.staffId = s.staffIdRequired;
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    await submit({ setBusy, setError, setErrors }, async () =>
      onChanged(await api.changeRole(user.id, { role, ...(needsStaffId && { staffId: staffId.trim() }) })),
    );
  }

  return (
    <form className="role-change" onSubmit={(event) => void save(event)} noValidate aria-label={s.changeRole(user.email)}>
      <Message kind="error" text={error} />
      <div className={errors.role ? 'field field-invalid' : 'field'}>
        <label htmlFor={`${prefix}-role`}>{s.newRole(user.email)}</label>
        <p id={`${prefix}-hint`} className="hint">
          {s.roleChangeHint}
        </p>
        <select
          id={`${prefix}-role`}
          ref={select}
          value={role}
          onChange={(event) => setRole(event.target.value as StaffRole)}
          aria-describedby={errors.role ? `${prefix}-hint ${prefix}-role-error` : `${prefix}-hint`}
          aria-invalid={errors.role ? true : undefined}
        >
          {STAFF_ROLES.map((option) => (
            <option key={option} value={option}>
              {s.roles[option]}
            </option>
          ))}
        </select>
        {errors.role && (
          <p id={`${prefix}-role-error`} className="error" role="alert">
            {errors.role}
          </p>
        )}
      </div>
      {needsStaffId && (
        <Field
          id={`${prefix}-staff-id`}
          label={s.staffIdOf(user.email)}
          hint={s.staffIdHint}
          autoComplete="off"
          value={staffId}
          onChange={setStaffId}
          error={errors.staffId}
          required
        />
      )}
      <button type="submit" disabled={busy}>
        {s.saveRole}
      </button>{' '}
      <button type="button" className="link" onClick={onCancel}>
        {s.cancel}
      </button>
    </form>
  );
}
