import { readEndpoint, type EndpointProblem } from '../../../shared/endpoint.js';
import type { SettingView } from '../../../shared/schemas.js';

/**
 * The Settings form without React: which settings it edits, how each is typed, how typed text becomes a value
 * (with the problem in words while it cannot), and what a save has to send. The engine checks every value
 * again and has the last word; these rules only let a person see a mistake as they type. Tested in Node.
 */
export type FieldRule =
  | { kind: 'text'; maxLength: number }
  | { kind: 'url' }
  /** Write-only: the form never holds the stored value; empty means "keep the one that is set". */
  | { kind: 'secret' }
  | { kind: 'integer'; min: number; max: number }
  | { kind: 'decimal'; min: number; max: number }
  | { kind: 'boolean' }
  | { kind: 'choice'; choices: readonly string[] };

export const FIELD_RULES = {
  testService: { kind: 'boolean' },
  endpoint: { kind: 'url' },
  clientId: { kind: 'text', maxLength: 256 },
  key: { kind: 'secret' },
  caFile: { kind: 'text', maxLength: 1024 },
  imagesPerEnrollment: { kind: 'integer', min: 1, max: 10 },
  idleResetSeconds: { kind: 'integer', min: 0, max: 3600 },
  camera: { kind: 'text', maxLength: 512 },
  blockVirtualCameras: { kind: 'boolean' },
  qualityProfile: { kind: 'choice', choices: ['enrollment', 'icao'] },
  matchThreshold: { kind: 'decimal', min: 0, max: 1 },
  enforceLiveness: { kind: 'boolean' },
  enforceEyesOpen: { kind: 'boolean' },
  language: { kind: 'choice', choices: ['', 'en', 'de'] },
  kioskMode: { kind: 'boolean' },
  embeddingRetentionDays: { kind: 'integer', min: 0, max: 3650 },
  unsyncedRetentionDays: { kind: 'integer', min: 0, max: 3650 },
  syncConcurrency: { kind: 'integer', min: 1, max: 8 },
} as const satisfies Record<string, FieldRule>;

export type FieldName = keyof typeof FIELD_RULES;
export const FIELD_NAMES = Object.keys(FIELD_RULES) as FieldName[];

/** What the inputs hold: text for text boxes and lists, true/false for check boxes. */
export type Draft = Record<FieldName, string | boolean>;

/** What is wrong with a typed endpoint (the shared rule of src/shared/endpoint.ts, which the engine applies too). */
export const ENDPOINT_PROBLEM_IDS = {
  scheme: 'settings.invalid.url',
  host: 'settings.invalid.urlHost',
  port: 'settings.invalid.urlPort',
  path: 'settings.invalid.urlPath',
  credentials: 'settings.invalid.urlCredentials',
} as const satisfies Record<EndpointProblem, string>;

/** A problem with a typed value: a catalog id and its values (the screen puts it into words). */
export type FieldProblem =
  | { id: (typeof ENDPOINT_PROBLEM_IDS)[EndpointProblem] }
  | { id: 'settings.invalid.tooLong'; values: { max: number } }
  | { id: 'settings.invalid.wholeNumber' }
  | { id: 'settings.invalid.number' }
  | { id: 'settings.invalid.range'; values: { min: number; max: number } };

export type Checked = { ok: true; value: unknown } | { ok: false; problem: FieldProblem };

export function checkField(name: FieldName, input: string | boolean): Checked {
  const rule: FieldRule = FIELD_RULES[name];
  if (rule.kind === 'boolean') return { ok: true, value: input === true };
  const text = String(input);
  switch (rule.kind) {
    case 'secret':
      return { ok: true, value: text };
    case 'choice':
      return { ok: true, value: rule.choices.includes(text) ? text : rule.choices[0] };
    case 'text':
      return text.trim().length > rule.maxLength ? { ok: false, problem: { id: 'settings.invalid.tooLong', values: { max: rule.maxLength } } } : { ok: true, value: text.trim() };
    case 'url': {
      const trimmed = text.trim();
      if (trimmed === '') return { ok: true, value: '' };
      const form = readEndpoint(trimmed);
      return form.ok ? { ok: true, value: trimmed } : { ok: false, problem: { id: ENDPOINT_PROBLEM_IDS[form.problem] } };
    }
    case 'integer':
    case 'decimal': {
      const trimmed = text.trim().replace(',', '.');
      const pattern = rule.kind === 'integer' ? /^\d+$/ : /^\d+(\.\d+)?$/;
      if (!pattern.test(trimmed)) return { ok: false, problem: { id: rule.kind === 'integer' ? 'settings.invalid.wholeNumber' : 'settings.invalid.number' } };
      const value = Number(trimmed);
      if (value < rule.min || value > rule.max) return { ok: false, problem: { id: 'settings.invalid.range', values: { min: rule.min, max: rule.max } } };
      return { ok: true, value };
    }
  }
}

function viewOf(views: readonly SettingView[], name: string): SettingView | undefined {
  return views.find((view) => view.name === name);
}

/** The inputs as the engine's settings fill them (the key box always starts empty). */
export function draftFrom(views: readonly SettingView[]): Draft {
  const draft = {} as Draft;
  for (const name of FIELD_NAMES) {
    const rule: FieldRule = FIELD_RULES[name];
    const value = viewOf(views, name)?.value;
    if (rule.kind === 'boolean') draft[name] = value === true;
    else if (rule.kind === 'secret') draft[name] = '';
    else draft[name] = value === undefined || value === null ? '' : String(value);
  }
  return draft;
}

/** The problem of every field whose text cannot be a value (for the form as it stands). */
export function problemsOf(draft: Draft): Partial<Record<FieldName, FieldProblem>> {
  const problems: Partial<Record<FieldName, FieldProblem>> = {};
  for (const name of FIELD_NAMES) {
    const checked = checkField(name, draft[name]);
    if (!checked.ok) problems[name] = checked.problem;
  }
  return problems;
}

/**
 * What a save sends: each field whose value differs from the engine's (a typed key always; an empty key box
 * never, since empty means "keep"), in form order. Settings the site file locks are never sent.
 */
export function changesOf(views: readonly SettingView[], draft: Draft): Array<{ name: FieldName; value: unknown }> {
  const changes: Array<{ name: FieldName; value: unknown }> = [];
  for (const name of FIELD_NAMES) {
    const view = viewOf(views, name);
    if (!view || view.locked) continue;
    const checked = checkField(name, draft[name]);
    if (!checked.ok) continue;
    if (FIELD_RULES[name].kind === 'secret') {
      if (checked.value !== '') changes.push({ name, value: checked.value });
    } else if (checked.value !== view.value) {
      changes.push({ name, value: checked.value });
    }
  }
  return changes;
}

/** Whether a secret (the BWS key) is set, as the engine reports it: never its value. */
export function secretIsSet(views: readonly SettingView[], name: FieldName): boolean {
  return viewOf(views, name)?.isSet === true && viewOf(views, name)?.value !== '(not set)';
}
