export type { IdentityEvent, MergeKind, MergeRequest, PropertyUpdates, Warning } from './types';
export { isCookielessPlaceholder, isIllegalDistinctId } from './illegal-ids';
export { uuidFromDistinctId } from './person-uuid';
export {
  isMergeAllowed,
  mergeCaseOf,
  mergeRequestOf,
  precheckMerge,
  refusedMergeWarning,
} from './merge';
export {
  CAMPAIGN_PROPERTIES,
  EVENT_TO_PERSON_PROPERTIES,
  FILTERED_PERSON_UPDATE_PROPERTIES,
  GEOIP_KEYS,
  automaticPersonUpdates,
} from './auto-properties';
export {
  applyPropertyUpdates,
  mergeProperties,
  newPersonProperties,
  propertyUpdatesOf,
} from './properties';
export {
  NO_PERSON_UPDATE_EVENTS,
  personProcessingOf,
  storedEventProperties,
  withoutPersonUpdates,
  type PersonProcessing,
} from './person-less';
export { MAX_PERSON_PROPERTIES_BYTES } from './limits';
export type { Person, PersonEvent, PropertyOperation, PropertyWrites } from './types';
export { MAX_PROPERTY_WRITES_BYTES } from './property-writes';
export {
  mergeTransition,
  updateTransition,
  withPropertyUpdates,
  type MergeInput,
  type Transition,
  type UpdateInput,
} from './transitions';
