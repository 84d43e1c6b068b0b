export type { IdentityEvent, MergeKind, MergeRequest, PropertyUpdates, Warning } from './types';
export { COOKIELESS_PLACEHOLDER_IDS, isCookielessPlaceholder, isIllegalDistinctId } from './illegal-ids';
export { uuidFromDistinctId } from './person-uuid';
export {
  isMergeAllowed,
  mergeCaseOf,
  mergeRequestOf,
  precheckMerge,
  refusedMergeWarning,
  type MergeCase,
  type MergePrecheck,
} from './merge';
export {
  CAMPAIGN_PROPERTIES,
  EVENT_TO_PERSON_KEYS,
  EVENT_TO_PERSON_PROPERTIES,
  FILTERED_PERSON_UPDATE_PROPERTIES,
  GEOIP_KEYS,
  PERSON_EVENTS,
  automaticPersonUpdates,
  type AutomaticUpdates,
} from './auto-properties';
export {
  applyPropertyUpdates,
  mergeProperties,
  newPersonProperties,
  propertyUpdatesOf,
} from './properties';
export {
  CLIENT_INGESTION_WARNING_EVENT,
  NO_PERSON_UPDATE_EVENTS,
  personProcessingOf,
  storedEventProperties,
  withoutPersonUpdates,
  type PersonProcessing,
} from './person-less';
export { MAX_PERSON_PROPERTIES_BYTES, personPropertiesSizeViolation, propertiesSizeOf } from './limits';
export type { HistoryLine, Person, PersonEvent, PropertyOperation, PropertyWrite, PropertyWrites } from './types';
export {
  MAX_PROPERTY_WRITES_BYTES,
  applyUpdatesAt,
  isLater,
  mergeWrites,
  newPersonWrites,
  withinWritesLimit,
  type TimedProperties,
} from './property-writes';
export {
  mergeTransition,
  newPerson,
  updateTransition,
  withPropertyUpdates,
  type MergeInput,
  type Transition,
  type UpdateInput,
} from './transitions';
