// What the shared middleware adds to every express request.
import type { Logger } from './logger.js';
import type { Principal } from './roles.js';

export { ROLES } from './roles.js';
export type { Principal, Role } from './roles.js';

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
