import * as grpc from '@grpc/grpc-js';
import type { EnrollmentAction, ImageData, ImageProperties, JobError } from '../bws/messages.js';
import type { VisionEngine } from '../vision/types.js';
import { type AnalysedImage, THUMBNAIL_SIZE, analyseUpload, unanalysedProperties } from './analysis.js';
import { GrpcFailure } from './auth.js';
import type { EnhancedFeature, NewFeature, TemplateRecord, TemplateStore } from './template-store.js';

/**
 * What an Enroll does to a template, as BWS describes it:
 *  - new images, no template                         -> NEW_TEMPLATE_CREATED
 *  - new images, template of the current encoder     -> TEMPLATE_UPDATED (vectors added)
 *  - template of an older encoder, with a thumbnail for every vector
 *                                                    -> every vector recomputed from its thumbnail, the new
 *                                                       images' vectors added: TEMPLATE_UPGRADED
 *  - template of an older encoder without thumbnails -> FAILED_PRECONDITION: it cannot be upgraded
 *  - no images                                       -> the upgrade when possible, otherwise NONE
 * "full" mode keeps a PNG face thumbnail of every enrolled image (what makes upgrades possible); "standard"
 * keeps only the vectors.
 */
export type TemplateMode = 'full' | 'standard';

export interface EnrollOutcome {
  action: EnrollmentAction;
  errors: JobError[];
  properties: ImageProperties[];
  enrolledImages: number;
}

export interface LifecycleContext {
  store: TemplateStore;
  templateMode: TemplateMode;
  /** null in store-only mode (images are counted, never analysed). */
  vision: (() => Promise<VisionEngine>) | null;
  /** The encoder version of store-only services (no vision engine to ask). */
  storeOnlyEncoderVersion: number;
}

export async function enrollTemplate(context: LifecycleContext, classId: string, images: ImageData[]): Promise<EnrollOutcome> {
  const { store } = context;
  if (!context.vision) return storeOnlyEnroll(context, classId, images);
  const engine = await context.vision();
  const current = engine.encoderVersion;
  const record = store.get(classId);
  if (record && record.encoderVersion > current) {
    throw new GrpcFailure(grpc.status.FAILED_PRECONDITION, `Template ${record.bcid} was built with encoder version ${record.encoderVersion}, newer than this service's ${current}: run the service with the model manifest of version ${record.encoderVersion} or later.`);
  }
  const outdated = record !== null && record.encoderVersion < current;
  const upgradable = outdated && canUpgrade(record);
  if (outdated && !upgradable && images.length > 0) throw new GrpcFailure(grpc.status.FAILED_PRECONDITION, notUpgradable(record, current));
  if (images.length === 0) {
    if (!upgradable) return { action: 'NONE', errors: outdated ? [{ error_code: 'TemplateNotUpgradable', message: notUpgradable(record, current) }] : [], properties: [], enrolledImages: 0 };
    store.replaceFeatures(classId, await recompute(engine, store, record!), [], current);
    return { action: 'TEMPLATE_UPGRADED', errors: [], properties: [], enrolledImages: 0 };
  }
  const analysed = await analyseAll(engine, images);
  const errors = analysed.flatMap((item) => (item.error ? [item.error] : []));
  const features: NewFeature[] = [];
  for (const [index, item] of analysed.entries()) {
    if (!item.vector || !item.analysis) continue;
    let thumbnail: Buffer | null = null;
    if (context.templateMode === 'full') {
      try {
        thumbnail = await engine.faceThumbnail(images[index]!.image, item.analysis, item.analysis.primary ?? 0, THUMBNAIL_SIZE);
      } catch {
        errors.push({ error_code: 'ThumbnailExtractionFailed', message: `Image ${index + 1}: the face thumbnail could not be extracted.` });
      }
    }
    features.push({ vector: item.vector, thumbnail });
  }
  const properties = analysed.map((item) => item.properties);
  if (features.length === 0) return { action: 'ENROLLMENT_FAILED', errors, properties, enrolledImages: 0 };
  if (upgradable) {
    store.replaceFeatures(classId, await recompute(engine, store, record!), features, current);
    return { action: 'TEMPLATE_UPGRADED', errors, properties, enrolledImages: features.length };
  }
  const { created } = store.addFeatures(classId, features, current);
  return { action: created ? 'NEW_TEMPLATE_CREATED' : 'TEMPLATE_UPDATED', errors, properties, enrolledImages: features.length };
}

/** One at a time: the ONNX sessions are shared and the machine has few cores. */
export async function analyseAll(engine: VisionEngine, images: ReadonlyArray<{ image: Uint8Array }>): Promise<AnalysedImage[]> {
  const results: AnalysedImage[] = [];
  for (const [index, item] of images.entries()) results.push(await analyseUpload(engine, item.image, index));
  return results;
}

/** A template can be upgraded when every one of its vectors has the thumbnail it was computed from. */
export function canUpgrade(record: TemplateRecord): boolean {
  return record.featureVectors > 0 && record.thumbnailsStored === record.featureVectors;
}

function notUpgradable(record: TemplateRecord | null, current: number): string {
  return `Template ${record?.bcid} was built with encoder version ${record?.encoderVersion} and has no face thumbnails (it was enrolled in standard mode), so it cannot be upgraded to encoder version ${current}. Delete the template and enroll the person again with new photos.`;
}

/** The upgrade: every vector recomputed by the current encoder from its stored thumbnail, in enrollment order. */
async function recompute(engine: VisionEngine, store: TemplateStore, record: TemplateRecord): Promise<EnhancedFeature[]> {
  const features = store.features(record.classId);
  const out: EnhancedFeature[] = [];
  for (const [index, feature] of features.entries()) {
    const [analysed] = await analyseAll(engine, [{ image: feature.thumbnail! }]);
    if (!analysed?.vector) {
      throw new GrpcFailure(grpc.status.FAILED_PRECONDITION, `Template ${record.bcid} cannot be upgraded: its thumbnail ${index + 1} gives no usable face to encoder version ${engine.encoderVersion}. Delete the template and enroll the person again.`);
    }
    out.push({ enrolledAt: feature.enrolledAt, vector: analysed.vector, thumbnail: feature.thumbnail });
  }
  return out;
}

function storeOnlyEnroll(context: LifecycleContext, classId: string, images: ImageData[]): EnrollOutcome {
  if (images.length === 0) return { action: 'NONE', errors: [], properties: [], enrolledImages: 0 };
  const { created } = context.store.addFeatures(classId, images.map(() => ({ vector: null, thumbnail: null })), context.storeOnlyEncoderVersion);
  return { action: created ? 'NEW_TEMPLATE_CREATED' : 'TEMPLATE_UPDATED', errors: [], properties: images.map(() => unanalysedProperties()), enrolledImages: images.length };
}
