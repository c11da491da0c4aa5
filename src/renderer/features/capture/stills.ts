/**
 * Stills at the camera's full resolution (not the <= 640x480 preview frames the guidance uses). A candidate
 * is grabbed as an ImageBitmap at once (cheap) and only the kept ones are encoded, as lossless PNG.
 */
export function grabStill(video: HTMLVideoElement): Promise<ImageBitmap> {
  if (video.videoWidth === 0) return Promise.reject(new Error('The camera has not delivered a picture yet.'));
  return createImageBitmap(video);
}

export async function encodeStill(bitmap: ImageBitmap): Promise<{ blob: Blob; bytes: Uint8Array<ArrayBuffer> }> {
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This window cannot draw pictures (no 2D canvas).');
  context.drawImage(bitmap, 0, 0);
  const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((value) => (value ? resolve(value) : reject(new Error('The still could not be encoded.'))), 'image/png'));
  return { blob, bytes: new Uint8Array(await blob.arrayBuffer()) };
}
