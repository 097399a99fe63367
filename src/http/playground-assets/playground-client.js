// Boots GraphiQL on the playground page: queries and mutations go over HTTP POST, subscriptions always
// over WebSocket (graphql-transport-ws, served by graphql-ws on /graphql). Tokens stay in memory unless
// the user ticks "Remember token on this device"; a running subscription survives switching tabs.
// A plain browser script with no build step (the page's CSP allows no inline script); it runs after
// the React, ReactDOM and GraphiQL UMD globals and playground-storage.js / playground-live.js.
(() => {
  const config = JSON.parse(document.getElementById('playground-config').textContent);
  const httpUrl = new URL(config.endpoint, location.href);
  const wsUrl = new URL(config.endpoint, location.href);
  wsUrl.protocol = httpUrl.protocol === 'https:' ? 'wss:' : 'ws:';

  // The default header text is a hint, not a token: sending it would turn anonymous requests
  // (schema introspection before the user pastes a token) into UNAUTHENTICATED ones.
  const placeholder = /<[^>]*>/;

  /** Header editor values as strings, without an unfilled Authorization placeholder. */
  function requestHeaders(headers) {
    const result = {};
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (value === null || value === undefined) continue;
      const text = String(value);
      if (name.toLowerCase() === 'authorization' && placeholder.test(text)) continue;
      result[name] = text;
    }
    return result;
  }

  function authorizationOf(headers) {
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() === 'authorization') return value;
    }
    return undefined;
  }

  /**
   * The operations of a document as [{ kind, name }], read from the text itself: GraphiQL's parsed
   * documentAST lags edits by a debounce, and a stale one once sent a fresh subscription over HTTP.
   */
  function operationsOf(text) {
    const source = text.replace(/"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|#[^\n]*/g, ' ');
    const operations = [];
    let depth = 0;
    let pending = null;
    for (const token of source.match(/[A-Za-z_][A-Za-z0-9_]*|[{}()]/g) ?? []) {
      if (token === '{' || token === '(') {
        if (depth === 0 && token === '{' && pending !== 'fragment') {
          operations.push(pending && pending !== 'fragment' ? pending : { kind: 'query', name: null });
        }
        if (depth === 0 && token === '{') pending = null;
        depth += 1;
      } else if (token === '}' || token === ')') {
        depth = Math.max(0, depth - 1);
      } else if (depth === 0) {
        if (token === 'query' || token === 'mutation' || token === 'subscription') {
          pending = { kind: token, name: null };
        } else if (token === 'fragment') {
          pending = 'fragment';
        } else if (pending && pending !== 'fragment' && pending.name === null) {
          pending.name = token;
        }
      }
    }
    return operations;
  }

  /**
   * The operation to run, read from the current text: GraphiQL's operationName can still name an
   * operation of the previous text (or of another tab) right after an edit or a tab switch.
   */
  function selectOperation(params) {
    const operations = operationsOf(params.query ?? '');
    const named = operations.find(
      (operation) => params.operationName && operation.name === params.operationName,
    );
    const chosen = named ?? (operations.length === 1 ? operations[0] : undefined);
    const operationName = chosen ? (chosen.name ?? undefined) : params.operationName;
    return { params: { ...params, operationName }, kind: chosen?.kind ?? 'query' };
  }

  async function postOperation(params, headers) {
    const response = await fetch(httpUrl, {
      method: 'POST',
      headers: {
        accept: 'application/graphql-response+json, application/json',
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify(params),
      credentials: 'same-origin',
    });
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
    }
  }

  // --- Page state: the active tab, the running subscriptions and the headers new tabs start with. ---
  const state = {
    activeTabId: null,
    knownTabIds: new Set(),
    lives: new Set(),
    headers: null,
    reattaching: false,
  };

  function followTabs(tabState) {
    const active = tabState?.tabs?.[tabState.activeTabIndex];
    if (active?.id) state.activeTabId = active.id;
    for (const tab of tabState?.tabs ?? []) state.knownTabIds.add(tab.id);
  }

  function followHeaders(text) {
    if (!text || placeholder.test(text) || text === state.headers) return;
    try {
      if (!authorizationOf(JSON.parse(text))) return;
    } catch {
      return;
    }
    state.headers = text;
    // Storage writes can happen while React renders: re-render after it.
    setTimeout(render, 0);
  }

  const storage = globalThis.PlaygroundStorage.createPlaygroundStorage((key, value) => {
    if (key === 'graphiql:headers') followHeaders(value);
    if (key === 'graphiql:tabState') {
      try {
        followTabs(JSON.parse(value));
      } catch {}
    }
  });

  function subscriptionKey(params, authorization) {
    return JSON.stringify([
      params.query,
      params.variables ?? null,
      params.operationName ?? null,
      authorization,
    ]);
  }

  function fetcher(rawParams, options) {
    const headers = requestHeaders(options?.headers);
    const authorization = authorizationOf(headers);
    if (headers && Object.keys(headers).length > 0) followHeaders(JSON.stringify(headers, null, 2));
    const selected = selectOperation(rawParams);
    const params = selected.params;
    if (selected.kind !== 'subscription') return postOperation(params, headers);
    const tabId = state.activeTabId;
    const key = subscriptionKey(params, authorization);
    for (const live of state.lives) {
      if (live.tabId !== tabId) continue;
      // Coming back to a tab re-attaches to its running subscription instead of starting another.
      if (live.key === key && !live.view) return live.attach();
      live.stop();
    }
    const live = globalThis.PlaygroundLive.startLive(wsUrl.href, params, authorization, {
      tabId,
      key,
      onEnd: (ended) => state.lives.delete(ended),
    });
    state.lives.add(live);
    return live.attach();
  }

  /** The header editor's CodeMirror (GraphiQL 3 keeps CodeMirror 5 instances on their wrapper elements). */
  function headerEditor() {
    // The tool section holds the variables editor, then the headers editor.
    const editor = document.querySelectorAll('.graphiql-editor-tool > .graphiql-editor')[1];
    return editor?.querySelector('.CodeMirror')?.CodeMirror ?? null;
  }

  function onTabChange(tabState) {
    const fresh = tabState.tabs.filter((tab) => !state.knownTabIds.has(tab.id));
    followTabs(tabState);
    // A new tab starts with the headers entered last, so its subscriptions are not refused with 4403.
    if (fresh.length > 0 && state.headers) {
      setTimeout(() => headerEditor()?.setValue(state.headers), 0);
    }
    if (!state.reattaching && detachedLiveOfActiveTab()) {
      // GraphiQL reports many tab updates in a row: press Run once, and only if still needed by then.
      state.reattaching = true;
      setTimeout(() => {
        state.reattaching = false;
        if (detachedLiveOfActiveTab()) document.querySelector('.graphiql-execute-button')?.click();
      }, 0);
    }
  }

  function detachedLiveOfActiveTab() {
    return [...state.lives].find((live) => live.tabId === state.activeTabId && !live.view && !live.ended);
  }

  // GraphiQL stops whatever runs when a tab is clicked or added; detaching first keeps it running.
  document.addEventListener(
    'click',
    (event) => {
      const target = event.target instanceof Element ? event.target : null;
      if (!target?.closest('.graphiql-tab-button, .graphiql-tab-add')) return;
      for (const live of state.lives) live.view?.detach();
    },
    true,
  );

  const h = React.createElement;

  // biome-ignore lint/correctness/noComponentHookFactories: this script runs once per page, so the component is defined once.
  function RememberSwitch() {
    const [remember, setRemember] = React.useState(storage.remember);
    const toggle = (event) => {
      storage.setRemember(event.target.checked);
      setRemember(storage.remember);
    };
    return h(
      'label',
      { className: 'playground-remember' },
      h('input', { type: 'checkbox', role: 'switch', checked: remember, onChange: toggle }),
      ' Remember token on this device',
    );
  }

  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  function render() {
    root.render(
      h(
        GraphiQL,
        {
          fetcher,
          storage,
          onTabChange,
          defaultQuery: config.defaultQuery,
          defaultHeaders: state.headers ?? config.defaultHeaders,
          // Open the headers tab so the token hint is the first thing a user sees.
          defaultEditorToolsVisibility: 'headers',
          isHeadersEditorEnabled: true,
          // GraphiQL hands headers to `storage`, which keeps them in memory unless the switch is on.
          shouldPersistHeaders: true,
          showPersistHeadersSettings: false,
        },
        h(GraphiQL.Logo, null, config.title),
        h(
          GraphiQL.Footer,
          null,
          h('div', { className: 'playground-hint' }, config.hint, ' ', h(RememberSwitch)),
        ),
      ),
    );
  }
  render();
})();
