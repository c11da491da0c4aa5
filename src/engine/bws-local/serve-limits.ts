import { StationError } from '../../shared/errors.js';

/*
 * The local service's limits and their defaults, in one light module (no gRPC, no sharp): the CLI lists them
 * as `station bws serve` flags without loading the service.
 */

/** Analyses running at once: each decodes full-resolution images, about 180 MB for a 49 MP photo. */
export const DEFAULT_MAX_CONCURRENT_ANALYSES = 2;
/** Requests waiting for an analysis slot; past this the service answers RESOURCE_EXHAUSTED (retry later). */
export const DEFAULT_MAX_QUEUED_ANALYSES = 16;
/** Decoded pixels of all images of one request together (one image may have up to 50 MP). */
export const DEFAULT_MAX_REQUEST_PIXELS = 100_000_000;
/**
 * Connections one client (one remote IP address) may hold open at once. The station's sync engine uses one,
 * the app and a CLI command on the same machine one each; eight leaves room and still stops one caller from
 * holding the service's sockets. Calls per client are bounded by this times the streams per connection.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 8;
/** Calls one connection may carry at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS). */
export const DEFAULT_MAX_STREAMS_PER_CONNECTION = 16;
/**
 * Largest request metadata (header names and values, summed) the local service accepts. A BWS call carries a
 * JWT of well under 1 KB plus a short Reference-Number, so 16 KiB leaves room and still refuses padding at once.
 */
export const MAX_METADATA_BYTES = 16 * 1024;

/** The local service's limits an operator may set (`station bws serve` flags). */
export interface ServeLimits {
  maxConcurrentAnalyses: number;
  maxQueuedAnalyses: number;
  maxRequestPixels: number;
  maxConnectionsPerClient: number;
  maxStreamsPerConnection: number;
  maxMetadataBytes: number;
}

interface LimitFlag {
  key: keyof ServeLimits;
  /** The flag without its dashes. */
  flag: string;
  description: string;
  /** Default and bounds in the flag's own unit; the service's value is the flag's times `scale`. */
  defaultValue: number;
  min: number;
  max: number;
  scale: number;
  why: string;
}

/**
 * Each limit with its bounds. The bounds refuse values that would stop the service working (no analysis, no
 * room for a token) or undo the limit (a memory or socket budget no machine has); within them the operator
 * chooses.
 */
export const SERVE_LIMIT_FLAGS: readonly LimitFlag[] = [
  {
    key: 'maxConcurrentAnalyses',
    flag: 'max-concurrent-analyses',
    description: 'image analyses running at once (each holds its decoded images: about 180 MB for a 49 MP photo)',
    defaultValue: DEFAULT_MAX_CONCURRENT_ANALYSES,
    min: 1,
    max: 32,
    scale: 1,
    why: 'at least one analysis must run, and each can hold about 180 MB',
  },
  {
    key: 'maxQueuedAnalyses',
    flag: 'max-queued-analyses',
    description: 'requests waiting for an analysis; past it the service answers RESOURCE_EXHAUSTED (0: never wait)',
    defaultValue: DEFAULT_MAX_QUEUED_ANALYSES,
    min: 0,
    max: 10_000,
    scale: 1,
    why: 'a waiting request holds its images in memory',
  },
  {
    key: 'maxRequestPixels',
    flag: 'max-request-megapixels',
    description: 'megapixels of all images of one request together, read from their headers before decoding',
    defaultValue: DEFAULT_MAX_REQUEST_PIXELS / 1e6,
    min: 1,
    max: 1000,
    scale: 1e6,
    why: 'below 1 MP even one ordinary photo could be refused, and 1000 MP decode to 3 GB',
  },
  {
    key: 'maxConnectionsPerClient',
    flag: 'max-connections-per-client',
    description: 'connections one client address may hold at once; more are closed as they arrive',
    defaultValue: DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
    min: 1,
    max: 1000,
    scale: 1,
    why: 'a client needs one connection, and every connection holds a socket',
  },
  {
    key: 'maxStreamsPerConnection',
    flag: 'max-streams-per-connection',
    description: 'calls one connection may carry at once',
    defaultValue: DEFAULT_MAX_STREAMS_PER_CONNECTION,
    min: 1,
    max: 1000,
    scale: 1,
    why: 'a connection needs one call, and every call holds its request',
  },
  {
    key: 'maxMetadataBytes',
    flag: 'max-header-bytes',
    description: 'bytes of request headers (token, reference number) past which a call is refused with RESOURCE_EXHAUSTED',
    defaultValue: MAX_METADATA_BYTES,
    min: 1024,
    max: 1024 * 1024,
    scale: 1,
    why: 'a token and a reference number need about 1 KiB, and more than 1 MiB is no header',
  },
];

/** Commander's camelCase property of a flag. */
export function flagProperty(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * Reads the limit flags (strings as typed, absent: the default) and refuses a value that is not a number in
 * its bounds with a USAGE error that names the flag, the bounds and why.
 */
export function parseServeLimits(given: Record<string, string | undefined>): ServeLimits {
  const limits = {} as ServeLimits;
  for (const entry of SERVE_LIMIT_FLAGS) {
    const text = given[flagProperty(entry.flag)];
    let value = entry.defaultValue;
    if (text !== undefined) {
      const trimmed = text.trim();
      value = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
      const integral = entry.scale === 1;
      if (!Number.isFinite(value) || (integral && !Number.isInteger(value)) || value < entry.min || value > entry.max) {
        throw new StationError('USAGE', `--${entry.flag} must be ${integral ? 'a whole number' : 'a number'} from ${entry.min} to ${entry.max} (got "${text}"): ${entry.why}.`);
      }
    }
    limits[entry.key] = Math.round(value * entry.scale);
  }
  return limits;
}
