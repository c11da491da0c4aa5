import { useEffect, useRef, type RefObject } from 'react';
import type { LiveGuidance } from '../../../shared/schemas.js';
import { FrameLink, requestFramePort } from './frameLink.js';

const MAX_WIDTH = 640;
const MAX_HEIGHT = 480;

/** Scales the camera size down to fit 640x480 (never up), keeping the aspect ratio. */
export function previewSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, MAX_WIDTH / width, MAX_HEIGHT / height);
  return { width: Math.max(16, Math.round(width * scale)), height: Math.max(16, Math.round(height * scale)) };
}

/** One answer from the engine, with when the frame was taken (ms, performance clock) and the round trip. */
export interface GuidanceUpdate {
  guidance: LiveGuidance;
  frameWidth: number;
  frameHeight: number;
  at: number;
  latencyMs: number;
}

/**
 * Streams the camera's frames to the engine over the frame port and reports each guidance. Driven by the
 * video's own frames (requestVideoFrameCallback): on each new camera frame, if no frame is in flight, the
 * picture is scaled to <= 640x480, read as RGBA and sent; otherwise it is skipped. So the rate adapts to the
 * engine by itself and no queue ever builds up. A lost port (engine restarted) is replaced.
 * Each round trip is also recorded as a User Timing measure `station:guidance`, and the picture's scaling and
 * read-back as `station:frame-grab` (what `bench:live` reads).
 */
export function useLiveGuidance(video: RefObject<HTMLVideoElement | null>, active: boolean, onGuidance: (update: GuidanceUpdate) => void): void {
  const callback = useRef(onGuidance);
  callback.current = onGuidance;

  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let link: FrameLink | null = null;
    let connecting = false;
    let pending: number | null = null;
    // User Timing entries kept on the timeline since the last clean-up (observers have seen them already).
    let measures = 0;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });

    const connect = () => {
      if (connecting || stopped) return;
      connecting = true;
      requestFramePort(window)
        .then((port) => {
          if (stopped) port.close();
          else link = new FrameLink(port);
        })
        .catch(() => undefined)
        .finally(() => {
          connecting = false;
        });
    };

    const send = () => {
      const element = video.current;
      if (!element || !context || element.videoWidth === 0 || element.readyState < 2) return;
      if (!link || link.isClosed) {
        connect();
        return;
      }
      if (link.busy) {
        link.stats.dropped += 1;
        return;
      }
      const size = previewSize(element.videoWidth, element.videoHeight);
      if (canvas.width !== size.width || canvas.height !== size.height) {
        canvas.width = size.width;
        canvas.height = size.height;
      }
      const grabbedFrom = performance.now();
      context.drawImage(element, 0, 0, size.width, size.height);
      const pixels = context.getImageData(0, 0, size.width, size.height);
      const sentAt = performance.now();
      // Scaling and reading the picture back: the renderer's own share of each update (bench:live reports it).
      performance.measure('station:frame-grab', { start: grabbedFrom, end: sentAt });
      // Keep the timeline small on a kiosk that runs all day, without listing the entries on every frame.
      if (++measures >= 200) {
        performance.clearMeasures('station:frame-grab');
        performance.clearMeasures('station:guidance');
        measures = 0;
      }
      const sending = link.send(size.width, size.height, pixels.data);
      void sending?.then((outcome) => {
        if (stopped) return;
        if (outcome.kind === 'guidance') {
          const now = performance.now();
          performance.measure('station:guidance', { start: sentAt, end: now, detail: { engineMs: outcome.guidance.elapsedMs } });
          callback.current({ guidance: outcome.guidance, frameWidth: size.width, frameHeight: size.height, at: Date.now(), latencyMs: outcome.latencyMs });
        } else if (outcome.kind === 'lost') {
          link = null;
          connect();
        }
      });
    };

    const element = video.current;
    const schedule = () => {
      if (stopped) return;
      const current = video.current;
      if (current && 'requestVideoFrameCallback' in current) {
        pending = current.requestVideoFrameCallback(() => {
          send();
          schedule();
        });
      } else {
        pending = window.setTimeout(() => {
          send();
          schedule();
        }, 33);
      }
    };
    connect();
    schedule();
    return () => {
      stopped = true;
      if (pending !== null) {
        if (element && 'cancelVideoFrameCallback' in element) element.cancelVideoFrameCallback(pending);
        window.clearTimeout(pending);
      }
      link?.close();
    };
  }, [video, active]);
}
