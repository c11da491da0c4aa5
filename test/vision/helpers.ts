import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared test photos live beside the repository (CI checks shared/ out next to it). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const facesDir = path.resolve(repoRoot, '../shared/faces');

export interface Label {
  person: string | null;
  faces: number;
  note?: string;
}

export const labels: Record<string, Label> = JSON.parse(fs.readFileSync(path.join(facesDir, 'labels.json'), 'utf8'));
export const photoNames = Object.keys(labels).sort();

export function readFace(name: string): Buffer {
  return fs.readFileSync(path.join(facesDir, name));
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `station-vision-${prefix}-`));
}
