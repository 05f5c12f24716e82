// Timestamps as the API server writes them: the one RFC 3339 helper of the operator.

/** RFC 3339 with whole seconds (`2026-11-26T12:00:00Z`), the form of metav1.Time. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
