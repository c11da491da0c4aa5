// npm run bench:templates — which compact template verifies better on ../shared/faces, and whether the
// flip-averaged encoder (the embedding of the face and of its mirror image, averaged) beats the plain one.
// For every labelled person with at least two usable photos, each photo in turn is the probe and the others
// are the template (leave-one-out: genuine scores); every photo of every other person is scored against the
// person's full template (impostor scores). Printed per encoder and compact form: lowest genuine, highest
// impostor, their margin, genuine accepted and impostors accepted at the service's threshold (0.4), and the
// share of genuine/impostor pairs ordered correctly. Accuracy numbers only: nothing is timed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createVisionEngine } from '../dist/engine/vision/index.js';
import { loadManifest } from '../dist/engine/models/manifest.js';
import { compactTemplate, matchScore } from '../dist/engine/bws-local/matching.js';
import { DEFAULT_MATCH_THRESHOLD } from '../dist/engine/bws-local/handlers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const facesDir = path.resolve(root, '../shared/faces');
const labels = JSON.parse(fs.readFileSync(path.join(facesDir, 'labels.json'), 'utf8'));
sharp.cache(false);

/** The default manifest with the flip-averaged embedding (files made absolute so it can live in a temp folder). */
function flipManifest() {
  const base = loadManifest();
  const copy = JSON.parse(fs.readFileSync(base.path, 'utf8'));
  for (const entry of Object.values(copy.models)) entry.file = path.resolve(path.dirname(base.path), entry.file);
  copy.models.embedding.encoderVersion = 2;
  copy.models.embedding.postprocess = { ...(copy.models.embedding.postprocess ?? {}), flipAverage: true };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-flip-')), 'manifest.json');
  fs.writeFileSync(file, JSON.stringify(copy));
  return loadManifest(file);
}

async function embeddings(manifest) {
  const engine = await createVisionEngine(manifest ? { manifest } : {});
  const out = [];
  try {
    for (const [name, label] of Object.entries(labels)) {
      if (!label.person || label.faces !== 1) continue;
      const analysis = await engine.analyzeStill(fs.readFileSync(path.join(facesDir, name)), { name });
      if (analysis.embeddingVector) out.push({ name, person: label.person, vector: analysis.embeddingVector });
    }
  } finally {
    await engine.close();
  }
  return out;
}

function evaluate(items, form) {
  const people = [...new Set(items.map((item) => item.person))].filter((person) => items.filter((item) => item.person === person).length >= 2);
  const genuine = [];
  const impostor = [];
  for (const person of people) {
    const own = items.filter((item) => item.person === person);
    for (const probe of own) genuine.push(matchScore(probe.vector, compactTemplate(own.filter((item) => item !== probe).map((item) => item.vector), form)));
    const template = compactTemplate(own.map((item) => item.vector), form);
    for (const probe of items.filter((item) => item.person !== person)) impostor.push(matchScore(probe.vector, template));
  }
  let ordered = 0;
  for (const g of genuine) for (const i of impostor) ordered += g > i ? 1 : g === i ? 0.5 : 0;
  const minGenuine = Math.min(...genuine);
  const maxImpostor = Math.max(...impostor);
  return {
    genuine: genuine.length,
    impostor: impostor.length,
    minGenuine,
    maxImpostor,
    margin: minGenuine - maxImpostor,
    meanGenuine: genuine.reduce((a, b) => a + b, 0) / genuine.length,
    accepted: genuine.filter((s) => s >= DEFAULT_MATCH_THRESHOLD).length,
    falseAccepts: impostor.filter((s) => s >= DEFAULT_MATCH_THRESHOLD).length,
    auc: ordered / (genuine.length * impostor.length),
  };
}

const rows = [];
for (const [encoder, manifest] of [['plain (v1)', null], ['flip-averaged (v2)', flipManifest()]]) {
  const items = await embeddings(manifest);
  for (const form of ['mean', 'vectors']) rows.push({ encoder, form, ...evaluate(items, form) });
}
const f = (v) => v.toFixed(3);
console.log(`usable photos per encoder: see genuine counts; threshold ${DEFAULT_MATCH_THRESHOLD}`);
console.log(['encoder', 'compact', 'min genuine', 'mean genuine', 'max impostor', 'margin', `genuine >= ${DEFAULT_MATCH_THRESHOLD}`, 'false accepts', 'pairs ordered'].join(' | '));
for (const r of rows) console.log([r.encoder, r.form, f(r.minGenuine), f(r.meanGenuine), f(r.maxImpostor), f(r.margin), `${r.accepted}/${r.genuine}`, `${r.falseAccepts}/${r.impostor}`, f(r.auc)].join(' | '));
