// The fixed identity of the KycPlatform API (DESIGN.md: tests outside the project depend on these names).
export const GROUP = 'kyc.dev';
export const VERSION = 'v1alpha1';
export const KIND = 'KycPlatform';
export const LIST_KIND = 'KycPlatformList';
export const PLURAL = 'kycplatforms';
export const SINGULAR = 'kycplatform';
export const SHORT_NAMES = ['kycp'] as const;
export const API_VERSION = `${GROUP}/${VERSION}`;
export const CRD_NAME = `${PLURAL}.${GROUP}`;
