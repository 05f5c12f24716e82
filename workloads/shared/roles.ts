// Who may call what: the roles an access token carries. Framework-free, so a service's domain can
// import it directly (context.ts, which also extends express's Request, re-exports it).

export type Role = 'customer' | 'maker' | 'checker' | 'admin';
export const ROLES: readonly Role[] = ['customer', 'maker', 'checker', 'admin'];

/** The caller, from a verified access token. */
export interface Principal {
  sub: string;
  role: Role;
  email?: string;
}
