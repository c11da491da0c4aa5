import { useEffect, useRef, type RefObject } from 'react';
import type { LiveGuidance } from '../../../shared/schemas.js';
import { FrameGrabber, hasPicture } from './frameGrab.js';
import { FrameLink, requestFramePort } from './frameLink.js';

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
 * video's own frames (requestVideoFrameCallback): the picture is grabbed as RGBA at <= 640x480
 * (frameGrab.ts) and sent, and the next camera frame is taken once the engine has answered (at once if the
 * camera has shown a new one meanwhile); the frames in between are skipped. So the rate adapts to the engine
 * by itself and no queue ever builds up. A lost port (engine restarted) is replaced.
 * Each round trip is also recorded as a User Timing measure `station:guidance`, and the picture's grab
 * (conversion, scaling, read-back) as `station:frame-grab` (what `bench:live` reads).
 */
export function useLiveGuidance(video: RefObject<HTMLVideoElement | null>, active: boolean, onGuidance: (update: GuidanceUpdate) => void): void {
  const callback = useRef(onGuidance);
  callback.current = onGuidance;

  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let link: FrameLink | null = null;
    let connecting = false;
    // The pending wait for the next frame: a video frame callback's handle, or (without one) a timer's. They
    // are separate number spaces, so each is cancelled with its own function: clearTimeout on a frame callback's
    // handle would cancel whatever timer has that number (such as the capture machine's once-a-second tick).
    let pendingFrame: number | null = null;
    let pendingTimer: number | null = null;
    // User Timing entries kept on the timeline since the last clean-up (observers have seen them already).
    let measures = 0;
    const grabber = new FrameGrabber();

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

    /**
     * Grabs the current picture, sends it and waits for the engine's answer. True when it was answered and
     * the next picture may be grabbed at once (the grab can tell a new camera frame from the last one).
     */
    const send = async (onlyNew: boolean): Promise<boolean> => {
      const element = video.current;
      if (!element || !hasPicture(element)) return false;
      if (!link || link.isClosed) {
        connect();
        return false;
      }
      const grabbedFrom = performance.now();
      const picture = await grabber.grab(element, { onlyNew }).catch(() => null);
      if (!picture || stopped || !link || link.isClosed || link.busy) return false;
      const sentAt = performance.now();
      // Grabbing the picture as scaled RGBA: the renderer's own share of each update (bench:live reports it).
      performance.measure('station:frame-grab', { start: grabbedFrom, end: sentAt, detail: { method: picture.method } });
      // Keep the timeline small on a kiosk that runs all day, without listing the entries on every frame.
      if (++measures >= 200) {
        performance.clearMeasures('station:frame-grab');
        performance.clearMeasures('station:guidance');
        measures = 0;
      }
      const { width, height } = picture;
      const outcome = await link.send(width, height, picture.data);
      if (stopped || !outcome) return false;
      if (outcome.kind === 'guidance') {
        performance.measure('station:guidance', { start: sentAt, end: performance.now(), detail: { engineMs: outcome.guidance.elapsedMs } });
        callback.current({ guidance: outcome.guidance, frameWidth: width, frameHeight: height, at: Date.now(), latencyMs: outcome.latencyMs });
      } else if (outcome.kind === 'lost') {
        link = null;
        connect();
      }
      return outcome.kind === 'guidance' && picture.method === 'videoFrame';
    };

    // One frame at a time. When the engine answers, the camera has usually shown a newer frame already (a
    // round trip is longer than a frame): it is grabbed at once. Otherwise the page waits for the next camera
    // frame, and does no work at all for the frames that arrive while one is with the engine.
    const element = video.current;
    const run = (onlyNew: boolean) => {
      if (stopped) return;
      void send(onlyNew).then(
        (again) => (again ? run(true) : schedule()),
        () => schedule(),
      );
    };
    const schedule = () => {
      if (stopped) return;
      const current = video.current;
      if (current && 'requestVideoFrameCallback' in current) pendingFrame = current.requestVideoFrameCallback(() => run(false));
      else pendingTimer = window.setTimeout(() => run(false), 33);
    };
    connect();
    schedule();
    return () => {
      stopped = true;
      if (pendingFrame !== null && element && 'cancelVideoFrameCallback' in element) element.cancelVideoFrameCallback(pendingFrame);
      if (pendingTimer !== null) window.clearTimeout(pendingTimer);
      link?.close();
    };
  }, [video, active]);
}
