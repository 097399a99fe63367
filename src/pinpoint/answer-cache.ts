// A short-lived cache of Pinpoint answers (catalog lists that change rarely), keyed by the caller:
// callers put the integration id and key generation in the key, so a new key never sees old answers.
// A failed load is forgotten at once, so the next caller asks again.

export interface AnswerCache {
  get<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export function createAnswerCache(options: { ttlMs: number; maxEntries: number }): AnswerCache {
  const entries = new Map<string, { expires: number; value: Promise<unknown> }>();
  return {
    get<T>(key: string, load: () => Promise<T>): Promise<T> {
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && hit.expires > now) return hit.value as Promise<T>;
      const value = load();
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { expires: now + options.ttlMs, value });
      return value;
    },
  };
}
