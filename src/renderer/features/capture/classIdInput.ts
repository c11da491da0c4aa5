import { checkClassId, MAX_CLASS_ID } from '../../../shared/class-id.js';

/**
 * What the class id field says while the operator types (or a scanner types for them). The rule itself is
 * the station's one rule in src/shared/class-id.ts; this only sorts its verdict into what to tell a person.
 */
export type ClassIdFeedback =
  | { kind: 'empty' }
  | { kind: 'ok'; classId: string; given: string; normalised: boolean }
  | { kind: 'error'; reason: 'digits' | 'zero' | 'tooLarge' };

export function classIdFeedback(text: string): ClassIdFeedback {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'empty' };
  const checked = checkClassId(trimmed);
  if (checked.ok) return { kind: 'ok', ...checked.reading };
  if (!/^[0-9]+$/.test(trimmed)) return { kind: 'error', reason: 'digits' };
  return { kind: 'error', reason: /^0+$/.test(trimmed) ? 'zero' : 'tooLarge' };
}

export const LARGEST_CLASS_ID = MAX_CLASS_ID.toString();
