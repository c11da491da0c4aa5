import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type { StationApi } from '../../../shared/contract.js';
import type { ImageAnalysis } from '../../../shared/schemas.js';
import { describeError } from '../../station.js';
import { captureReducer, initialCaptureState, type CaptureConfig, type CaptureEffect, type CaptureEvent, type CaptureState } from './captureMachine.js';
import { encodeStill, grabStill } from './stills.js';

export interface Photo {
  id: number;
  name: string;
  url: string | null;
  bytes: Uint8Array<ArrayBuffer> | null;
  analysis: ImageAnalysis | null;
  error: string | null;
  /** SHA-256 of the encoded still. */
  digest: string | null;
  /** Another photo with exactly the same bytes (a camera that repeats frames): this one adds nothing. */
  duplicateOf: number | null;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Runs the pure capture machine in the page: dispatches events with the wall-clock time, carries out the
 * effects it returns (grab a full-resolution still, encode and analyse the kept ones through the stored-
 * image gate, clear everything on inactivity), and ticks once a second for the timeouts.
 */
export function useCaptureMachine(api: StationApi, video: RefObject<HTMLVideoElement | null>, config: CaptureConfig, onClearSession: () => void) {
  const [state, setState] = useState<CaptureState>(() => initialCaptureState(Date.now()));
  const [photos, setPhotos] = useState<Map<number, Photo>>(new Map());
  const digests = useRef(new Map<number, string>());
  const stateRef = useRef(state);
  const configRef = useRef(config);
  configRef.current = config;
  const stills = useRef(new Map<number, Promise<ImageBitmap>>());
  const clearRef = useRef(onClearSession);
  clearRef.current = onClearSession;

  const updatePhoto = useCallback((id: number, change: Partial<Photo>) => {
    setPhotos((map) => {
      const existing = map.get(id);
      if (!existing) return map;
      const next = new Map(map);
      next.set(id, { ...existing, ...change });
      return next;
    });
  }, []);

  const forget = useCallback((id: number) => {
    const still = stills.current.get(id);
    stills.current.delete(id);
    digests.current.delete(id);
    void still?.then((bitmap) => bitmap.close()).catch(() => undefined);
    setPhotos((map) => {
      const photo = map.get(id);
      if (!photo) return map;
      if (photo.url) URL.revokeObjectURL(photo.url);
      const next = new Map(map);
      next.delete(id);
      return next;
    });
  }, []);

  const dispatchRef = useRef<(event: CaptureEvent) => void>(() => undefined);

  const analyse = useCallback(
    async (id: number) => {
      const still = stills.current.get(id);
      if (!still) return;
      const name = `photo-${id}.png`;
      setPhotos((map) => new Map(map).set(id, { id, name, url: null, bytes: null, analysis: null, error: null, digest: null, duplicateOf: null }));
      try {
        const bitmap = await still;
        const { blob, bytes } = await encodeStill(bitmap);
        bitmap.close();
        stills.current.delete(id);
        const digest = await sha256(bytes);
        // Kept in a ref, not state: two stills finishing together must see each other's digest.
        const twin = [...digests.current].find(([other, value]) => other !== id && value === digest)?.[0] ?? null;
        digests.current.set(id, digest);
        updatePhoto(id, { url: URL.createObjectURL(blob), bytes, digest, duplicateOf: twin });
        const analysis = await api.analyzeStill({ name, bytes });
        updatePhoto(id, { analysis });
      } catch (error) {
        updatePhoto(id, { error: describeError(error).message });
      }
    },
    [api, updatePhoto],
  );

  const run = useCallback(
    (effect: CaptureEffect) => {
      switch (effect.type) {
        case 'takeStill': {
          if (effect.replaces !== null) forget(effect.replaces);
          const element = video.current;
          const still = element ? grabStill(element) : Promise.reject(new Error('no camera'));
          stills.current.set(effect.id, still);
          still.catch(() => dispatchRef.current({ type: 'STILL_FAILED', id: effect.id, at: Date.now() }));
          break;
        }
        case 'discardStill':
          forget(effect.id);
          break;
        case 'analyze':
          if (effect.replaces !== null) forget(effect.replaces);
          for (const id of effect.ids) void analyse(id);
          break;
        case 'clearSession':
          for (const id of [...stills.current.keys()]) forget(id);
          setPhotos((map) => {
            for (const photo of map.values()) if (photo.url) URL.revokeObjectURL(photo.url);
            return new Map();
          });
          clearRef.current();
          break;
      }
    },
    [analyse, forget, video],
  );

  const dispatch = useCallback(
    (event: CaptureEvent) => {
      const { state: next, effects } = captureReducer(stateRef.current, event, configRef.current);
      stateRef.current = next;
      setState(next);
      effects.forEach(run);
    },
    [run],
  );
  dispatchRef.current = dispatch;

  useEffect(() => {
    const timer = window.setInterval(() => dispatchRef.current({ type: 'TICK', at: Date.now() }), 1000);
    return () => window.clearInterval(timer);
  }, []);

  /** Starts over for the next person (after a queued enrollment): photos and class id go. */
  const reset = useCallback(() => {
    run({ type: 'clearSession' });
    dispatch({ type: 'RESET', at: Date.now() });
  }, [dispatch, run]);

  const ordered = state.photos.map((id) => photos.get(id) ?? { id, name: `photo-${id}.png`, url: null, bytes: null, analysis: null, error: null, digest: null, duplicateOf: null });
  return { state, photos: ordered, dispatch, reset };
}
