// Boots GraphiQL on the playground page and gives it a fetcher: queries and mutations go over HTTP POST,
// subscriptions over WebSocket speaking graphql-transport-ws (the protocol graphql-ws serves on /graphql).
// A plain browser script with no build step: it runs after the React, ReactDOM and GraphiQL UMD globals,
// and lives in its own file because the page's Content-Security-Policy allows no inline script.
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

  function isSubscription(params, documentAST) {
    const operations = (documentAST?.definitions ?? []).filter((d) => d.kind === 'OperationDefinition');
    if (operations.length === 0) return /^\s*subscription\b/m.test(params.query ?? '');
    const operation = params.operationName
      ? operations.find((d) => d.name?.value === params.operationName)
      : operations[0];
    return operation?.operation === 'subscription';
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

  function closeMessage(event) {
    const reason = event.reason ? `: ${event.reason}` : '';
    if (event.code === 4403 || event.code === 4401) {
      return `The server refused the WebSocket connection (${event.code}${reason}). Check the Authorization header.`;
    }
    return `The WebSocket closed before the subscription completed (${event.code}${reason}).`;
  }

  /**
   * One graphql-transport-ws connection per subscription: GraphiQL runs one operation at a time, and a
   * fresh connection picks up an edited token. Returns an async iterator of execution results;
   * GraphiQL stops a subscription by calling return() on it.
   */
  function subscribe(params, authorization) {
    const id = typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : String(Date.now());
    const socket = new WebSocket(wsUrl.href, 'graphql-transport-ws');
    const queue = [];
    let waiting = null;
    let ended = false;
    let subscribed = false;

    const send = (message) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    };
    const push = (result) => {
      if (ended) return;
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve({ value: result, done: false });
      } else {
        queue.push(result);
      }
    };
    const end = () => {
      if (ended) return;
      ended = true;
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve({ value: undefined, done: true });
      }
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
        socket.close(1000, 'Normal Closure');
      }
    };

    socket.addEventListener('open', () => {
      send({ type: 'connection_init', payload: authorization ? { authorization } : {} });
    });
    socket.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(String(event.data));
      } catch {
        push({ errors: [{ message: 'The server sent a WebSocket message that is not JSON.' }] });
        end();
        return;
      }
      switch (message.type) {
        case 'connection_ack':
          subscribed = true;
          send({ id, type: 'subscribe', payload: params });
          break;
        case 'ping':
          send({ type: 'pong', payload: message.payload });
          break;
        case 'next':
          if (message.id === id) push(message.payload);
          break;
        case 'error':
          if (message.id === id) {
            push({ errors: message.payload });
            end();
          }
          break;
        case 'complete':
          if (message.id === id) end();
          break;
        default:
          break;
      }
    });
    // A failed connection is reported by the close event that always follows this one.
    socket.addEventListener('error', () => {});
    socket.addEventListener('close', (event) => {
      if (ended) return;
      push({ errors: [{ message: closeMessage(event) }] });
      end();
    });

    const iterator = {
      next() {
        if (queue.length > 0) return Promise.resolve({ value: queue.shift(), done: false });
        if (ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          waiting = resolve;
        });
      },
      return() {
        // Tell the server to stop the operation before closing, as the protocol asks of clients.
        if (!ended && subscribed) send({ id, type: 'complete' });
        queue.length = 0;
        end();
        return Promise.resolve({ value: undefined, done: true });
      },
      // GraphiQL asks the iterable for its iterator again when stopping: it must be this same one.
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  function fetcher(params, options) {
    const headers = requestHeaders(options?.headers);
    if (isSubscription(params, options?.documentAST)) return subscribe(params, authorizationOf(headers));
    return postOperation(params, headers);
  }

  const h = React.createElement;
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    h(
      GraphiQL,
      {
        fetcher,
        defaultQuery: config.defaultQuery,
        defaultHeaders: config.defaultHeaders,
        // Open the headers tab so the token hint is the first thing a user sees.
        defaultEditorToolsVisibility: 'headers',
        isHeadersEditorEnabled: true,
        // A bearer token must not linger in localStorage after the tab is closed.
        shouldPersistHeaders: false,
      },
      h(GraphiQL.Logo, null, config.title),
      h(GraphiQL.Footer, null, h('div', { className: 'playground-hint' }, config.hint)),
    ),
  );
})();
