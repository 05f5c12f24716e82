// Every text the app shows, in one place (docs/frontend.md, "Languages"): a second language is a
// second object of the same shape (`Strings`), chosen at start-up. Functions take the values that vary.
export const en = {
  appTitle: 'KYC: verify your identity',
  version: (version: string) => `Platform version ${version}`,
  mode: {
    ReadOnly: 'The service is read-only for now: you can look at your application, but changes wait until it is back to normal.',
    Maintenance: 'The service is under maintenance. Please try again later.',
    reduced: (features: string) => `Some features are limited at the moment: ${features}.`,
  },
  auth: {
    signInTitle: 'Sign in',
    registerTitle: 'Create an account',
    email: 'Email address',
    password: 'Password',
    passwordHint: 'At least 12 characters.',
    name: 'Full name (optional)',
    signIn: 'Sign in',
    register: 'Create account',
    switchToRegister: 'New here? Create an account',
    switchToSignIn: 'Already have an account? Sign in',
    registered: 'If this address can be used, your account is ready: sign in with it.',
    signOut: 'Sign out',
    emailInvalid: 'Enter an email address like name@example.com.',
    passwordShort: 'The password must be at least 12 characters.',
  },
  consent: {
    title: 'Your consent',
    notice:
      'We collect your name, date of birth, address, PAN, Aadhaar and the documents you upload to verify your identity as the ' +
      'Reserve Bank of India requires (KYC). Your Aadhaar number is stored only as a token and its last 4 digits; your ' +
      'documents are encrypted. We keep the records for 5 years after our relationship ends, as the law requires. You can ' +
      'withdraw your consent at any time; an open application is then cancelled.',
    noticeVersion: (version: string) => `Privacy notice, version ${version}`,
    purposes: 'I agree that my data is used for:',
    purpose: {
      kyc_verification: 'Verifying my identity (required)',
      ckyc_registry_upload: 'Uploading my KYC record to the Central KYC Registry',
      aadhaar_offline_verification: 'Verifying my Aadhaar offline',
      marketing: 'Offers and news from the bank',
    } as Record<string, string>,
    agree: 'I agree and start my application',
  },
  applicant: {
    title: 'Your details',
    name: 'Full name as on your PAN card',
    dateOfBirth: 'Date of birth',
    pan: 'PAN',
    panHint: 'Ten characters, e.g. ABCPV1234D.',
    aadhaar: 'Aadhaar number',
    aadhaarHint: '12 digits. We keep only the last 4.',
    line1: 'Address line 1',
    line2: 'Address line 2 (optional)',
    city: 'City',
    state: 'State',
    pincode: 'PIN code',
    save: 'Save and continue',
    fixErrors: 'Please correct the fields marked below.',
    required: 'This field is required.',
  },
  documents: {
    title: 'Your documents',
    intro: 'Upload one officially valid document (passport, driving licence, Aadhaar, voter ID, ...) and your PAN card.',
    type: 'Document',
    file: 'Photo or file (PDF, JPEG or PNG, at most 2 MB)',
    aadhaarRedacted: 'The first 8 digits of my Aadhaar number are covered on this image',
    upload: 'Upload',
    uploading: (percent: number) => `Uploading: ${percent}%`,
    uploaded: 'Uploaded documents',
    none: 'No documents yet.',
    tooLarge: (max: string) => `The file is larger than ${max}.`,
    wrongType: 'Only PDF, JPEG or PNG files can be uploaded.',
    chooseFile: 'Choose a file first.',
    kinds: {
      passport: 'Passport',
      driving_licence: 'Driving licence',
      aadhaar_possession_proof: 'Aadhaar (first 8 digits covered)',
      voter_id: 'Voter ID',
      nrega_job_card: 'NREGA job card',
      npr_letter: 'NPR letter',
      pan_card: 'PAN card',
      form_60: 'Form 60',
    } as Record<string, string>,
    submit: 'Submit my application',
  },
  status: {
    title: 'Your application',
    state: 'Status',
    refresh: 'Refresh',
    reKycDue: (date: string) => `Your KYC is valid until ${date}; we will ask you to update it before then.`,
    states: {
      draft: 'Not submitted yet.',
      submitted: 'Submitted. Automatic checks start shortly.',
      processing: 'We are checking your documents and details.',
      pending_review: 'A reviewer is looking at your application.',
      pending_approval: 'Your application is waiting for final approval.',
      resubmission_required:
        'We need more from you: please correct your details or upload the documents again, then submit. We have also sent you a message saying what is needed.',
      approved: 'Approved. Your identity is verified.',
      rejected: 'Your application was not approved. We have sent you a message with the reason.',
      expired: 'Your application expired before it was completed. Please start a new one.',
      cancelled: 'Your application was cancelled.',
    } as Record<string, string>,
    notifications: 'Messages',
  },
  staff: {
    queueTitle: 'Review queue',
    filter: 'Show',
    filters: { pending_review: 'Waiting for a maker', pending_approval: 'Waiting for a checker', all: 'Both' } as Record<string, string>,
    limit: 'How many',
    empty: 'Nothing is waiting.',
    open: (id: string) => `Open application ${id}`,
    back: 'Back to the queue',
    columns: {
      id: 'Application',
      state: 'Status',
      submitted: 'Submitted',
      risk: 'Risk',
      screening: 'Screening',
      recommendation: 'Recommended',
    },
    applicationTitle: (id: string) => `Application ${id}`,
    applicant: 'Applicant',
    documents: 'Documents',
    view: 'Show',
    findings: 'Automatic checks and screening',
    noFindings: 'No check results yet.',
    history: 'History',
    screening: (band: string) => `Screening: ${band}.`,
    risk: (category: string, score: number) => `Risk: ${category} (score ${score}).`,
    recommendedBy: (maker: string, recommendation: string) => `Recommended ${recommendation} by ${maker}.`,
    ownWork: 'You recommended this application: another checker must decide (four eyes).',
    reason: 'Reason (required)',
    reasonRequired: 'Give a reason: it is kept in the audit trail.',
    actions: {
      recommendApprove: 'Recommend approval',
      recommendReject: 'Recommend rejection',
      requestResubmission: 'Ask the applicant to resubmit',
      approve: 'Approve',
      reject: 'Reject',
      return: 'Return to the maker',
    },
    done: 'Done.',
  },
  errors: {
    network: 'We could not reach the service. Check your connection and try again.',
    unavailable: (seconds: number | undefined) =>
      seconds
        ? `The service is busy or paused. Please try again in ${seconds} seconds.`
        : 'The service is busy or paused. Please try again soon.',
    signInFailed: 'The email address or password is not right.',
    sessionEnded: 'Your session has ended. Please sign in again.',
    forbidden: 'You are not allowed to do this.',
    notFound: 'We could not find this.',
    conflict: 'This cannot be done now: the application has moved on. Refresh to see where it is.',
    tooLarge: 'The file is too large.',
    tooMany: 'Too many attempts. Please wait a moment and try again.',
    invalid: 'Some details are not valid.',
    unknown: (requestId: string | undefined) =>
      requestId
        ? `Something went wrong on our side. If it keeps happening, quote reference ${requestId}.`
        : 'Something went wrong on our side.',
  },
};

export type Strings = typeof en;

/** The strings in force (English; docs/frontend.md says how a language is added). */
export const t: Strings = en;
