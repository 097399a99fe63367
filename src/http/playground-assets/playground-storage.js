// GraphiQL's storage for the playground: it keeps tabs, history and headers in memory, and writes to
// localStorage only copies without headers (where the bearer token lives) unless the user ticked
// "Remember token on this device". Exposes `window.PlaygroundStorage` for playground-client.js.
(() => {
  const PREFIX = 'graphiql:';
  const REMEMBER_KEY = 'playground:rememberToken';

  /** localStorage when the browser allows it (private modes and sandboxes may throw). */
  function browserStorage() {
    try {
      return typeof localStorage === 'undefined' ? null : localStorage;
    } catch {
      return null;
    }
  }

  /** Removes every `headers` property, at any depth, from stored JSON: tabs, history and favourites. */
  function withoutHeaders(value) {
    if (Array.isArray(value)) return value.map(withoutHeaders);
    if (value === null || typeof value !== 'object') return value;
    const copy = {};
    for (const [name, inner] of Object.entries(value)) {
      if (name !== 'headers') copy[name] = withoutHeaders(inner);
    }
    return copy;
  }

  /** What may reach disk for a key when the token is not remembered; null means nothing. */
  function scrub(key, value) {
    if (key === `${PREFIX}headers`) return null;
    try {
      return JSON.stringify(withoutHeaders(JSON.parse(value)));
    } catch {
      // Plain strings (the query, variables, panel sizes) carry no header.
      return value;
    }
  }

  /**
   * @param {(key: string, value: string) => void} onWrite sees every value GraphiQL stores, so the page
   *   can follow the headers and tabs without reading them back from disk.
   */
  function createPlaygroundStorage(onWrite = () => {}) {
    const disk = browserStorage();
    const memory = new Map();
    let remember = false;
    try {
      remember = disk?.getItem(REMEMBER_KEY) === '1';
    } catch {}

    const persist = (key, value) => {
      if (!disk) return;
      try {
        const stored = remember ? value : scrub(key, value);
        if (stored === null) disk.removeItem(key);
        else disk.setItem(key, stored);
      } catch {
        // A full or blocked localStorage only costs persistence; the page keeps working from memory.
      }
    };

    if (disk) {
      for (let i = 0; i < disk.length; i++) {
        const key = disk.key(i);
        if (key?.startsWith(PREFIX)) memory.set(key, disk.getItem(key));
      }
      // Copies written by earlier versions of this page may hold a token: clean them now.
      if (!remember) for (const [key, value] of memory) persist(key, value);
    }

    return {
      getItem: (key) => (memory.has(key) ? memory.get(key) : null),
      setItem(key, value) {
        memory.set(key, String(value));
        persist(key, String(value));
        onWrite(key, String(value));
      },
      removeItem(key) {
        memory.delete(key);
        try {
          disk?.removeItem(key);
        } catch {}
      },
      get length() {
        return memory.size;
      },
      clear() {
        for (const key of [...memory.keys()]) this.removeItem(key);
      },
      get remember() {
        return remember;
      },
      /** Turning it on writes what is in memory in full; turning it off rewrites every copy without headers. */
      setRemember(value) {
        remember = Boolean(value);
        try {
          if (remember) disk?.setItem(REMEMBER_KEY, '1');
          else disk?.removeItem(REMEMBER_KEY);
        } catch {}
        for (const [key, stored] of memory) persist(key, stored);
      },
    };
  }

  globalThis.PlaygroundStorage = { createPlaygroundStorage };
})();
