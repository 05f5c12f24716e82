// The applicant's details, checked at each field as they are typed by the API's own rules
// (validation.ts), then sent as one PATCH; a field the API still refuses shows the API's message.
import { type FormEvent, useState } from 'react';
import { type Api, type Application, ApiError, describeError } from '../api/client.js';
import { t } from '../strings.js';
import { type ApplicantField, type ApplicantValues, applicantPatch, applicantProblems, emptyApplicant, sentence } from '../validation.js';
import { Field, type FieldProps } from './Field.js';
import { Message } from './Message.js';

type Extra = Pick<FieldProps, 'hint' | 'type' | 'autoComplete' | 'inputMode' | 'maxLength'>;
const FIELDS: Array<[ApplicantField, string, Extra]> = [
  ['name', t.applicant.name, { autoComplete: 'name', maxLength: 200 }],
  ['dateOfBirth', t.applicant.dateOfBirth, { type: 'date', autoComplete: 'bday' }],
  ['pan', t.applicant.pan, { hint: t.applicant.panHint, maxLength: 12, autoComplete: 'off' }],
  ['aadhaar', t.applicant.aadhaar, { hint: t.applicant.aadhaarHint, inputMode: 'numeric', maxLength: 14, autoComplete: 'off' }],
  ['address.line1', t.applicant.line1, { autoComplete: 'address-line1', maxLength: 200 }],
  ['address.line2', t.applicant.line2, { autoComplete: 'address-line2', maxLength: 200 }],
  ['address.city', t.applicant.city, { autoComplete: 'address-level2', maxLength: 100 }],
  ['address.state', t.applicant.state, { autoComplete: 'address-level1', maxLength: 100 }],
  ['address.pincode', t.applicant.pincode, { inputMode: 'numeric', autoComplete: 'postal-code', maxLength: 6 }],
];

export interface ApplicantFormProps {
  api: Api;
  application: Application;
  onSaved: (application: Application) => void;
  /** The date ages are counted at (tests fix it). */
  today?: Date;
}

export function ApplicantForm({ api, application, onSaved, today = new Date() }: ApplicantFormProps) {
  const [values, setValues] = useState<ApplicantValues>(emptyApplicant);
  const [tried, setTried] = useState(false);
  const [serverErrors, setServerErrors] = useState<Partial<Record<string, string>>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const problems = applicantProblems(values, today, tried);

  function change(field: ApplicantField, value: string) {
    setValues({ ...values, [field]: value });
    setServerErrors({ ...serverErrors, [field]: undefined });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    setError(undefined);
    if (Object.keys(applicantProblems(values, today, true)).length > 0) {
      setError(t.applicant.fixErrors);
      return;
    }
    setBusy(true);
    try {
      onSaved(await api.updateApplicant(application.id ?? '', applicantPatch(values)));
    } catch (caught) {
      const fields = caught instanceof ApiError ? caught.fieldErrors() : {};
      setServerErrors(Object.fromEntries(Object.entries(fields).map(([field, message]) => [field, sentence(field, message)])));
      setError(Object.keys(fields).length > 0 ? t.applicant.fixErrors : describeError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby="applicant-title">
      <h2 id="applicant-title">{t.applicant.title}</h2>
      <Message kind="error" text={error} />
      {FIELDS.map(([field, label, extra]) => (
        <Field
          key={field}
          id={field.replace('.', '-')}
          label={label}
          value={values[field]}
          onChange={(value) => change(field, value)}
          error={problems[field] ?? serverErrors[field]}
          required={field !== 'address.line2'}
          {...extra}
        />
      ))}
      <button type="submit" disabled={busy}>
        {t.applicant.save}
      </button>
    </form>
  );
}
