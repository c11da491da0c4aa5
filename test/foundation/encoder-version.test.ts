import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultManifestPath, encoderVersion, flipAveragedEmbedding, loadManifest, projectRoot } from '../../src/engine/models/manifest.js';

const shipped = path.join(projectRoot(), 'models', 'manifest.json');

function writeVariant(change: (manifest: { models: { embedding: Record<string, unknown> } }) => void): string {
  const manifest = JSON.parse(fs.readFileSync(shipped, 'utf8')) as { models: { embedding: Record<string, unknown> } };
  change(manifest);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-')), 'manifest.json');
  fs.writeFileSync(file, JSON.stringify(manifest));
  return file;
}

describe('encoder version of the model manifest', () => {
  it('is 1 when the embedding entry does not say, and what it says otherwise', () => {
    expect(encoderVersion(loadManifest(shipped))).toBe(1);
    expect(flipAveragedEmbedding(loadManifest(shipped))).toBe(false);
    const newer = loadManifest(writeVariant((manifest) => Object.assign(manifest.models.embedding, { encoderVersion: 3, postprocess: { flipAverage: true } })));
    expect(encoderVersion(newer)).toBe(3);
    expect(flipAveragedEmbedding(newer)).toBe(true);
  });

  it('refuses an encoderVersion that is not a whole number from 1, naming the field', () => {
    for (const bad of [0, 1.5, '2']) {
      const file = writeVariant((manifest) => Object.assign(manifest.models.embedding, { encoderVersion: bad }));
      expect(() => loadManifest(file)).toThrow(/models\.embedding\.encoderVersion/);
    }
  });

  it('an empty STATION_MODEL_MANIFEST means unset (the shipped manifest), not the current folder', () => {
    expect(defaultManifestPath({ STATION_MODEL_MANIFEST: '' })).toBe(shipped);
    expect(defaultManifestPath({ STATION_MODEL_MANIFEST: '  ' })).toBe(shipped);
    expect(defaultManifestPath({})).toBe(shipped);
    expect(defaultManifestPath({ STATION_MODEL_MANIFEST: '/elsewhere/manifest.json' })).toBe('/elsewhere/manifest.json');
  });
});
