// npm run screens — copies the README's screenshots from the last browser test run (test-results/screens/,
// git-ignored, every screen and state) into docs/screens/ (committed), made small: 960 px wide, 256-colour PNG.
// The pictures are always made by the tests, never by hand; run `npm run test:e2e` first.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const from = path.join(root, 'test-results', 'screens');
const to = path.join(root, 'docs', 'screens');

/** README picture -> the run's screenshot it is made from. */
const SET = {
  'capture-live.png': 'en-capture-live.png',
  'capture-review.png': 'en-capture-review.png',
  'capture-queued.png': 'en-capture-queued.png',
  'capture-duplicate.png': 'en-capture-duplicate.png',
  'capture-no-face.png': 'capture-no-face-advice.png',
  'queue.png': 'en-queue-jobs.png',
  'settings.png': 'en-settings-unlocked.png',
  'capture-german.png': 'de-capture-review.png',
};

const missing = Object.values(SET).filter((name) => !fs.existsSync(path.join(from, name)));
if (missing.length > 0) {
  console.error(`screens: missing from ${path.relative(root, from)}: ${missing.join(', ')}. Run "npm run test:e2e" first.`);
  process.exit(1);
}
fs.mkdirSync(to, { recursive: true });
for (const [target, source] of Object.entries(SET)) {
  await sharp(path.join(from, source)).resize({ width: 960, withoutEnlargement: true }).png({ palette: true, colours: 256, compressionLevel: 9 }).toFile(path.join(to, target));
  console.log(`${path.join('docs/screens', target)} <- ${source} (${Math.round(fs.statSync(path.join(to, target)).size / 1024)} KB)`);
}
