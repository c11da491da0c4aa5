import { SignJWT } from 'jose';
import { StationError } from '../../shared/errors.js';

/** BWS tokens live 5 minutes; a cached one is renewed when less than this margin remains. */
export const TOKEN_LIFETIME_S = 300;
export const TOKEN_RENEWAL_MARGIN_S = 60;

/** Decodes the BWS client key (base64 from the BWS portal). The key bytes stay in this module's closures. */
export function decodeClientKey(base64: string): Uint8Array {
  const text = base64.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    throw new StationError('KEY_INVALID', 'The BWS client key is not base64: copy it exactly as the BWS portal shows it.');
  }
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length < 32) {
    throw new StationError('KEY_INVALID', `The BWS client key decodes to ${bytes.length} bytes; BWS keys are 64 bytes: copy the whole key from the BWS portal.`);
  }
  return new Uint8Array(bytes);
}

/**
 * Mints HS512 JWTs for BWS (sub = iss = client id, aud "BWS", iat/nbf now, exp now + 5 min) and caches one
 * until it is within the renewal margin of expiry. Neither the key nor a token is ever logged or put in errors.
 */
export class TokenSource {
  #key: Uint8Array;
  #cached: { token: string; expiresAt: number } | undefined;

  constructor(
    private readonly clientId: string,
    key: string | Uint8Array,
    private readonly clock: () => number = Date.now,
  ) {
    if (!clientId.trim()) throw new StationError('NOT_CONFIGURED', 'The BWS client id is empty: set it (from the BWS portal).');
    this.#key = typeof key === 'string' ? decodeClientKey(key) : key;
  }

  async token(): Promise<string> {
    const nowS = Math.floor(this.clock() / 1000);
    if (this.#cached && this.#cached.expiresAt - nowS > TOKEN_RENEWAL_MARGIN_S) return this.#cached.token;
    const expiresAt = nowS + TOKEN_LIFETIME_S;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
      .setSubject(this.clientId)
      .setIssuer(this.clientId)
      .setAudience('BWS')
      .setIssuedAt(nowS)
      .setNotBefore(nowS)
      .setExpirationTime(expiresAt)
      .sign(this.#key);
    this.#cached = { token, expiresAt };
    return token;
  }

  /** Forget the cached token (after UNAUTHENTICATED, so the next call mints a fresh one). */
  invalidate(): void {
    this.#cached = undefined;
  }
}
