import type { PromptIconName } from './guidanceView.js';

/** Simple line icons for the person's prompts (drawn, so no icon font or emoji is needed). */
const PATHS: Record<PromptIconName, string> = {
  person: 'M12 4a3.5 3.5 0 1 1 0 7a3.5 3.5 0 1 1 0-7M5 20c0-4 3-6.5 7-6.5s7 2.5 7 6.5',
  people: 'M8 5a3 3 0 1 1 0 6a3 3 0 1 1 0-6M2 19c0-3.5 2.5-5.5 6-5.5s6 2 6 5.5M16 6a2.6 2.6 0 1 1 0 5.2M17.5 13.8c2.5.5 4.5 2.3 4.5 5.2',
  arrowLeft: 'M20 12H5M11 6l-6 6l6 6',
  arrowRight: 'M4 12h15M13 6l6 6l-6 6',
  closer: 'M10 4a6 6 0 1 1 0 12a6 6 0 1 1 0-12M10 7v6M7 10h6M15 15l5 5',
  back: 'M10 4a6 6 0 1 1 0 12a6 6 0 1 1 0-12M7 10h6M15 15l5 5',
  turnLeft: 'M18 17a7 7 0 1 0-12-5M6 6v6h6',
  turnRight: 'M6 17a7 7 0 1 1 12-5M18 6v6h-6',
  chinDown: 'M12 4v15M6 13l6 6l6-6',
  chinUp: 'M12 20V5M6 11l6-6l6 6',
  level: 'M3 12h18M7 8v8M17 8v8',
  eye: 'M2 12s4-7 10-7s10 7 10 7s-4 7-10 7s-10-7-10-7M12 9a3 3 0 1 1 0 6a3 3 0 1 1 0-6',
  still: 'M12 3a9 9 0 1 1 0 18a9 9 0 1 1 0-18M9 9v6M15 9v6',
  check: 'M4 12.5l5 5l11-11',
};

export function PromptIcon({ name }: { name: PromptIconName }) {
  return (
    <svg className="prompt-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} />
    </svg>
  );
}
