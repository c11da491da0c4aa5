import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MODEL_MISSING_DETAIL, type ModelManifest, type ModelRole, MODEL_ROLES, modelFilePath, modelMismatchDetail, modelsNotReady } from '../models/manifest.js';
import { REWRITE_VERSION, rewritePRelu } from './prelu-rewrite.js';

/**
 * Finds the model files the engine loads, keeping the guarantee that a tampered or wrong file is refused
 * without hashing ~15 MB at every start (about half a second here):
 * - A file whose sha256 matched is remembered in `.verified.json` next to the manifest with its size, mtime,
 *   ctime and inode, and hashed again only when one of those changed (any write, copy or `touch` changes
 *   ctime, which ordinary programs cannot set back). `station doctor` does not use this: it hashes in full.
 * - Models with PRelu nodes are loaded from a rewritten copy (see prelu-rewrite.ts) kept in `.cache/` next to
 *   the manifest, named by the source's sha256 and verified the same way against the hash recorded when it
 *   was written. Rewriting in memory at each start would cost more than it saves (copies of several MB).
 * A read-only models folder only means no cache: each start hashes and rewrites in memory.
 */
export const VERIFIED_CACHE = '.verified.json';

interface FileFacts {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

interface VerifiedEntry extends FileFacts {
  sha256: string;
}

interface VerifiedCache {
  formatVersion: 1;
  /** Absolute path -> facts at the time its sha256 was computed. */
  files: Record<string, VerifiedEntry>;
  /** `v<rewrite version>:<source sha256>` -> sha256 of its rewritten copy, or null when no rewrite applies. */
  rewrites: Record<string, string | null>;
}

export interface ModelSource {
  role: ModelRole;
  /** The manifest's file for this role. */
  file: string;
  /** What onnxruntime loads: a path (the file or its verified rewritten copy) or bytes rewritten in memory. */
  load: string | Uint8Array;
  /** How the manifest's file was checked: 'hashed' now, 'cached' (unchanged since hashed), 'skipped'. */
  verification: 'hashed' | 'cached' | 'skipped';
}

export function verifiedCachePath(manifest: ModelManifest): string {
  return path.join(path.dirname(manifest.path), VERIFIED_CACHE);
}

function rewrittenPath(manifest: ModelManifest, sourceSha: string): string {
  return path.join(path.dirname(manifest.path), '.cache', `prelu-v${REWRITE_VERSION}-${sourceSha}.onnx`);
}

function readCache(file: string): VerifiedCache {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<VerifiedCache>;
    if (parsed.formatVersion === 1 && typeof parsed.files === 'object' && parsed.files && typeof parsed.rewrites === 'object' && parsed.rewrites) {
      return parsed as VerifiedCache;
    }
  } catch {
    // Missing or unreadable: start empty (everything is hashed).
  }
  return { formatVersion: 1, files: {}, rewrites: {} };
}

function writeFileAtomic(file: string, data: string | Uint8Array): boolean {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, data);
    fs.renameSync(temp, file);
    return true;
  } catch {
    return false;
  }
}

/** Copies of the same model made by an earlier rewrite version. */
function removeStaleCopies(current: string, sourceSha: string): void {
  const dir = path.dirname(current);
  try {
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith('prelu-') && name.endsWith(`${sourceSha}.onnx`) && path.join(dir, name) !== current) fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // Only tidying.
  }
}

const factsOf = (stat: fs.Stats): FileFacts => ({ size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino });
const sameFacts = (a: FileFacts, b: FileFacts): boolean => a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The file's bytes read through one descriptor, with its facts before and after (null if it changed meanwhile). */
function readStable(file: string): { bytes: Uint8Array; facts: FileFacts | null } {
  const fd = fs.openSync(file, 'r');
  try {
    const before = factsOf(fs.fstatSync(fd));
    const bytes = fs.readFileSync(fd);
    const after = factsOf(fs.fstatSync(fd));
    return { bytes, facts: sameFacts(before, after) && bytes.length === before.size ? before : null };
  } finally {
    fs.closeSync(fd);
  }
}

function statFacts(file: string): FileFacts | null {
  try {
    return factsOf(fs.statSync(file));
  } catch {
    return null;
  }
}

/** Model files that are not ready, as resolveModelFiles found them. */
export type ModelProblem = { file: string; missing: boolean; detail: string };

/**
 * What to load for each model, the manifest's files verified against their sha256 (unless verify is false).
 * Throws MODEL_MISSING or MODEL_CHECKSUM naming every file that is not ready (worded by `notReady` if given).
 */
export function resolveModelFiles(
  manifest: ModelManifest,
  options: { verify?: boolean; notReady?: (problems: ModelProblem[]) => Error } = {},
): Record<ModelRole, ModelSource> {
  const verify = options.verify !== false;
  const cacheFile = verifiedCachePath(manifest);
  const cache = readCache(cacheFile);
  let changed = false;
  const remember = (file: string, facts: FileFacts | null, sha: string): void => {
    if (!facts) return;
    cache.files[path.resolve(file)] = { ...facts, sha256: sha };
    changed = true;
  };
  /** True when the file is unchanged since it was hashed to `sha`. */
  const knownAs = (file: string, facts: FileFacts | null, sha: string): boolean => {
    const entry = cache.files[path.resolve(file)];
    return Boolean(facts && entry && entry.sha256 === sha && sameFacts(entry, facts));
  };

  const problems: ModelProblem[] = [];
  const sources: Partial<Record<ModelRole, ModelSource>> = {};
  for (const role of MODEL_ROLES) {
    const file = modelFilePath(manifest, role);
    const expected = manifest.models[role].sha256;
    const facts = statFacts(file);
    if (!facts) {
      const missing = !fs.existsSync(file);
      problems.push({ file, missing, detail: missing ? MODEL_MISSING_DETAIL : 'unreadable' });
      continue;
    }
    let bytes: Uint8Array | null = null;
    let verification: ModelSource['verification'] = 'skipped';
    if (verify) {
      if (knownAs(file, facts, expected)) {
        verification = 'cached';
      } else {
        const read = readStable(file);
        bytes = read.bytes;
        const actual = sha256(bytes);
        if (actual !== expected) {
          problems.push({ file, missing: false, detail: modelMismatchDetail(actual) });
          continue;
        }
        remember(file, read.facts, actual);
        verification = 'hashed';
      }
    }

    // The rewritten copy, when this model has PRelu nodes (known from an earlier start, or found now).
    let load: string | Uint8Array = file;
    const rewriteKey = `v${REWRITE_VERSION}:${expected}`;
    const rewrittenSha = cache.rewrites[rewriteKey];
    const copy = rewrittenPath(manifest, expected);
    if (rewrittenSha === null) {
      load = file;
    } else if (rewrittenSha !== undefined && knownAs(copy, statFacts(copy), rewrittenSha)) {
      load = copy;
    } else {
      const source = bytes ?? fs.readFileSync(file);
      // Only bytes that match the manifest may leave a rewritten copy that later starts trust.
      const trusted = bytes !== null || sha256(source) === expected;
      const rewritten = rewritePRelu(source);
      if (!trusted) {
        load = rewritten.rewritten > 0 ? rewritten.bytes : file;
      } else if (rewritten.rewritten === 0) {
        cache.rewrites[rewriteKey] = null;
        changed = true;
      } else if (writeFileAtomic(copy, rewritten.bytes)) {
        removeStaleCopies(copy, expected);
        const sha = sha256(rewritten.bytes);
        cache.rewrites[rewriteKey] = sha;
        remember(copy, statFacts(copy), sha);
        load = copy;
      } else {
        load = rewritten.bytes;
      }
    }
    sources[role] = { role, file, load, verification };
  }
  if (changed) writeFileAtomic(cacheFile, `${JSON.stringify(cache, null, 1)}\n`);
  if (problems.length > 0) throw (options.notReady ?? modelsNotReady)(problems);
  return sources as Record<ModelRole, ModelSource>;
}
