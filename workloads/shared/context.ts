// What the shared middleware adds to every express request.
import type { Logger } from './logger.js';

export type Role = 'customer' | 'maker' | 'checker' | 'admin';
export const ROLES: readonly Role[] = ['customer', 'maker', 'checker', 'admin'];

/** The caller, from a verified access token. */
export interface Principal {
  sub: string;
  role: Role;
  email?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Request id (from X-Request-Id when it is sane, else generated). */
    id: string;
    /** Child logger carrying the request id. */
    log: Logger;
    /** Set by `authenticate`. */
    principal?: Principal;
  }
}
