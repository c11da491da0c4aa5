// The local BWS-compatible service: handlers (wrap them to inject faults), servers, and the embedded instance.
export { type LocalBwsHandlers, type LocalBwsMode, type LocalBwsServiceOptions, DEFAULT_MATCH_THRESHOLD, createLocalBwsHandlers } from './handlers.js';
export { type TemplateSpace, DEFAULT_PARTITION, DEFAULT_STORAGE, formatBcid, templateSpace } from './bcid.js';
export { type TemplateMode, canUpgrade } from './lifecycle.js';
export { type CompactForm, COMPACT_FORM, compactTemplate, matchScore } from './matching.js';
export { GrpcFailure, JwtVerifier } from './auth.js';
export { type ListenOptions, type RunningLocalBws, type RunningServer, type ServerTls, LOCAL_SERVER_OPTIONS, serveBws, shutdown, startLocalBws, startStoreOnlyBws } from './server.js';
export { TemplateStore, LOCAL_BWS_MIGRATIONS } from './template-store.js';
export { type EmbeddedLocalBws, type LocalBwsSecrets, localBwsSecrets, localServiceKey, startEmbeddedLocalBws } from './embedded.js';
