// One example for every request and response body of the API reference (openapi.ts), by schema name:
// made-up data that passes every rule (a PAN of the right shape, an Aadhaar number with a valid
// Verhoeff check digit, masked as the API masks it). openapi.test.ts parses each request example with
// the schema the service validates with, and checks each response example against its schema's fields;
// the integration suite test/integration/workloads/api-client.test.ts checks the real answers the same way.
import type { ApplicationState } from '../kyc/domain/application-state.js';

const APPLICATION_ID = '0b6f3c9e-2f4d-4b7a-9a51-6c1f0e8d2a47';
const CUSTOMER_ID = '7d1e4b2a-9c3f-4e5d-8a6b-1f2e3d4c5b6a';
const MAKER_ID = '3a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d';
const CHECKER_ID = 'c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f';
const DOCUMENT = {
  id: 'e2a1c3b4-5d6e-4f70-8a9b-0c1d2e3f4a5b',
  type: 'passport',
  contentType: 'application/pdf',
  sizeBytes: 182734,
  uploadedAt: '2026-12-05T09:14:03.512Z',
};

const USER = { id: CUSTOMER_ID, email: 'kavya@example.com', role: 'customer' };

const WEBHOOK = {
  id: '7a6b5c4d-3e2f-4a1b-9c8d-0e1f2a3b4c5d',
  url: 'https://hooks.integrator.example/kyc',
  eventTypes: ['kyc.application.approved', 'kyc.application.rejected'],
  description: 'Core banking account opening',
  createdBy: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  createdAt: '2026-12-05T09:00:00.000Z',
};

/** Examples of the path and header parameters. */
export const PARAMETER_EXAMPLES = {
  applicationId: APPLICATION_ID,
  userId: MAKER_ID,
  documentId: DOCUMENT.id,
  idempotencyKey: 'c0a8012e-7f3b-4d1a-9e55-3b2f6a1d8c47',
  erasureRequestId: '5e1c9a7b-3d2f-4b6a-8c0e-1f2a3b4c5d6e',
  customerId: '3b7c2d1e-8f4a-4c6b-9d0e-5a1b2c3d4e5f',
  webhookId: WEBHOOK.id,
};

/** The application as its owner sees it in `state` (staff also see `findings` and `history`). */
export function applicationExample(state: ApplicationState = 'draft'): Record<string, unknown> {
  const submitted = state !== 'draft';
  const reviewed = ['pending_review', 'pending_approval', 'approved', 'rejected', 'resubmission_required'].includes(state);
  const decided = state === 'approved' || state === 'rejected';
  return {
    id: APPLICATION_ID,
    state,
    ownerId: CUSTOMER_ID,
    createdAt: '2026-12-05T09:12:41.027Z',
    updatedAt: '2026-12-05T09:20:17.884Z',
    submittedAt: submitted ? '2026-12-05T09:15:30.201Z' : null,
    decidedAt: decided ? '2026-12-05T11:02:09.114Z' : null,
    expiresAt: submitted ? null : '2027-01-04T09:12:41.027Z',
    applicant: {
      name: 'Kavya Raghunathan',
      dateOfBirth: '1990-05-17',
      address: { line1: '12 MG Road', line2: 'Ashok Nagar', city: 'Bengaluru', state: 'Karnataka', pincode: '560001' },
      pan: 'ABCPRXXXXF',
      aadhaar: 'XXXX XXXX 2346',
      passport: 'XXXXX854',
      voterId: null,
      drivingLicence: null,
      ckycNumber: null,
    },
    documents: [DOCUMENT],
    consents: [
      { purposes: ['kyc_verification'], noticeVersion: 'privacy-2026.1', grantedAt: '2026-12-05T09:12:41.027Z', withdrawnAt: null },
    ],
    review: {
      makerId: reviewed && state !== 'pending_review' ? MAKER_ID : null,
      recommendation: state === 'pending_approval' || decided ? 'approve' : null,
      checkerId: decided ? CHECKER_ID : null,
    },
    risk: reviewed ? { score: 12, category: 'low', reKycDueOn: '2036-12-05' } : { score: null, category: null, reKycDueOn: null },
    screeningBand: reviewed ? 'clear' : null,
  };
}

export const EXAMPLES: Record<string, unknown> = {
  // Requests.
  Register: { email: 'kavya@example.com', password: 'correct horse battery staple' },
  Login: { email: 'kavya@example.com', password: 'correct horse battery staple' },
  RefreshToken: { refreshToken: 'rt_4f9c1e0b7a2d4c8e9b6a3f1d0c7e2b5a.Q2xhc3NpZmllZA' },
  StaffUser: {
    email: 'meera.iyer@bank.example',
    password: 'a long staff passphrase',
    name: 'Meera Iyer',
    role: 'maker',
    staffId: 'S-1042',
  },
  RoleChange: { role: 'checker', staffId: 'S-2077' },
  CreateApplication: { consent: { purposes: ['kyc_verification'], noticeVersion: 'privacy-2026.1' } },
  ApplicantPatch: {
    name: 'Kavya Raghunathan',
    dateOfBirth: '1990-05-17',
    pan: 'ABCPR1234F',
    aadhaar: '2341 2341 2346',
    address: { line1: '12 MG Road', line2: 'Ashok Nagar', city: 'Bengaluru', state: 'Karnataka', pincode: '560001' },
    passport: 'J8369854',
  },
  DocumentUpload: {
    type: 'passport',
    contentType: 'application/pdf',
    content: 'JVBERi0xLjcKMSAwIG9iaiA8PCAvVHlwZSAvQ2F0YWxvZyA+PiBlbmRvYmoKdHJhaWxlciA8PCAvUm9vdCAxIDAgUiA+PgolJUVPRgo=',
    fileName: 'passport.pdf',
  },
  Recommendation: { recommendation: 'approve', note: 'documents match the applicant data; screening clear' },
  ResubmissionRequest: { reason: 'the passport scan is cut off at the bottom', documents: ['passport'] },
  Approval: { reason: 'four-eyes check done' },
  CheckerReason: { reason: 'the address proof is older than three months' },
  // Responses.
  RegistrationAccepted: {
    status: 'accepted',
    detail: 'If this email address can be used, the account is ready: sign in with it and the password you chose.',
  },
  User: USER,
  Tokens: {
    accessToken: 'eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiI3ZDFlNGIyYSJ9.c2lnbmF0dXJl',
    refreshToken: 'rt_4f9c1e0b7a2d4c8e9b6a3f1d0c7e2b5a.Q2xhc3NpZmllZA',
    tokenType: 'Bearer',
    expiresIn: 900,
    user: USER,
  },
  Application: applicationExample(),
  Document: DOCUMENT,
  QueueItem: {
    id: APPLICATION_ID,
    state: 'pending_review',
    submittedAt: '2026-12-05T09:15:30.201Z',
    updatedAt: '2026-12-05T09:16:02.448Z',
    riskCategory: 'low',
    screeningBand: 'clear',
    makerId: null,
    recommendation: null,
  },
  ErasureRequestBody: {},
  LegalHoldBody: { reason: 'court order 2026/114: keep the records of this customer' },
  LegalHold: {
    customerId: '3b7c2d1e-8f4a-4c6b-9d0e-5a1b2c3d4e5f',
    placedBy: '2a6f0c9e-1d4b-4e8a-9c3f-7b5d1e0a2c4f',
    reason: 'court order 2026/114: keep the records of this customer',
    placedAt: '2026-12-05T11:00:00.000Z',
  },
  RelationshipEndBody: { endedOn: '2026-11-30', reason: 'account_closed' },
  RelationshipEnd: {
    customerId: '3b7c2d1e-8f4a-4c6b-9d0e-5a1b2c3d4e5f',
    endedOn: '2026-11-30',
    reason: 'account_closed',
    applications: [{ applicationId: APPLICATION_ID, retainUntil: '2031-12-01T00:00:00.000Z', changed: true }],
  },
  ErasureRequest: {
    id: '5e1c9a7b-3d2f-4b6a-8c0e-1f2a3b4c5d6e',
    customerId: '3b7c2d1e-8f4a-4c6b-9d0e-5a1b2c3d4e5f',
    state: 'retained',
    requestedAt: '2026-12-05T10:00:00.000Z',
    completedAt: null,
    erased: ['0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f'],
    retained: [
      {
        applicationId: APPLICATION_ID,
        until: '2031-12-05T10:00:00.000Z',
        reason: 'kyc_record: RBI KYC Master Direction, 5 years after the relationship ends',
      },
    ],
    services: {
      notification: {
        state: 'completed',
        completedAt: '2026-12-05T10:00:02.000Z',
        erased: ['contacts'],
        kept: [{ record: 'message_log', reason: 'kept without the customer id (template, channel, status, dates)' }],
      },
    },
  },
  NotificationContact: { email: 'asha.verma@example.in', phone: '+919812345678' },
  Notification: {
    id: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
    channel: 'email',
    template: 'application_received',
    status: 'sent',
    eventType: 'kyc.application.submitted',
    createdAt: '2026-12-05T09:15:31.007Z',
  },
  NewWebhook: {
    url: 'https://hooks.integrator.example/kyc',
    eventTypes: ['kyc.application.approved', 'kyc.application.rejected'],
    description: 'Core banking account opening',
  },
  Webhook: WEBHOOK,
  CreatedWebhook: { ...WEBHOOK, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwp2ZDZk1DbWQ=' },
  WebhookPing: { deliveryId: '3f2e1d0c-9b8a-4765-9432-10fedcba9876' },
  WebhookRedelivery: { deliveryIds: ['3f2e1d0c-9b8a-4765-9432-10fedcba9876'] },
  WebhookRedelivered: { deliveryIds: ['3f2e1d0c-9b8a-4765-9432-10fedcba9876'] },
  DeadWebhookDelivery: {
    id: '3f2e1d0c-9b8a-4765-9432-10fedcba9876',
    eventType: 'kyc.application.approved',
    attempts: 10,
    lastStatus: 503,
    lastError: 'the receiver answered 503',
    createdAt: '2026-12-05T09:40:12.345Z',
    failedAt: '2026-12-05T11:52:40.118Z',
  },
  AnalyticsSummary: {
    from: '2026-11-06',
    to: '2026-12-05',
    totals: { 'kyc.application.submitted': 42, 'kyc.application.approved': 37 },
    byDay: [
      { day: '2026-12-05', type: 'kyc.application.submitted', count: 3 },
      { day: '2026-12-05', type: 'kyc.application.approved', count: 2 },
    ],
    turnaround: { decisions: 40, averageSeconds: 15_120, byDay: [{ day: '2026-12-05', decisions: 2, averageSeconds: 9_900 }] },
    funnel: {
      started: 51,
      submitted: 40,
      approved: 37,
      rejected: 3,
      approvalRate: 0.925,
      byDay: [{ day: '2026-12-05', started: 4, submitted: 3, approved: 2, rejected: 0 }],
    },
    decisions: {
      slaHours: 48,
      decisions: 40,
      p50Seconds: 10_800,
      p90Seconds: 180_000,
      resubmissionRate: 0.15,
      slaBreaches: 3,
      slaBreachRate: 0.075,
      waitingPastSla: 1,
      byDay: [{ day: '2026-12-05', decisions: 2, p50Seconds: 7_200, p90Seconds: 12_600, resubmitted: 0, slaBreaches: 0 }],
    },
  },
  PlatformStatus: { mode: 'Normal', reducedFeatures: [], version: '1.4.0' },
};
