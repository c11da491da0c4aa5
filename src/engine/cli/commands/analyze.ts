import path from 'node:path';
import type { Command } from 'commander';
import { toErrorInfo } from '../../../shared/errors.js';
import type { ImageAnalysis } from '../../../shared/schemas.js';
import { readImageFile } from '../../image-file.js';
import type { GateProfile } from '../../vision/index.js';
import { action, usageError } from '../context.js';
import { type Output, formatTable } from '../output.js';

/**
 * `station analyze [--json] [--embeddings] [--profile enrollment|icao] <image...>`: the local face analysis
 * of each image. Exit 0 when every file was analysed (a photo without a face is analysed: accepted=false),
 * 1 when any file could not be read.
 */
export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('analyse face photos: faces, pose, quality checks, and whether each would be accepted')
    .argument('<image...>', 'image files (JPEG, PNG, WebP, GIF, TIFF, AVIF)')
    .option('--embeddings', 'include the primary face\'s 512-d embedding in --json output')
    .option('--profile <profile>', 'quality gate: enrollment (default) or icao', 'enrollment')
    .action(
      action(async (context, files: string[], options: { embeddings?: boolean; profile: string }) => {
        if (options.profile !== 'enrollment' && options.profile !== 'icao') throw usageError(`Unknown profile "${options.profile}": use enrollment or icao.`);
        const profile: GateProfile = options.profile;
        // Loaded here, not at the top: onnxruntime and sharp take a noticeable time to load, and every other
        // station command (and --help) would pay for them.
        const { startVisionEngine, toDto } = await import('../../vision/index.js');
        // While the models finish loading (on their worker), this thread reads and decodes the first photos and
        // loads the --json document's schemas (zod); a failure to load the models is still the command's error.
        const engine = startVisionEngine();
        const documents = context.json ? import('../../../shared/json-documents.js') : null;
        const analyzeOne = async (file: string): Promise<ImageAnalysis> => {
          const name = path.basename(file);
          let bytes: Buffer;
          try {
            bytes = readImageFile(file);
          } catch (error) {
            await engine.ready;
            return { file: name, ok: false, error: toErrorInfo(error), width: 0, height: 0, faces: [], primary: null, assessments: [], accepted: false, profile };
          }
          return toDto(await engine.analyzeStill(bytes, { name, profile, embedding: Boolean(options.embeddings) }), Boolean(options.embeddings));
        };
        let results: ImageAnalysis[];
        try {
          // Two photos at a time: the next one is read, decoded and cropped while the models run on the current one.
          results = await mapInOrder(files, 2, analyzeOne);
        } catch (error) {
          await engine.close();
          throw error;
        }
        // The models are released while the results are printed.
        const closed = engine.close();
        try {
          if (documents) context.out.document((await documents).analyzeDocumentSchema, { results });
          else printHuman(context.out, results, profile);
        } finally {
          await closed;
        }
        return results.every((r) => r.ok) ? 0 : 1;
      }),
    );
}

/** `work` over `items` with at most `limit` at once; results in the order of `items`. */
async function mapInOrder<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

function printHuman(out: Output, results: ImageAnalysis[], profile: GateProfile): void {
  const rows = results.map((r) => {
    const face = r.primary === null ? undefined : r.faces[r.primary];
    const ied = r.assessments.find((a) => a.check === 'interEyeDistance')?.value;
    return [
      r.file,
      r.ok ? `${r.width}x${r.height}` : '-',
      r.ok ? String(r.faces.length) : '-',
      face ? `${face.pose.yaw.toFixed(0)}/${face.pose.pitch.toFixed(0)}/${face.pose.roll.toFixed(0)}` : '-',
      typeof ied === 'number' ? ied.toFixed(0) : '-',
      face?.liveness != null ? face.liveness.toFixed(2) : '-',
      face?.eyesOpen != null ? face.eyesOpen.toFixed(2) : '-',
      !r.ok ? out.paint('red', `error ${r.error?.code ?? ''}`) : r.accepted ? out.paint('green', 'yes') : out.paint('red', 'no'),
    ];
  });
  out.line(formatTable(['file', 'size', 'faces', 'yaw/pitch/roll', 'eye dist', 'liveness', 'eyes open', `accepted (${profile})`], rows));
  for (const r of results) {
    if (!r.ok) {
      out.line(`\n${r.file}: ${r.error?.message ?? 'could not be read'}`);
      continue;
    }
    const failed = r.assessments.filter((a) => !a.pass);
    if (failed.length === 0) continue;
    out.line(`\n${r.file}:`);
    for (const a of failed) out.line(`  ${a.gating ? out.paint('red', 'FAIL') : out.paint('yellow', 'note')} ${a.check}: ${a.message}${a.gating ? '' : ' (not gating)'}`);
  }
}
