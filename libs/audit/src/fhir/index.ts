export * from './audit-event';
export * from './consent';
export { FHIR_SYSTEMS, grantPolicy } from './references';
