import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption of template data inside the (already encrypted) templates database: AES-256-GCM
 * with a key derived from the database key for one purpose, and the template's BCID as associated data, so a
 * blob copied to another template or partition fails to open. Layout: 12-byte nonce | 16-byte tag | ciphertext.
 */
export class Sealer {
  readonly #key: Buffer;

  constructor(databaseKey: Buffer, purpose: string) {
    this.#key = Buffer.from(hkdfSync('sha256', databaseKey, Buffer.alloc(0), `enrollment-station local-bws ${purpose}`, 32));
  }

  seal(plain: Uint8Array, bcid: string): Buffer {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(bcid, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), body]);
  }

  open(sealed: Uint8Array, bcid: string): Buffer {
    const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, data.subarray(0, 12));
    decipher.setAAD(Buffer.from(bcid, 'utf8'));
    decipher.setAuthTag(data.subarray(12, 28));
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]);
  }
}
