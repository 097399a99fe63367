// Two-way Pinpoint in tests: a team whose simulator company sends signed webhooks to the real
// server, a contact pushed to Pinpoint, and readers for its ATS status and ATS events.
import { randomBytes } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { syncEventsTable, webhookDeliveriesTable } from '../../src/db/schema.js';
import {
  addContacts,
  createCampaign,
  person,
  type SyncTeam,
  type SyncWorld,
  setupTeam,
  waitForStatus,
} from './sync.js';

export const SET_SECRET = `mutation($secret: String!) {
  setPinpointWebhookSecret(secret: $secret) {
    __typename
    ... on Integration { webhookUrl webhookSecretHint webhookStatus lastWebhookAt }
    ... on Error { message }
    ... on ValidationError { fieldErrors { path message } }
  }
}`;

export interface WebhookTeam extends SyncTeam {
  readonly secret: string;
  /** Where the simulator delivers: the server's real address with the integration's webhook path. */
  readonly webhookUrl: string;
}

/** Stores a fresh signing secret for the team and answers the endpoint as reachable in this test. */
export async function setWebhookSecret(world: SyncWorld, team: SyncTeam): Promise<WebhookTeam> {
  const secret = `whsec_${randomBytes(12).toString('hex')}`;
  const res = await world.t.gql<{
    setPinpointWebhookSecret: { __typename: string; webhookUrl: string };
  }>(SET_SECRET, { secret }, team.adminToken);
  const result = res.data?.setPinpointWebhookSecret;
  if (result?.__typename !== 'Integration')
    throw new Error(`setPinpointWebhookSecret: ${JSON.stringify(res.body)}`);
  // PORT=0 in tests: the URL's host part is the configured one, the path is what matters.
  const webhookUrl = `${world.t.url}${new URL(result.webhookUrl).pathname}`;
  return { ...team, secret, webhookUrl };
}

/**
 * A team pushing contacts on add, with its simulator company's webhooks pointed at the server
 * (fast retries). `webhooks: false` leaves Pinpoint's side unconfigured (nothing is ever sent).
 */
export async function setupWebhookTeam(
  world: SyncWorld,
  options: { settings?: Record<string, unknown>; webhooks?: boolean } = {},
): Promise<WebhookTeam> {
  const team = await setWebhookSecret(
    world,
    await setupTeam(world, { addApplicationWhen: 'ADDED_TO_CAMPAIGN', ...options.settings }),
  );
  if (options.webhooks !== false) {
    world.sim.store.configureWebhook(team.company.domain, {
      url: team.webhookUrl,
      secret: team.secret,
      backoffBaseMs: 30,
      timeoutMs: 5_000,
    });
  }
  return team;
}

/** Pushes `count` new contacts into Pinpoint; answers campaign-contact and application ids. */
export async function pushedContacts(
  world: SyncWorld,
  team: SyncTeam,
  count = 1,
): Promise<{ campaignId: string; ccs: { id: string; applicationId: string }[] }> {
  const campaignId = await createCampaign(world, team);
  const ids = await addContacts(
    world,
    team,
    campaignId,
    Array.from({ length: count }, (_, i) => person(i)),
  );
  const ccs = [];
  for (const id of ids) {
    const state = await waitForStatus(world, team, id, 'SYNCED');
    ccs.push({ id, applicationId: state.pinpointApplicationId as string });
  }
  return { campaignId, ccs };
}

export interface AtsView {
  atsStatus: {
    stageName: string | null;
    outcome: string;
    updatedAt: string;
    pinpointUrl: string | null;
  } | null;
  outreachStopped: boolean;
  outreachStoppedReason: string | null;
}

export async function readAts(world: SyncWorld, team: SyncTeam, ccId: string): Promise<AtsView> {
  const res = await world.t.gql<{ node: AtsView }>(
    `query($id: ID!) { node(id: $id) { ... on CampaignContact {
      atsStatus { stageName outcome updatedAt pinpointUrl } outreachStopped outreachStoppedReason } } }`,
    { id: ccId },
    team.memberToken,
  );
  if (!res.data?.node) throw new Error(`no campaign contact ${ccId}: ${JSON.stringify(res.body)}`);
  return res.data.node;
}

/** Polls until the contact's ATS view satisfies `done`. */
export async function waitForAts(
  world: SyncWorld,
  team: SyncTeam,
  ccId: string,
  done: (view: AtsView) => boolean,
  timeoutMs = 8_000,
): Promise<AtsView> {
  const deadline = Date.now() + timeoutMs;
  let last: AtsView | null = null;
  while (Date.now() < deadline) {
    last = await readAts(world, team, ccId);
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`timed out waiting for the ATS status; last ${JSON.stringify(last)}`);
}

/** The contact's ATS events (oldest first) as `KIND: message`. */
export async function atsEvents(world: SyncWorld, ccId: string): Promise<string[]> {
  const id = localId(ccId);
  const rows = await world.t.database.db
    .select({ kind: syncEventsTable.kind, message: syncEventsTable.message, at: syncEventsTable.createdAt })
    .from(syncEventsTable)
    .where(
      and(
        eq(syncEventsTable.campaignContactId, id),
        inArray(syncEventsTable.kind, ['ATS_STAGE_CHANGED', 'ATS_OUTCOME']),
      ),
    )
    .orderBy(syncEventsTable.createdAt);
  return rows.map((r) => `${r.kind}: ${r.message}`);
}

export async function storedDeliveries(world: SyncWorld, teamId: string) {
  return world.t.database.db
    .select()
    .from(webhookDeliveriesTable)
    .where(eq(webhookDeliveriesTable.teamId, teamId))
    .orderBy(webhookDeliveriesTable.receivedAt);
}

/** The row id inside a global Relay id (`base64("CampaignContact:<uuid>")`). */
export function localId(globalId: string): string {
  return Buffer.from(globalId, 'base64').toString('utf8').split(':')[1] ?? globalId;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
