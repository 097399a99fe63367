// The ATS outcome enum on its own, so the campaign-contact list can filter by it without a cycle.
import { ATS_OUTCOMES } from '../../domain/types.js';
import { vocabularyEnum } from '../vocabulary.js';

export const AtsOutcomeEnum = vocabularyEnum('AtsOutcome', {
  description: 'Where an Application stands in Pinpoint’s hiring process.',
  values: ATS_OUTCOMES,
  describe: {
    ACTIVE: 'Still in the pipeline (at the stage `AtsStatus.stageName`).',
    HIRED: 'Pinpoint marked the candidate hired.',
    REJECTED: 'The hiring team rejected the candidate.',
    WITHDRAWN: 'The candidate withdrew.',
  },
});
