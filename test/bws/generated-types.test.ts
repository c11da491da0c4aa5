import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_DIR, LOADER_FLAGS, generate } from '../../scripts/gen-proto-types.mjs';
import { LOADER_OPTIONS } from '../../src/engine/bws/proto.js';

function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((entry) => fs.statSync(path.join(dir, entry)).isFile()).sort();
}

describe('message types generated from proto/', () => {
  it('are generated with the loader options the station loads the proto with', () => {
    expect(LOADER_FLAGS).toEqual({
      keepCase: LOADER_OPTIONS.keepCase,
      longs: (LOADER_OPTIONS.longs as { name: string }).name,
      enums: (LOADER_OPTIONS.enums as { name: string }).name,
      defaults: LOADER_OPTIONS.defaults,
      oneofs: LOADER_OPTIONS.oneofs,
    });
  });

  it('are up to date: the committed files equal a fresh generation (run `npm run gen:proto` after editing proto/)', () => {
    const fresh = generate(fs.mkdtempSync(path.join(os.tmpdir(), 'proto-types-')));
    try {
      const files = listFiles(fresh);
      expect(files).toContain(path.join('bioid', 'services', 'v1', 'FaceEnrollmentResponse.ts'));
      expect(listFiles(GENERATED_DIR)).toEqual(files);
      const stale = files.filter((file) => fs.readFileSync(path.join(fresh, file), 'utf8') !== fs.readFileSync(path.join(GENERATED_DIR, file), 'utf8'));
      expect(stale, `stale generated files: ${stale.join(', ')}`).toEqual([]);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });
});
