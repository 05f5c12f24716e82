// The five bundled services (DESIGN.md fixed names), in the order they are rendered and reported.
export const COMPONENTS = ['gateway', 'kyc', 'auth', 'notification', 'analytics'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export function isComponentName(value: string): value is ComponentName {
  return (COMPONENTS as readonly string[]).includes(value);
}
