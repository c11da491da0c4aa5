import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { StationError } from '../../shared/errors.js';

/**
 * A queued job's image bytes are sealed with a key of their own (AES-256-GCM), kept in the job's row, inside
 * the encrypted database like everything else. Deleting a synced job's images then only has to destroy that
 * 32-byte key (its cell is overwritten by `secure_delete`): the image pages themselves can go to the free list
 * without being zeroed, since what they still hold can no longer be decrypted by anyone. Zeroing ~100 KB of
 * pages per job (and writing them through the WAL) was the largest cost of the sync engine's after-answer write.
 * Layout of a sealed image: 12-byte nonce | 16-byte tag | ciphertext. The job id and position are bound to it
 * (additional data), so rows cannot be swapped between jobs or positions unnoticed.
 */
export const IMAGE_KEY_BYTES = 32;
const NONCE = 12;
const TAG = 16;

export function newImageKey(): Buffer {
  return randomBytes(IMAGE_KEY_BYTES);
}

function boundTo(jobId: string, position: number): Buffer {
  return Buffer.from(`${jobId}:${position}`);
}

export function sealImage(key: Buffer, jobId: string, position: number, bytes: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(boundTo(jobId, position));
  const body = Buffer.concat([cipher.update(bytes), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]);
}

export function openImage(key: Buffer, jobId: string, position: number, sealed: Buffer): Buffer {
  try {
    if (sealed.length < NONCE + TAG) throw new Error('too short');
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE));
    decipher.setAAD(boundTo(jobId, position));
    decipher.setAuthTag(sealed.subarray(NONCE, NONCE + TAG));
    const body = decipher.update(sealed.subarray(NONCE + TAG));
    // GCM hands everything out in update(); final() only checks the tag (no copy of the body when it adds nothing).
    const rest = decipher.final();
    return rest.length === 0 ? body : Buffer.concat([body, rest]);
  } catch (error) {
    throw new StationError('DB_CORRUPT', `Image ${position + 1} of job ${jobId} cannot be read back (it was changed or damaged). Discard the job and enroll again.`, { cause: error });
  }
}
