import fs from 'node:fs';
import { StationError } from '../shared/errors.js';

/** Largest file read as an image: BWS's 50 MB request limit (the vision decoder has its own pixel limit on top). */
export const MAX_IMAGE_FILE_BYTES = 50 * 1024 * 1024;

// Opening a FIFO for reading blocks until a writer appears; with O_NONBLOCK the open returns at once and the
// descriptor's stat shows what it is. Windows has no such flag (and no FIFOs in the file system).
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/**
 * Reads an image file for any command (analyze, enroll, import, the BWS admin commands), with a coded error for
 * every way it can fail, before any pixel is decoded. Only a regular file is read (a FIFO would hang, /dev/zero
 * never ends, a folder is no image), and only up to `maxBytes`: the size is checked on the open descriptor
 * before reading, and the read itself never goes past the size seen then, so a file that grows meanwhile
 * cannot make it unbounded.
 */
export function readImageFile(file: string, maxBytes = MAX_IMAGE_FILE_BYTES): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (error) {
    throw openError(file, error);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      throw new StationError('IMAGE_NOT_A_FILE', `${file} is ${describeKind(stat)}, not an image file: give the path of a photo.`);
    }
    if (stat.size === 0) throw new StationError('IMAGE_EMPTY', `${file} is empty (0 bytes).`);
    if (stat.size > maxBytes) {
      throw new StationError('IMAGE_TOO_LARGE_FILE', `${file} is ${(stat.size / 1048576).toFixed(1)} MB; images over ${(maxBytes / 1048576).toFixed(0)} MB are refused. Save it smaller.`);
    }
    const buffer = Buffer.allocUnsafe(stat.size);
    let filled = 0;
    while (filled < buffer.length) {
      const read = fs.readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (read === 0) break; // the file shrank meanwhile: keep what is there
      filled += read;
    }
    if (filled === 0) throw new StationError('IMAGE_EMPTY', `${file} is empty (0 bytes).`);
    return filled === buffer.length ? buffer : buffer.subarray(0, filled);
  } catch (error) {
    if (error instanceof StationError) throw error;
    throw new StationError('IMAGE_UNREADABLE', `Cannot read ${file}: ${(error as Error).message}.`, { cause: error });
  } finally {
    fs.closeSync(fd);
  }
}

function openError(file: string, error: unknown): StationError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new StationError('IMAGE_NOT_FOUND', `${file} does not exist.`, { cause: error });
  if (code === 'EISDIR') return new StationError('IMAGE_NOT_A_FILE', `${file} is a folder, not an image file: give the path of a photo.`, { cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new StationError('IMAGE_UNREADABLE', `${file} cannot be read: permission denied.`, { cause: error });
  return new StationError('IMAGE_UNREADABLE', `Cannot open ${file}: ${(error as Error).message}.`, { cause: error });
}

/** What a non-regular path is, in the words of IMAGE_NOT_A_FILE. */
export function describeKind(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a pipe (FIFO)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}
