/**
 * Both metadata stores keep each namespace as a map of key → JSON text (the SQLite one as a cache of its table):
 * one listing for both, in key order.
 */
export function listSpace<T>(space: Map<string, string> | undefined): Array<[string, T]> {
  if (space === undefined) return [];
  return [...space.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => [k, JSON.parse(v) as T]);
}
