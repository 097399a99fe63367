// Subscriptions for the playground: each runs on its own graphql-transport-ws connection, collects its
// events (newest first) and outlives the GraphiQL view showing it, so switching tabs does not stop it.
// Exposes `globalThis.PlaygroundLive` for playground-client.js.
(() => {
  /** Events kept per subscription: enough to read back, bounded so a chatty stream cannot grow forever. */
  const MAX_EVENTS = 200;

  function closeMessage(event, authorization) {
    const reason = event.reason ? `: ${event.reason}` : '';
    if (event.code === 4403 || event.code === 4401) {
      const hint = authorization
        ? 'Check the Authorization header.'
        : 'No Authorization header was sent: paste your token into Headers.';
      return `The server refused the WebSocket connection (${event.code}${reason}). ${hint}`;
    }
    return `The WebSocket closed before the subscription completed (${event.code}${reason}).`;
  }

  /**
   * One graphql-transport-ws connection per subscription (a fresh connection picks up an edited token).
   * Calls onResult for each execution result and onEnd once; returns a function that stops it.
   */
  function openSubscription(wsUrl, params, authorization, { onResult, onEnd }) {
    const id = typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : String(Date.now());
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    let ended = false;
    let subscribed = false;
    const send = (message) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    };
    const end = () => {
      if (ended) return;
      ended = true;
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
        socket.close(1000, 'Normal Closure');
      }
      onEnd();
    };
    socket.addEventListener('open', () => {
      send({ type: 'connection_init', payload: authorization ? { authorization } : {} });
    });
    socket.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(String(event.data));
      } catch {
        onResult({ errors: [{ message: 'The server sent a WebSocket message that is not JSON.' }] });
        end();
        return;
      }
      if (message.type === 'connection_ack') {
        subscribed = true;
        send({ id, type: 'subscribe', payload: params });
      } else if (message.type === 'ping') {
        send({ type: 'pong', payload: message.payload });
      } else if (message.id === id && message.type === 'next') {
        onResult(message.payload);
      } else if (message.id === id && message.type === 'error') {
        onResult({ errors: message.payload });
        end();
      } else if (message.id === id && message.type === 'complete') {
        end();
      }
    });
    // A failed connection is reported by the close event that always follows this one.
    socket.addEventListener('error', () => {});
    socket.addEventListener('close', (event) => {
      if (ended) return;
      onResult({ errors: [{ message: closeMessage(event, authorization) }] });
      end();
    });
    return () => {
      // Tell the server to stop the operation before closing, as the protocol asks of clients.
      if (!ended && subscribed) send({ id, type: 'complete' });
      end();
    };
  }

  /** What the response pane shows: every event so far, newest first, numbered in arrival order. */
  function snapshot(live) {
    return {
      subscription: live.ended ? 'ended' : 'running',
      received: live.count,
      events: live.events,
    };
  }

  /**
   * A running subscription. `view()` gives GraphiQL an async iterator of snapshots; ending a view with
   * `detach()` leaves the subscription running, `stop()` ends it.
   */
  function startLive(wsUrl, params, authorization, meta) {
    const live = { ...meta, events: [], count: 0, ended: false, view: null, stop: () => {} };
    const notify = () => live.view?.wake();
    live.stop = openSubscription(wsUrl, params, authorization, {
      onResult(result) {
        live.count += 1;
        live.events.unshift({ n: live.count, receivedAt: new Date().toISOString(), ...result });
        live.events.length = Math.min(live.events.length, MAX_EVENTS);
        notify();
      },
      onEnd() {
        live.ended = true;
        meta.onEnd?.(live);
        notify();
      },
    });
    live.attach = () => attachView(live);
    return live;
  }

  function attachView(live) {
    live.view?.detach();
    let dirty = live.count > 0;
    let detached = false;
    let waiting = null;
    const settle = () => {
      if (!waiting) return;
      const resolve = waiting;
      waiting = null;
      resolve(next());
    };
    const next = () => {
      if (detached) return { value: undefined, done: true };
      if (dirty) {
        dirty = false;
        return { value: snapshot(live), done: false };
      }
      if (live.ended) return { value: undefined, done: true };
      return null;
    };
    const view = {
      wake() {
        dirty = true;
        settle();
      },
      detach() {
        detached = true;
        if (live.view === view) live.view = null;
        settle();
      },
    };
    live.view = view;
    const iterator = {
      next() {
        const ready = next();
        if (ready) return Promise.resolve(ready);
        return new Promise((resolve) => {
          waiting = resolve;
        });
      },
      return() {
        // GraphiQL's Stop (or a tab switch, which the page turns into a detach first) lands here.
        if (!detached) live.stop();
        view.detach();
        return Promise.resolve({ value: undefined, done: true });
      },
      // GraphiQL asks the iterable for its iterator again when stopping: it must be this same one.
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  globalThis.PlaygroundLive = { startLive, closeMessage };
})();
