// Envelope contexts bind each ciphertext to its row and purpose (see domain/protection/envelope.ts):
// a ciphertext copied into another row or table does not decrypt there.
export const applicantContext = (applicationId: string): string => `applicant:${applicationId}`;
export const vaultContext = (token: string): string => `aadhaar-vault:${token}`;
export const documentContext = (applicationId: string, documentId: string): string => `document:${applicationId}:${documentId}`;
