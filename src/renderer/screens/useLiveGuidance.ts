import { useEffect, useState, type RefObject } from 'react';
import type { StationApi } from '../../shared/contract.js';
import type { LiveGuidance } from '../../shared/schemas.js';

const MAX_WIDTH = 640;
const MAX_HEIGHT = 480;
/** Pause between frames so the engine (and the CPU) are not flooded; one frame is in flight at a time. */
const FRAME_GAP_MS = 80;

/** Scales the camera size down to fit 640x480 (never up), keeping the aspect ratio. */
export function previewSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, MAX_WIDTH / width, MAX_HEIGHT / height);
  return { width: Math.max(16, Math.round(width * scale)), height: Math.max(16, Math.round(height * scale)) };
}

/**
 * Feeds raw RGBA preview frames (the upright, unmirrored picture, at most 640x480) to the engine's
 * analyzeFrame and returns its latest guidance (kept while paused). No JPEG round trip; no frame queue builds up.
 */
export function useLiveGuidance(api: StationApi, video: RefObject<HTMLVideoElement | null>, active: boolean, paused = false): LiveGuidance | null {
  const [guidance, setGuidance] = useState<LiveGuidance | null>(null);

  useEffect(() => {
    // Paused while the engine works on a full-resolution still: live frames would only compete with it.
    if (!active || paused) return;
    let stopped = false;
    let timer: number | undefined;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });

    const tick = async () => {
      const element = video.current;
      if (stopped || !element || !context) return;
      if (element.videoWidth > 0 && element.readyState >= 2) {
        const size = previewSize(element.videoWidth, element.videoHeight);
        canvas.width = size.width;
        canvas.height = size.height;
        context.drawImage(element, 0, 0, size.width, size.height);
        const pixels = context.getImageData(0, 0, size.width, size.height);
        try {
          const next = await api.analyzeFrame({ width: size.width, height: size.height, data: new Uint8Array(pixels.data.buffer) });
          if (!stopped) setGuidance(next);
        } catch {
          // A failed frame is skipped; the next one tries again.
        }
      }
      if (!stopped) timer = window.setTimeout(() => void tick(), FRAME_GAP_MS);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [api, video, active, paused]);

  return active ? guidance : null;
}
