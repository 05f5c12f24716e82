// Envelope contexts bind each ciphertext to its row and purpose (see domain/protection/envelope.ts):
// a ciphertext copied into another row or table does not decrypt there.
// Ids are UUIDs, which PostgreSQL matches case-insensitively but a context compares byte for byte: a
// client's `/applications/3F2A…` found the row and then failed to open it (a 500), and a PATCH through
// such a path sealed the applicant data under a context no other read would match. Contexts use the
// canonical lower-case form, the one PostgreSQL returns.
const canonical = (uuid: string): string => uuid.toLowerCase();

export const applicantContext = (applicationId: string): string => `applicant:${canonical(applicationId)}`;
export const vaultContext = (token: string): string => `aadhaar-vault:${token}`;
export const documentContext = (applicationId: string, documentId: string): string =>
  `document:${canonical(applicationId)}:${canonical(documentId)}`;
