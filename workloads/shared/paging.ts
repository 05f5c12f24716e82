// Keyset paging by an id cursor, shared by the lists the API pages (the review queue, the staff
// accounts): a page is read one row longer than asked, and the extra row only says that another page
// follows. The cursor is the id of the page's last row; the store finds the position from that row
// itself, never from a timestamp a client sends (JavaScript dates lose PostgreSQL's microseconds).

/** A row id (8-4-4-4-12 hex): the only cursor a list takes. */
export const ID_CURSOR = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Page<T> {
  items: T[];
  /** The cursor (`after`) of the next page; absent on the last one. */
  next?: string;
}

/** One page out of `rows`, which the store read with `limit + 1`: `next` is the last item's id when more follow. */
export function pageOf<T extends { id: string }>(rows: readonly T[], limit: number): Page<T> {
  if (rows.length <= limit) return { items: [...rows] };
  const items = rows.slice(0, limit);
  return { items, next: (items[items.length - 1] as T).id };
}
