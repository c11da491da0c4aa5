#!/usr/bin/env node
// Generates the TypeScript message types of the BWS 3 wire contract from proto/ with proto-loader-gen-types
// (part of @grpc/proto-loader), using the loader options of src/engine/bws/proto.ts (LOADER_OPTIONS), into
// src/engine/bws/generated/. The generated files are committed so every checkout type-checks; `npm run build`
// and `prepare` regenerate them, and a test fails when the committed files differ from a fresh generation.
//
//   node scripts/gen-proto-types.mjs            regenerate src/engine/bws/generated/
//   node scripts/gen-proto-types.mjs --out DIR  generate into DIR instead (the staleness test uses this)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const GENERATED_DIR = path.join(root, 'src', 'engine', 'bws', 'generated');
export const PROTO_FILES = ['facerecognition.proto', 'grpc/health/v1/health.proto'];

/**
 * The loader options as generator flags. Keep in step with LOADER_OPTIONS in src/engine/bws/proto.ts
 * (keepCase, longs: String, enums: String, defaults, oneofs): the staleness test checks both.
 */
export const LOADER_FLAGS = { keepCase: true, longs: 'String', enums: 'String', defaults: true, oneofs: true };

export function generate(outDir = GENERATED_DIR) {
  const bin = createRequire(import.meta.url).resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js');
  const flags = Object.entries(LOADER_FLAGS).map(([name, value]) => (value === true ? `--${name}` : `--${name}=${value}`));
  fs.rmSync(outDir, { recursive: true, force: true });
  // Run from the repository root so the "Original file: proto/..." comments are the same on every machine.
  execFileSync(process.execPath, [bin, ...flags, '--grpcLib=@grpc/grpc-js', '--importFileExtension=.js', '-I', 'proto', '-O', outDir, ...PROTO_FILES], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const outDir = at > 0 ? path.resolve(process.argv[at + 1] ?? '') : GENERATED_DIR;
  generate(outDir);
}
