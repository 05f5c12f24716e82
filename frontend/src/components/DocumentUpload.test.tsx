/** @jest-environment jsdom */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { Api } from '../api/client.js';
import { MemoryStore, anApplication } from '../testing/fake-api.js';
import { DocumentUpload } from './DocumentUpload.js';

afterEach(cleanup);
const application = anApplication();

/** An XMLHttpRequest that reports upload progress when the test says so, then answers. */
class FakeXhr {
  static last: FakeXhr | undefined;
  headers: Record<string, string> = {};
  sent: string | undefined;
  status = 0;
  responseText = '';
  upload: { onprogress?: (event: { lengthComputable: boolean; loaded: number; total: number }) => void } = {};
  onload?: () => void;
  onerror?: () => void;
  url = '';
  constructor() {
    FakeXhr.last = this;
  }
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  getResponseHeader() {
    return null;
  }
  send(body: string) {
    this.sent = body;
  }
  answer(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

function setUp() {
  FakeXhr.last = undefined;
  const api = new Api({ store: new MemoryStore(), xhr: () => new FakeXhr() as unknown as XMLHttpRequest });
  const onUploaded = jest.fn();
  render(<DocumentUpload api={api} application={application} onUploaded={onUploaded} onSubmitted={jest.fn()} />);
  return { onUploaded };
}

const choose = (file: File) => fireEvent.change(screen.getByLabelText(/Photo or file/), { target: { files: [file] } });

describe('uploading a document', () => {
  it('when the file is larger than 2 MB, then the field says so and nothing is sent', () => {
    setUp();
    choose(new File([new Uint8Array(2 * 1024 * 1024 + 1)], 'scan.png', { type: 'image/png' }));
    expect(screen.getByRole('alert').textContent).toBe('The file is larger than 2 MB.');
    fireEvent.click(screen.getByRole('button', { name: 'Upload' }));
    expect(FakeXhr.last).toBeUndefined();
  });

  it('when the file is not a PDF, JPEG or PNG, then the field says so', () => {
    setUp();
    choose(new File(['GIF89a'], 'scan.gif', { type: 'image/gif' }));
    expect(screen.getByRole('alert').textContent).toBe('Only PDF, JPEG or PNG files can be uploaded.');
  });

  it('when a good file is uploaded, then its base64 goes as JSON, progress is shown, and the list is read again', async () => {
    const { onUploaded } = setUp();
    choose(new File([new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d])], 'passport.pdf', { type: 'application/pdf' }));
    fireEvent.click(screen.getByRole('button', { name: 'Upload' }));
    await waitFor(() => expect(FakeXhr.last?.sent).toBeDefined());
    const xhr = FakeXhr.last as FakeXhr;
    expect(xhr.url).toBe('/api/v1/applications/app-1/documents');
    expect(xhr.headers['Idempotency-Key']).toBeDefined();
    expect(JSON.parse(xhr.sent ?? '')).toEqual({
      type: 'passport',
      contentType: 'application/pdf',
      content: 'JVBERi0=',
      fileName: 'passport.pdf',
    });
    act(() => xhr.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 }));
    expect(screen.getByText('Uploading: 50%')).toBeTruthy();
    act(() => xhr.answer(201, { id: 'doc-1' }));
    await waitFor(() => expect(onUploaded).toHaveBeenCalled());
  });

  it('when the API refuses the upload, then the person reads why in words', async () => {
    setUp();
    choose(new File([new Uint8Array([0xff, 0xd8, 0xff])], 'id.jpg', { type: 'image/jpeg' }));
    fireEvent.click(screen.getByRole('button', { name: 'Upload' }));
    await waitFor(() => expect(FakeXhr.last?.sent).toBeDefined());
    act(() => (FakeXhr.last as FakeXhr).answer(409, { status: 409, title: 'Conflict', detail: 'not in draft' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/application has moved on/);
  });
});
