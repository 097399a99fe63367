// The sync-settings enums shared by settings, campaigns and overrides, built from the arrays in
// src/domain/types.ts; every value carries a description for the front end.
import {
  ACTIVITY_TYPES,
  ADD_APPLICATION_WHEN,
  CONTACT_VARIABLES,
  FIELD_UPDATE_POLICIES,
  OUTREACH_CHANNELS,
} from '../../domain/types.js';
import { vocabularyEnum } from '../vocabulary.js';

export const AddApplicationWhenEnum = vocabularyEnum('AddApplicationWhen', {
  description:
    'When a contact is pushed to Pinpoint as an Application, by how far they got in the campaign. Later values need a contact further along; NEVER is never reached.',
  values: ADD_APPLICATION_WHEN,
  describe: {
    ADDED_TO_CAMPAIGN: 'As soon as the contact is added to the campaign.',
    REPLIED: 'When the contact replies (or is marked interested).',
    INTERESTED: 'When the contact is marked interested. The team default.',
    NEVER: 'Never: no Application is created in Pinpoint.',
  },
});

export const FieldUpdatePolicyEnum = vocabularyEnum('FieldUpdatePolicy', {
  description: 'How a mapped contact field is written to an existing Pinpoint candidate.',
  values: FIELD_UPDATE_POLICIES,
  describe: {
    ALWAYS_UPDATE: 'Overwrite the Pinpoint value with the contact’s value on every push or edit.',
    ONLY_IF_BLANK: 'Write the contact’s value only when the field is empty in Pinpoint. The team default.',
  },
});

export const ActivityTypeEnum = vocabularyEnum('ActivityType', {
  description: 'A kind of outreach activity; the team chooses which kinds become Pinpoint notes.',
  values: ACTIVITY_TYPES,
  describe: {
    MESSAGE_SENT: 'A message was sent to the contact on a channel.',
    REPLY_RECEIVED: 'The contact replied.',
    MARKED_INTERESTED: 'The contact was marked interested.',
    CALL_LOGGED: 'A call with the contact was logged.',
    MEETING_BOOKED: 'A meeting with the contact was booked.',
  },
});

export const OutreachChannelEnum = vocabularyEnum('OutreachChannel', {
  description: 'A channel outreach runs on; the team chooses which channels create Pinpoint notes.',
  values: OUTREACH_CHANNELS,
  describe: {
    EMAIL: 'Email.',
    LINKEDIN: 'LinkedIn connection request or message.',
    INMAIL: 'LinkedIn InMail.',
    SMS: 'Text message.',
    CALL: 'Phone call.',
  },
});

export const ContactVariableEnum = vocabularyEnum('ContactVariable', {
  description: 'A contact field whose value can be written to a Pinpoint field (see `FieldMapping`).',
  values: CONTACT_VARIABLES,
  describe: {
    FIRST_NAME: 'The contact’s first name.',
    LAST_NAME: 'The contact’s last name.',
    EMAIL: 'The contact’s email address (always mapped to Pinpoint’s `email`).',
    PHONE: 'The contact’s phone number.',
    COMPANY: 'The contact’s current company (maps only to a custom candidate field).',
    JOB_TITLE: 'The contact’s current job title (maps only to a custom candidate field).',
    LOCATION:
      'The contact’s location as free text (maps to a custom candidate field or an address field: `address1`, `town`, `country`, `postcode`).',
    LINKEDIN_URL: 'The contact’s LinkedIn profile URL.',
  },
});
