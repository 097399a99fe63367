// Plain camelCase shapes the Pinpoint client returns and accepts (never raw JSON:API).

export interface PinpointStage {
  readonly id: string;
  readonly name: string;
  readonly position: number | null;
}

export interface PinpointJob {
  readonly id: string;
  readonly title: string;
  /** `open`, `closed`, `archived`, `draft`, or whatever else Pinpoint sends. */
  readonly status: string | null;
  readonly stages: readonly PinpointStage[];
}

export interface PinpointCustomField {
  readonly id: string;
  readonly label: string;
  readonly fieldType: string;
  /** `candidate`, `application`, `job`, ...: a value can only be set on a record of this type. */
  readonly resourceType: string;
}

export type CustomAttributeValue = string | number | boolean | null;

export interface PinpointCustomAttribute {
  readonly id: string;
  readonly customFieldId: string;
  readonly value: CustomAttributeValue;
}

/** Personal attributes shared by candidates and applications (null when Pinpoint has none). */
export interface PinpointPerson {
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly phoneIso2: string | null;
  readonly linkedinUrl: string | null;
  readonly address1: string | null;
  readonly address2: string | null;
  readonly town: string | null;
  readonly country: string | null;
  readonly postcode: string | null;
  readonly dateOfBirth: string | null;
}

export interface PinpointCandidate extends PinpointPerson {
  readonly id: string;
  /** Only filled by `getCandidate` / `updateCandidate` (which side-load them). */
  readonly customAttributes: readonly PinpointCustomAttribute[];
}

/** Where an application ended up; `active` while it is still in the hiring process. */
export type PinpointOutcome = 'active' | 'hired' | 'rejected' | 'withdrawn';

export interface PinpointApplication extends PinpointPerson {
  readonly id: string;
  readonly jobId: string | null;
  readonly stageId: string | null;
  /** The current stage; `name` is null unless Pinpoint side-loaded or named it. */
  readonly stage: { readonly id: string; readonly name: string | null } | null;
  /** Null when Pinpoint sent no outcome we recognise (the attribute names are assumed). */
  readonly outcome: PinpointOutcome | null;
  /** Pinpoint's time of the last change, as sent (assumed attribute), else null. */
  readonly updatedAt: string | null;
  /** Pinpoint's admin page for the application (assumed path: best effort). */
  readonly pinpointUrl: string;
  readonly candidateId: string | null;
  readonly tags: readonly string[];
}

export interface PinpointComment {
  readonly id: string;
  readonly bodyText: string;
  readonly commentable: { readonly type: string; readonly id: string } | null;
}

/** Writable personal attributes; omitted keys are left alone, `null` clears a value. */
export interface PersonAttributesInput {
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly email?: string | null;
  readonly phone?: string | null;
  readonly phoneIso2?: string | null;
  readonly linkedinUrl?: string | null;
  readonly address1?: string | null;
  readonly address2?: string | null;
  readonly town?: string | null;
  readonly country?: string | null;
  readonly postcode?: string | null;
  readonly dateOfBirth?: string | null;
}

export interface CustomAttributeInput {
  readonly customFieldId: string;
  readonly value: CustomAttributeValue;
  /** The candidate's existing attribute for this field: updated in place instead of created. */
  readonly existingAttributeId?: string;
  /** The custom field's `fieldType`, which decides the value attribute (`varchar_value` if absent). */
  readonly fieldType?: string;
}

export interface UpdateCandidateInput {
  readonly attributes?: PersonAttributesInput;
  readonly customAttributes?: readonly CustomAttributeInput[];
}

export interface TagInput {
  readonly tag: string;
  readonly context: string;
}

export interface CreateApplicationInput {
  readonly jobId: string;
  /** Omitted: Pinpoint puts the application in the job's "Applied" stage. */
  readonly stageId?: string;
  readonly attributes: PersonAttributesInput & {
    readonly firstName: string;
    readonly lastName: string;
    readonly email: string;
    readonly summary?: string;
  };
  /** Send true unless a team opts in to Pinpoint's "Application received" emails. */
  readonly skipNotificationsOnCreate: boolean;
  readonly tags?: readonly TagInput[];
}

export interface UpdateApplicationInput {
  readonly attributes?: PersonAttributesInput;
  readonly stageId?: string;
  readonly addTags?: readonly TagInput[];
}

export interface CreateCommentInput {
  readonly commentable: { readonly type: 'applications' | 'candidates'; readonly id: string };
  readonly bodyText: string;
}

export interface ListJobsOptions {
  /** At most 100. */
  readonly pageSize?: number;
  readonly maxPages?: number;
}
