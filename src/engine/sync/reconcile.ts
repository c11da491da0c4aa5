import type { TemplateSnapshot } from '../store/queue-types.js';

/**
 * Did an enrollment whose answer was lost land on the service? Enroll is additive and each stored image adds
 * a feature vector and re-generates the template (new `enrolled` time), so any change of either since the
 * status recorded before the first send means it landed. No change means it did not (or not yet: a request
 * still in flight may land until its deadline has passed, which the engine waits out before re-sending).
 * Caveat (documented): another station enrolling the same class in between looks like "landed".
 */
export function enrollmentLanded(before: TemplateSnapshot, now: TemplateSnapshot): boolean {
  if (!now.available) return false;
  if (!before.available) return true;
  return now.featureVectors !== before.featureVectors || now.enrolled !== before.enrolled;
}
