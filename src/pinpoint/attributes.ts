// The one table of Pinpoint's person attribute names (snake_case on the wire) against the client's
// camelCase input keys: the mappers write with it, the sync engine turns mapped fields into input.
import type { PersonAttributesInput } from './types.js';

export const PERSON_ATTRIBUTE_NAMES: Readonly<Record<keyof PersonAttributesInput, string>> = {
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  phone: 'phone',
  phoneIso2: 'phone_iso2',
  linkedinUrl: 'linkedin_url',
  address1: 'address1',
  address2: 'address2',
  town: 'town',
  country: 'country',
  postcode: 'postcode',
  dateOfBirth: 'date_of_birth',
};

const KEY_BY_NAME = new Map(
  Object.entries(PERSON_ATTRIBUTE_NAMES).map(([key, name]) => [name, key as keyof PersonAttributesInput]),
);

/** The input key of a Pinpoint attribute name (`first_name` → `firstName`); undefined for any other name. */
export function personAttributeKey(name: string): keyof PersonAttributesInput | undefined {
  return KEY_BY_NAME.get(name);
}
