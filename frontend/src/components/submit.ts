// A form's request to the API, as the admin's forms send it: busy while it runs, a refusal said in
// words above the form, and the API's own words at a field only for a field it could not take (422; a
// conflict is said once, above).
import { ApiError, describeError } from '../api/client.js';

export interface FormState {
  setBusy(busy: boolean): void;
  setError(text: string | undefined): void;
  setErrors(errors: Record<string, string>): void;
}

export async function submit(form: FormState, request: () => Promise<void>): Promise<void> {
  form.setBusy(true);
  try {
    await request();
  } catch (caught) {
    form.setError(describeError(caught));
    if (caught instanceof ApiError && caught.status === 422) form.setErrors(caught.fieldErrors());
  } finally {
    form.setBusy(false);
  }
}
