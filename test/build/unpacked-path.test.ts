import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unpackedPath } from '../../src/engine/vision/inference-worker.js';
import { tempDir } from '../helpers/paths.js';

const resources = tempDir('station-resources-');
afterAll(() => fs.rmSync(resources, { recursive: true, force: true }));

describe('the inference worker in a packaged app', () => {
  it('loads onnxruntime-node from app.asar.unpacked, where the packaged app has it', () => {
    fs.writeFileSync(path.join(resources, 'app.asar'), 'asar archive');
    const unpacked = path.join(resources, 'app.asar.unpacked', 'node_modules', 'onnxruntime-node', 'dist', 'index.js');
    fs.mkdirSync(path.dirname(unpacked), { recursive: true });
    fs.writeFileSync(unpacked, '');
    expect(unpackedPath(path.join(resources, 'app.asar', 'node_modules', 'onnxruntime-node', 'dist', 'index.js'))).toBe(unpacked);
  });

  it('leaves a path alone outside an asar, or when nothing was unpacked', () => {
    const plain = path.join(resources, 'node_modules', 'onnxruntime-node', 'dist', 'index.js');
    expect(unpackedPath(plain)).toBe(plain);
    const packedOnly = path.join(resources, 'app.asar', 'node_modules', 'other', 'index.js');
    expect(unpackedPath(packedOnly)).toBe(packedOnly);
  });
});
