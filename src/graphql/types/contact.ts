// Contacts: the people a team runs outreach to (one per email, case-insensitive), and updateContact.
import { type ContactUpdateInput, updateContact } from '../../app/contacts.js';
import { type ContactRow, loadersOf } from '../../app/loaders.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { builder } from '../builder.js';
import { foundRows, localId } from './ids.js';

const fieldDescriptions = {
  firstName: 'First name, at most 200 characters.',
  lastName: 'Last name, at most 200 characters.',
  phone: 'Phone number as entered, at most 50 characters.',
  company: 'Current company, at most 200 characters.',
  jobTitle: 'Current job title, at most 200 characters.',
  location: 'Location as free text, at most 200 characters.',
  linkedinUrl: 'LinkedIn profile URL (http or https), at most 500 characters.',
} as const;

export const ContactRef = builder.loadableNode('Contact', {
  description:
    'A person outreach goes to. Unique per team by email (case-insensitive); shared by all campaigns of the team.',
  id: { resolve: (contact: ContactRow) => contact.id },
  sort: (contact) => contact.id,
  load: async (ids: string[], ctx) => {
    if (!ctx.viewer) return [];
    const rows = await loadersOf(ctx).contacts.loadMany(ids);
    return foundRows(rows);
  },
  fields: (t) => ({
    email: t.exposeString('email', { description: 'Email address as entered (matching ignores case).' }),
    firstName: t.exposeString('firstName', { nullable: true, description: fieldDescriptions.firstName }),
    lastName: t.exposeString('lastName', { nullable: true, description: fieldDescriptions.lastName }),
    phone: t.exposeString('phone', { nullable: true, description: fieldDescriptions.phone }),
    company: t.exposeString('company', { nullable: true, description: fieldDescriptions.company }),
    jobTitle: t.exposeString('jobTitle', { nullable: true, description: fieldDescriptions.jobTitle }),
    location: t.exposeString('location', { nullable: true, description: fieldDescriptions.location }),
    linkedinUrl: t.exposeString('linkedinUrl', {
      nullable: true,
      description: fieldDescriptions.linkedinUrl,
    }),
  }),
});

export const ContactInputRef = builder.inputType('ContactInput', {
  description:
    'A contact to add to a campaign. Surrounding spaces are trimmed; an empty string counts as no value. An existing contact with the same email (any case) is reused and gets the non-empty fields given here.',
  fields: (t) => ({
    email: t.string({ required: true, description: 'A valid email address, at most 320 characters.' }),
    firstName: t.string({ description: fieldDescriptions.firstName }),
    lastName: t.string({ description: fieldDescriptions.lastName }),
    phone: t.string({ description: fieldDescriptions.phone }),
    company: t.string({ description: fieldDescriptions.company }),
    jobTitle: t.string({ description: fieldDescriptions.jobTitle }),
    location: t.string({ description: fieldDescriptions.location }),
    linkedinUrl: t.string({ description: fieldDescriptions.linkedinUrl }),
  }),
});

const ContactUpdateInputRef = builder.inputType('ContactUpdateInput', {
  description:
    'Changes to a contact: fields left out keep their value; null or an empty string clears one (email cannot be cleared).',
  fields: (t) => ({
    email: t.string({
      description: 'A valid email address no other contact of the team has, at most 320 characters.',
    }),
    firstName: t.string({ description: fieldDescriptions.firstName }),
    lastName: t.string({ description: fieldDescriptions.lastName }),
    phone: t.string({ description: fieldDescriptions.phone }),
    company: t.string({ description: fieldDescriptions.company }),
    jobTitle: t.string({ description: fieldDescriptions.jobTitle }),
    location: t.string({ description: fieldDescriptions.location }),
    linkedinUrl: t.string({ description: fieldDescriptions.linkedinUrl }),
  }),
});

builder.mutationField('updateContact', (t) =>
  t.field({
    type: ContactRef,
    description:
      'Edits a contact (a manual contact update). When a value changes, each campaign the contact is in queues a sync job, so mapped fields reach Pinpoint per the team’s policy. Any team member.',
    authScopes: { authenticated: true },
    errors: {
      types: [ValidationError, NotFoundError],
      union: { description: 'The updated contact, or why nothing was changed.' },
    },
    args: {
      id: t.arg.id({ required: true, description: 'The contact’s global id.' }),
      input: t.arg({ type: ContactUpdateInputRef, required: true, description: 'The fields to change.' }),
    },
    resolve: (_root, args, ctx) =>
      updateContact(ctx, localId(args.id, 'Contact'), args.input as ContactUpdateInput),
  }),
);
