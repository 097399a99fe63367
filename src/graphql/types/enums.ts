// The sync-settings enums shared by settings, campaigns and overrides. Values come from the arrays in
// src/domain/types.ts; every value carries a description for the front end.
import type {
  ActivityType,
  AddApplicationWhen,
  ContactVariable,
  FieldUpdatePolicy,
  OutreachChannel,
} from '../../domain/types.js';
import { builder } from '../builder.js';

type Described<V extends string> = Record<V, { description: string }>;

const addApplicationWhenValues = {
  ADDED_TO_CAMPAIGN: { description: 'As soon as the contact is added to the campaign.' },
  REPLIED: { description: 'When the contact replies (or is marked interested).' },
  INTERESTED: { description: 'When the contact is marked interested. The team default.' },
  NEVER: { description: 'Never: no Application is created in Pinpoint.' },
} as const satisfies Described<AddApplicationWhen>;

export const AddApplicationWhenEnum = builder.enumType('AddApplicationWhen', {
  description:
    'When a contact is pushed to Pinpoint as an Application, by how far they got in the campaign. Later values need a contact further along; NEVER is never reached.',
  values: addApplicationWhenValues,
});

const fieldUpdatePolicyValues = {
  ALWAYS_UPDATE: {
    description: 'Overwrite the Pinpoint value with the contact’s value on every push or edit.',
  },
  ONLY_IF_BLANK: {
    description: 'Write the contact’s value only when the field is empty in Pinpoint. The team default.',
  },
} as const satisfies Described<FieldUpdatePolicy>;

export const FieldUpdatePolicyEnum = builder.enumType('FieldUpdatePolicy', {
  description: 'How a mapped contact field is written to an existing Pinpoint candidate.',
  values: fieldUpdatePolicyValues,
});

const activityTypeValues = {
  MESSAGE_SENT: { description: 'A message was sent to the contact on a channel.' },
  REPLY_RECEIVED: { description: 'The contact replied.' },
  MARKED_INTERESTED: { description: 'The contact was marked interested.' },
  CALL_LOGGED: { description: 'A call with the contact was logged.' },
  MEETING_BOOKED: { description: 'A meeting with the contact was booked.' },
} as const satisfies Described<ActivityType>;

export const ActivityTypeEnum = builder.enumType('ActivityType', {
  description: 'A kind of outreach activity; the team chooses which kinds become Pinpoint notes.',
  values: activityTypeValues,
});

const outreachChannelValues = {
  EMAIL: { description: 'Email.' },
  LINKEDIN: { description: 'LinkedIn connection request or message.' },
  INMAIL: { description: 'LinkedIn InMail.' },
  SMS: { description: 'Text message.' },
  CALL: { description: 'Phone call.' },
} as const satisfies Described<OutreachChannel>;

export const OutreachChannelEnum = builder.enumType('OutreachChannel', {
  description: 'A channel outreach runs on; the team chooses which channels create Pinpoint notes.',
  values: outreachChannelValues,
});

const contactVariableValues = {
  FIRST_NAME: { description: 'The contact’s first name.' },
  LAST_NAME: { description: 'The contact’s last name.' },
  EMAIL: { description: 'The contact’s email address (always mapped to Pinpoint’s `email`).' },
  PHONE: { description: 'The contact’s phone number.' },
  COMPANY: { description: 'The contact’s current company (maps only to a custom candidate field).' },
  JOB_TITLE: { description: 'The contact’s current job title (maps only to a custom candidate field).' },
  LOCATION: {
    description:
      'The contact’s location as free text (maps to a custom candidate field or an address field: `address1`, `town`, `country`, `postcode`).',
  },
  LINKEDIN_URL: { description: 'The contact’s LinkedIn profile URL.' },
} as const satisfies Described<ContactVariable>;

export const ContactVariableEnum = builder.enumType('ContactVariable', {
  description: 'A contact field whose value can be written to a Pinpoint field (see `FieldMapping`).',
  values: contactVariableValues,
});
