// The company's custom field definitions (what a candidate or application may carry).
import { toCustomField } from '../mappers.js';
import type { PinpointCustomField } from '../types.js';
import type { ClientContext } from './context.js';
import { getAll } from './pagination.js';

export interface CustomFieldOperations {
  listCustomFields(): Promise<PinpointCustomField[]>;
}

export function customFieldOperations(ctx: ClientContext): CustomFieldOperations {
  return {
    listCustomFields() {
      return getAll(ctx, 'custom_fields', {}, toCustomField, { skipUnreadable: true });
    },
  };
}
