// How many drafts one customer may hold open at once. A draft costs the bank storage and an expiry
// sweep, and opening one needs nothing but a token: without a cap, one customer (or one stolen token)
// could open drafts in a loop. Five leaves room for a real customer's retries; submitted, decided,
// cancelled and expired applications do not count.

export const DEFAULT_MAX_OPEN_DRAFTS = 5;

export interface DraftLimitRefusal {
  readonly message: string;
}

export function checkDraftLimit(openDrafts: number, maxOpenDrafts: number): DraftLimitRefusal | null {
  if (openDrafts < maxOpenDrafts) return null;
  return {
    message:
      `you already have ${openDrafts} open draft application${openDrafts === 1 ? '' : 's'} (at most ${maxOpenDrafts}); ` +
      'submit or cancel one (POST /api/v1/applications/{id}/submit or /cancel) before opening another',
  };
}
