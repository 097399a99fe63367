// The dashboard read the API benchmark measures, and its reference: the same response shape served
// by stock Apollo Server from memory with plain resolvers.
//
// Shape: campaigns(first: 20) → each campaign's contacts(first: 10) → per contact: id, stage,
// syncStatus, override { syncAs }, effectiveSync { syncAs addApplicationWhen fieldUpdatePolicy } and
// a 5-field contact { email firstName lastName company jobTitle } (200 rows).
export const CAMPAIGNS = 20;
export const CONTACTS_PER_CAMPAIGN = 10;

export const DASHBOARD_QUERY = `query Dashboard {
  campaigns(first: ${CAMPAIGNS}) {
    edges { node { id name
      contacts(first: ${CONTACTS_PER_CAMPAIGN}) { edges { node {
        id stage syncStatus
        override { syncAs }
        effectiveSync { syncAs addApplicationWhen fieldUpdatePolicy }
        contact { email firstName lastName company jobTitle }
      } } }
    } }
  }
}`;

export const VIEWER_QUERY = '{ viewer { user { id } team { id name } } }';
export const TYPENAME_QUERY = '{ __typename }';

/** The subset of the product's schema the dashboard reads, same names and enums. */
export const REFERENCE_TYPE_DEFS = `#graphql
  enum ContactStage { ADDED INTERESTED REPLIED }
  enum SyncStatus { BLOCKED FAILED NOT_SYNCED PENDING SKIPPED SYNCED }
  enum SyncAs { APPLICATION DO_NOT_SYNC }
  enum AddApplicationWhen { ADDED_TO_CAMPAIGN INTERESTED NEVER REPLIED }
  enum FieldUpdatePolicy { ALWAYS_UPDATE ONLY_IF_BLANK }
  type Contact { email: String! firstName: String lastName: String company: String jobTitle: String }
  type SyncOverride { syncAs: SyncAs }
  type EffectiveSync { syncAs: SyncAs! addApplicationWhen: AddApplicationWhen! fieldUpdatePolicy: FieldUpdatePolicy! }
  type CampaignContact {
    id: ID! stage: ContactStage! syncStatus: SyncStatus! override: SyncOverride
    effectiveSync: EffectiveSync! contact: Contact!
  }
  type CampaignContactEdge { node: CampaignContact! }
  type CampaignContactConnection { edges: [CampaignContactEdge!]! }
  type Campaign { id: ID! name: String! contacts(first: Int): CampaignContactConnection! }
  type CampaignEdge { node: Campaign! }
  type CampaignConnection { edges: [CampaignEdge!]! }
  type Query { campaigns(first: Int): CampaignConnection! }
`;

const gid = (type: string, n: number) =>
  Buffer.from(`${type}:${`00000000-0000-4000-8000-${String(n).padStart(12, '0')}`}`).toString('base64');

interface RefContact {
  readonly node: Record<string, unknown>;
}
interface RefCampaign {
  readonly id: string;
  readonly name: string;
  readonly contacts: RefContact[];
}

/** 20 campaigns × 10 contacts, values shaped like the product's (global ids, one override in 3). */
export function referenceData(): RefCampaign[] {
  return Array.from({ length: CAMPAIGNS }, (_, c) => ({
    id: gid('Campaign', c),
    name: `Campaign ${c}`,
    contacts: Array.from({ length: CONTACTS_PER_CAMPAIGN }, (_, k) => {
      const n = c * CONTACTS_PER_CAMPAIGN + k;
      const override = n % 3 === 0 ? { syncAs: 'DO_NOT_SYNC' } : null;
      return {
        node: {
          id: gid('CampaignContact', n),
          stage: 'ADDED',
          syncStatus: override ? 'NOT_SYNCED' : 'PENDING',
          override,
          effectiveSync: {
            syncAs: override ? 'DO_NOT_SYNC' : 'APPLICATION',
            addApplicationWhen: 'INTERESTED',
            fieldUpdatePolicy: 'ONLY_IF_BLANK',
          },
          contact: seedContact(n),
        },
      };
    }),
  }));
}

/** The 5 contact fields, the same for the product's seed and the reference. */
export function seedContact(n: number) {
  return {
    email: `person${n}@example.com`,
    firstName: 'Ada',
    lastName: `Lovelace${n}`,
    company: 'Analytical Engines Ltd',
    jobTitle: 'Staff Engineer',
  };
}

/** Plain resolvers: a list and a slice, everything else the default resolver. */
export function referenceResolvers(data: RefCampaign[]) {
  return {
    Query: {
      campaigns: (_: unknown, args: { first?: number }) => ({
        edges: data.slice(0, args.first ?? 20).map((node) => ({ node })),
      }),
    },
    Campaign: {
      contacts: (campaign: RefCampaign, args: { first?: number }) => ({
        edges: campaign.contacts.slice(0, args.first ?? 20),
      }),
    },
  };
}

/** Every key path of a JSON value (array items merged): equal sets mean the same response shape. */
export function shapeOf(value: unknown, prefix = '', into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) shapeOf(item, `${prefix}[]`, into);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      into.add(`${prefix}.${k}`);
      shapeOf(v, `${prefix}.${k}`, into);
    }
  return into;
}
