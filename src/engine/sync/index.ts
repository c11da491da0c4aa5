export { SyncEngine, type SyncEngineOptions, type JobChange } from './engine.js';
export { SyncLock, type AcquireOptions, type SyncLockOwner } from './lock.js';
export { BwsTransport } from './bws-transport.js';
export type { SyncTransport, EnrollOutcome } from './transport.js';
export { backoffDelay, backoffCeiling, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { ConnectivityMonitor } from './monitor.js';
export { enrollmentLanded } from './reconcile.js';
