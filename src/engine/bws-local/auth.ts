import * as grpc from '@grpc/grpc-js';
import { errors as joseErrors, jwtVerify } from 'jose';

/** A gRPC failure the handlers throw; the unary wrapper turns it into a status. */
export class GrpcFailure extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(details);
    this.name = 'GrpcFailure';
  }
}

/**
 * The longest lifetime (exp - iat) a token may claim. BWS clients mint short-lived tokens (the station: 5
 * minutes); a token valid for days is a leaked credential waiting to happen, so it is refused outright.
 */
export const MAX_TOKEN_LIFETIME_S = 3600;

/**
 * Validates `authorization: Bearer <JWT>` the way BWS does: HS512 or HS256 signed with the client key,
 * aud "BWS", iss and sub the client id, an `exp`, within its validity (30 s clock tolerance), and a lifetime
 * of at most MAX_TOKEN_LIFETIME_S.
 */
export class JwtVerifier {
  #key: Uint8Array;

  constructor(
    private readonly clientId: string,
    key: Uint8Array,
  ) {
    this.#key = key;
  }

  async check(metadata: grpc.Metadata): Promise<void> {
    const header = metadata.get('authorization')[0];
    const value = typeof header === 'string' ? header : '';
    const match = /^Bearer\s+(\S+)$/i.exec(value);
    if (!match) throw new GrpcFailure(grpc.status.UNAUTHENTICATED, 'Missing bearer token in the authorization header.');
    let payload;
    try {
      ({ payload } = await jwtVerify(match[1]!, this.#key, { algorithms: ['HS512', 'HS256'], audience: 'BWS', issuer: this.clientId, subject: this.clientId, clockTolerance: 30, requiredClaims: ['exp'] }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new GrpcFailure(grpc.status.UNAUTHENTICATED, 'The JWT has expired.');
      if (error instanceof joseErrors.JWTClaimValidationFailed) throw new GrpcFailure(grpc.status.UNAUTHENTICATED, `The JWT was rejected: ${error.message}.`);
      throw new GrpcFailure(grpc.status.UNAUTHENTICATED, 'The JWT signature is invalid for this client.');
    }
    // Counted from iat when the token has one, else from now (what is left of its validity).
    const issuedAt = payload.iat ?? Math.floor(Date.now() / 1000);
    const lifetime = payload.exp! - issuedAt;
    if (lifetime > MAX_TOKEN_LIFETIME_S) {
      throw new GrpcFailure(grpc.status.UNAUTHENTICATED, `The JWT is valid for ${lifetime} s; at most ${MAX_TOKEN_LIFETIME_S} s is accepted: mint short-lived tokens.`);
    }
  }
}
