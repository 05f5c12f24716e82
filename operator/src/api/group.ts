// The fixed identity of the KycPlatform API: tests outside the project address platforms by these names,
// so they never change (docs/operator.md).
export const GROUP = 'kyc.dev';
export const VERSION = 'v1alpha1';
export const KIND = 'KycPlatform';
export const LIST_KIND = 'KycPlatformList';
export const PLURAL = 'kycplatforms';
export const SINGULAR = 'kycplatform';
export const SHORT_NAMES = ['kycp'] as const;
export const API_VERSION = `${GROUP}/${VERSION}`;
export const CRD_NAME = `${PLURAL}.${GROUP}`;
