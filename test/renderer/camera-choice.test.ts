import { describe, expect, it } from 'vitest';
import { baseLabel, chooseCamera, isVirtualCamera, type CameraDevice } from '../../src/renderer/features/capture/cameraChoice.js';

const logitech: CameraDevice = { deviceId: 'id-logi', label: 'Logitech BRIO (046d:085e)' };
const obs: CameraDevice = { deviceId: 'id-obs', label: 'OBS Virtual Camera' };
const ir: CameraDevice = { deviceId: 'id-ir', label: 'Integrated IR Camera' };
const builtIn: CameraDevice = { deviceId: 'id-int', label: 'Integrated Camera (04f2:b6d9)' };

describe('camera choice', () => {
  it('recognises the known virtual cameras by label and leaves real ones alone', () => {
    for (const label of ['OBS Virtual Camera', 'ManyCam Virtual Webcam', 'Snap Camera', 'XSplit VCam', 'DroidCam Source 3', 'Iriun Webcam', 'Camo', 'NVIDIA Broadcast', 'fake_device_0']) {
      expect(isVirtualCamera(label), label).toBe(true);
    }
    for (const label of ['Logitech BRIO (046d:085e)', 'Integrated Camera (04f2:b6d9)', 'HD Pro Webcam C920', 'FaceTime HD Camera', 'Camera Module']) {
      expect(isVirtualCamera(label), label).toBe(false);
    }
  });

  it('takes the remembered camera by id, else by label (ids change between ports), else the first real one', () => {
    expect(chooseCamera([builtIn, logitech], { id: 'id-logi', label: 'whatever' }, false)).toEqual({ device: logitech, reason: 'remembered-id', rememberedMissing: false });
    // Plugged into another port: a new id, the same model label (USB ids and "#2" are ignored).
    const moved = { deviceId: 'id-new', label: 'Logitech BRIO #2' };
    expect(chooseCamera([builtIn, moved], { id: 'id-logi', label: 'Logitech BRIO (046d:085e)' }, false)).toEqual({ device: moved, reason: 'remembered-label', rememberedMissing: false });
    // Unplugged: the first real camera, and the operator is told the remembered one is missing.
    expect(chooseCamera([ir, obs, builtIn], { id: 'id-logi', label: 'Logitech BRIO' }, false)).toEqual({ device: builtIn, reason: 'first', rememberedMissing: true });
    expect(baseLabel('Logitech BRIO (046d:085e)')).toBe('Logitech BRIO');
  });

  it('never picks a virtual camera when they are blocked, even a remembered one', () => {
    expect(chooseCamera([obs, builtIn], { id: 'id-obs', label: 'OBS Virtual Camera' }, true)).toEqual({ device: builtIn, reason: 'first', rememberedMissing: true });
    expect(chooseCamera([obs], null, true)).toEqual({ device: null, reason: 'none', rememberedMissing: false });
    // Not blocked: a virtual camera is used when it is the only one (the screen warns about it).
    expect(chooseCamera([obs], null, false).device).toEqual(obs);
  });
});
