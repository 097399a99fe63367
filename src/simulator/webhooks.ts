// Webhook deliveries as Pinpoint makes them: each application event is POSTed, signed, to the
// company's endpoint and retried with exponential backoff and jitter until a 2xx arrives in time.
import { randomUUID } from 'node:crypto';
import {
  WEBHOOK_DELIVERY,
  WEBHOOK_DELIVERY_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookEventName,
} from '../pinpoint/api-assumptions.js';
import { signPinpointWebhook } from '../pinpoint/webhooks.js';

export interface SimWebhookConfig {
  url: string;
  /** Never shown in the control state. */
  secret: string;
  /** A delivery fails unless a 2xx arrives within this (Pinpoint: 5 s). */
  timeoutMs: number;
  /** Tries in all, the first included (Pinpoint: 10). */
  maxAttempts: number;
  /** Delay before the second try; each later delay doubles, plus up to 25% jitter. */
  backoffBaseMs: number;
  /** Off: no delivery-id header, as if Pinpoint never sends one (it is not documented). */
  sendDeliveryId: boolean;
}

/** Counted faults: each hits the next `count` deliveries. */
export interface SimWebhookFaults {
  /** Never sent (recorded as `dropped`). */
  drop?: { count: number };
  /** Sent twice, as independent copies with the same delivery id and body. */
  duplicate?: { count: number };
  /** Held until `count` have gathered (or `release`), then sent newest first. */
  outOfOrder?: { count: number };
}

export interface SimDeliveryAttempt {
  attempt: number;
  at: string;
  /** The receiver's status, null when it timed out or the connection failed. */
  status: number | null;
  error: string | null;
  durationMs: number;
}

export interface SimDelivery {
  /** Sent in the delivery-id header; shared by a duplicated delivery's copies. */
  id: string;
  /** 1, or 2 for the second copy of a duplicated delivery. */
  copy: number;
  event: WebhookEventName;
  applicationId: string;
  /** The raw JSON body, exactly as signed and sent. */
  body: string;
  state: 'held' | 'pending' | 'delivered' | 'failed' | 'dropped' | 'cancelled';
  attempts: SimDeliveryAttempt[];
}

/** Per-company webhook state kept in the store. */
export interface SimWebhookState {
  config: SimWebhookConfig | null;
  faults: SimWebhookFaults;
  deliveries: SimDelivery[];
}

export function emptyWebhookState(): SimWebhookState {
  return { config: null, faults: {}, deliveries: [] };
}

export function webhookConfig(
  input: Partial<SimWebhookConfig> & { url: string; secret: string },
): SimWebhookConfig {
  return {
    url: input.url,
    secret: input.secret,
    timeoutMs: input.timeoutMs ?? WEBHOOK_DELIVERY.timeoutMs,
    maxAttempts: input.maxAttempts ?? WEBHOOK_DELIVERY.maxAttempts,
    backoffBaseMs: input.backoffBaseMs ?? WEBHOOK_DELIVERY.backoffBaseMs,
    sendDeliveryId: input.sendDeliveryId ?? true,
  };
}

/** The documented payload shape, used for every event. */
export function webhookBody(event: WebhookEventName, applicationId: string): string {
  return JSON.stringify({ event, data: { application: { id: applicationId } } });
}

/** Delay before try `attempt + 1`: base·2^(attempt−1), plus up to 25% jitter (never less). */
export function backoffDelay(config: SimWebhookConfig, attempt: number): number {
  const nominal = config.backoffBaseMs * 2 ** (attempt - 1);
  return Math.round(nominal * (1 + Math.random() * 0.25));
}

function take(fault: { count: number } | undefined): boolean {
  if (!fault || fault.count <= 0) return false;
  fault.count -= 1;
  return true;
}

/** Sends deliveries for one simulator; `close()` cancels every retry and request in flight. */
export class WebhookDispatcher {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly configs = new WeakMap<SimDelivery, SimWebhookConfig>();
  private closed = false;

  /** Records and sends one event under the company's current config and faults. */
  dispatch(state: SimWebhookState, event: WebhookEventName, applicationId: string): void {
    const config = state.config;
    if (!config) return;
    const body = webhookBody(event, applicationId);
    const delivery = (copy: number, id: string): SimDelivery => ({
      id,
      copy,
      event,
      applicationId,
      body,
      state: 'pending',
      attempts: [],
    });
    const first = delivery(1, randomUUID());
    const copies = take(state.faults.duplicate) ? [first, delivery(2, first.id)] : [first];
    state.deliveries.push(...copies);
    for (const d of copies) this.configs.set(d, { ...config });
    if (this.closed) {
      for (const d of copies) d.state = 'cancelled';
    } else if (take(state.faults.drop)) {
      for (const d of copies) d.state = 'dropped';
    } else if (state.faults.outOfOrder && take(state.faults.outOfOrder)) {
      for (const d of copies) d.state = 'held';
      if (state.faults.outOfOrder.count === 0) this.release(state);
    } else {
      for (const d of copies) void this.attempt(d);
    }
  }

  /** Sends every held delivery, newest first, each first try after the previous one's answer. */
  release(state: SimWebhookState): number {
    const held = state.deliveries.filter((d) => d.state === 'held').reverse();
    for (const d of held) d.state = 'pending';
    let chain = Promise.resolve();
    for (const d of held) chain = chain.then(() => this.attempt(d));
    return held.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Marks what can no longer be sent; called after close() with every company's state. */
  cancelPending(state: SimWebhookState): void {
    for (const d of state.deliveries) if (d.state === 'pending' || d.state === 'held') d.state = 'cancelled';
  }

  private attempt(delivery: SimDelivery): Promise<void> {
    const config = this.configs.get(delivery);
    if (this.closed || !config) {
      delivery.state = 'cancelled';
      return Promise.resolve();
    }
    const run = this.send(delivery, config).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return run;
  }

  private async send(delivery: SimDelivery, config: SimWebhookConfig): Promise<void> {
    const attempt = delivery.attempts.length + 1;
    const started = Date.now();
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'Pinpoint-Webhooks (simulator)',
      [WEBHOOK_SIGNATURE_HEADER]: signPinpointWebhook(config.secret, delivery.body),
    };
    if (config.sendDeliveryId) headers[WEBHOOK_DELIVERY_ID_HEADER] = delivery.id;
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(config.url, {
        method: 'POST',
        headers,
        body: delivery.body,
        // A 3xx is a failure for Pinpoint, not something to follow.
        redirect: 'manual',
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(config.timeoutMs)]),
      });
      status = response.status;
      await response.body?.cancel();
    } catch (e) {
      const name = (e as Error).name;
      error =
        name === 'TimeoutError'
          ? `no answer within ${config.timeoutMs} ms`
          : `${name}: ${(e as Error).message}`;
    }
    delivery.attempts.push({
      attempt,
      at: new Date(started).toISOString(),
      status,
      error,
      durationMs: Date.now() - started,
    });
    if (status !== null && status >= 200 && status < 300) {
      delivery.state = 'delivered';
    } else if (this.closed) {
      delivery.state = 'cancelled';
    } else if (attempt >= config.maxAttempts) {
      delivery.state = 'failed';
    } else {
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          this.attempt(delivery);
        },
        backoffDelay(config, attempt),
      );
      this.timers.add(timer);
    }
  }
}
