// Candidates: finding one by email, reading it, and updating its attributes and custom values.
import { customAttributeValueKey, FILTERS, INCLUDES } from '../api-assumptions.js';
import { personAttributesToApi, toCandidate } from '../mappers.js';
import type { PinpointCandidate, UpdateCandidateInput } from '../types.js';
import { type ClientContext, encodeId, getOne, write } from './context.js';
import { getAll } from './pagination.js';

export interface CandidateOperations {
  /** Records whose email equals `email` case-insensitively; more than one means ambiguous. */
  findCandidatesByEmail(email: string): Promise<PinpointCandidate[]>;
  getCandidate(id: string): Promise<PinpointCandidate>;
  updateCandidate(id: string, input: UpdateCandidateInput): Promise<PinpointCandidate>;
}

export function candidateOperations(ctx: ClientContext): CandidateOperations {
  return {
    async findCandidatesByEmail(email) {
      const wanted = email.trim().toLowerCase();
      const found = await getAll(ctx, 'candidates', { [FILTERS.candidateEmail]: email.trim() }, toCandidate, {
        maxPages: 5,
      });
      // The filter's matching rules are not documented: only exact (case-insensitive) matches count.
      return found.filter((candidate) => candidate.email?.trim().toLowerCase() === wanted);
    },

    getCandidate(id) {
      return getOne(
        ctx,
        `candidates/${encodeId(id)}`,
        { include: INCLUDES.candidateCustomAttributes },
        toCandidate,
      );
    },

    updateCandidate(id, input) {
      return write(ctx, 'PUT', `candidates/${encodeId(id)}`, candidateUpdateBody(id, input), toCandidate, {
        include: INCLUDES.candidateCustomAttributes,
      });
    },
  };
}

/** The JSON:API document of a candidate update: custom values side-loaded, created or updated. */
function candidateUpdateBody(id: string, input: UpdateCandidateInput): Record<string, unknown> {
  const relationshipData: Record<string, unknown>[] = [];
  const included: Record<string, unknown>[] = [];
  (input.customAttributes ?? []).forEach((custom, index) => {
    const ref = custom.existingAttributeId
      ? { type: 'custom_attributes', id: custom.existingAttributeId, method: 'update' }
      : { type: 'custom_attributes', 'temp-id': `t${index + 1}`, method: 'create' };
    relationshipData.push(ref);
    const { method: _method, ...identity } = ref;
    included.push({
      ...identity,
      attributes: { [customAttributeValueKey(custom.fieldType)]: custom.value },
      relationships: { custom_field: { data: { type: 'custom_fields', id: custom.customFieldId } } },
    });
  });
  const data: Record<string, unknown> = { id, type: 'candidates' };
  if (input.attributes) data.attributes = personAttributesToApi(input.attributes);
  if (relationshipData.length > 0) data.relationships = { custom_attributes: { data: relationshipData } };
  return included.length > 0 ? { data, included } : { data };
}
