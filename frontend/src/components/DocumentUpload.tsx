// Documents: a photo from the camera on a phone (capture) or a file elsewhere, its type and size
// checked before anything is sent, the upload's progress shown, then the application submitted.
import { type ChangeEvent, type FormEvent, useState } from 'react';
import { type Api, type Application, type DocumentUpload as Upload, describeError } from '../api/client.js';
import { t } from '../strings.js';
import { CONTENT_TYPES, DOCUMENT_TYPES, fileProblem } from '../validation.js';
import { Check, Control } from './Field.js';
import { Message } from './Message.js';

export interface DocumentUploadProps {
  api: Api;
  application: Application;
  /** Reads the application again after an upload (the list of documents). */
  onUploaded: () => void;
  onSubmitted: (application: Application) => void;
}

/** The file's bytes as base64 (the API takes documents as JSON). */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result.replace(/^data:[^,]*,/, '') : '');
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(file);
  });
}

export function DocumentUpload({ api, application, onUploaded, onSubmitted }: DocumentUploadProps) {
  const [type, setType] = useState<Upload['type']>('passport');
  const [file, setFile] = useState<File>();
  const [redacted, setRedacted] = useState(false);
  const [fileError, setFileError] = useState<string>();
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  function choose(event: ChangeEvent<HTMLInputElement>) {
    const chosen = event.target.files?.[0];
    setFile(chosen);
    setFileError(chosen ? fileProblem(chosen) : undefined);
  }

  async function upload(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    const problem = file ? fileProblem(file) : t.documents.chooseFile;
    setFileError(problem);
    if (!file || problem) return;
    setBusy(true);
    setProgress(0);
    try {
      const content = await readAsBase64(file);
      await api.uploadDocument(
        application.id ?? '',
        {
          type,
          contentType: file.type as Upload['contentType'],
          content,
          fileName: file.name.slice(0, 200),
          ...(type === 'aadhaar_possession_proof' && { aadhaarRedacted: redacted }),
        },
        setProgress,
      );
      setFile(undefined);
      onUploaded();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
      setProgress(undefined);
    }
  }

  async function submit() {
    setBusy(true);
    setError(undefined);
    try {
      onSubmitted(await api.submit(application.id ?? ''));
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  }

  const documents = application.documents ?? [];
  return (
    <section aria-labelledby="documents-title">
      <h2 id="documents-title">{t.documents.title}</h2>
      <p>{t.documents.intro}</p>
      <form onSubmit={(event) => void upload(event)} noValidate>
        <div className="field">
          <label htmlFor="document-type">{t.documents.type}</label>
          <select id="document-type" value={type} onChange={(event) => setType(event.target.value as Upload['type'])}>
            {DOCUMENT_TYPES.map((kind) => (
              <option key={kind} value={kind}>
                {t.documents.kinds[kind]}
              </option>
            ))}
          </select>
        </div>
        <Control id="document-file" label={t.documents.file} error={fileError}>
          {(aria) => (
            // capture: a phone opens its camera; elsewhere the file picker opens.
            <input id="document-file" type="file" accept={CONTENT_TYPES.join(',')} capture="environment" onChange={choose} {...aria} />
          )}
        </Control>
        {type === 'aadhaar_possession_proof' && (
          <Check id="aadhaar-redacted" label={t.documents.aadhaarRedacted} checked={redacted} onChange={setRedacted} />
        )}
        {progress !== undefined && (
          <div className="progress">
            <progress id="upload-progress" max={100} value={progress} aria-label={t.documents.uploading(progress)} />
            <span aria-live="polite">{t.documents.uploading(progress)}</span>
          </div>
        )}
        <Message kind="error" text={error} />
        <button type="submit" disabled={busy}>
          {t.documents.upload}
        </button>
      </form>
      <h3>{t.documents.uploaded}</h3>
      {documents.length === 0 ? (
        <p>{t.documents.none}</p>
      ) : (
        <ul className="documents">
          {documents.map((document) => (
            <li key={document.id}>{t.documents.kinds[document.type ?? ''] ?? document.type}</li>
          ))}
        </ul>
      )}
      <button type="button" onClick={() => void submit()} disabled={busy || documents.length === 0}>
        {t.documents.submit}
      </button>
    </section>
  );
}
