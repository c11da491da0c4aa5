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
 * Validates `authorization: Bearer <JWT>` the way BWS does: HS512 or HS256 signed with the client key,
 * aud "BWS", iss and sub the client id, within its validity (30 s clock tolerance).
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
    try {
      await jwtVerify(match[1]!, this.#key, { algorithms: ['HS512', 'HS256'], audience: 'BWS', issuer: this.clientId, subject: this.clientId, clockTolerance: 30, requiredClaims: ['exp'] });
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new GrpcFailure(grpc.status.UNAUTHENTICATED, 'The JWT has expired.');
      if (error instanceof joseErrors.JWTClaimValidationFailed) throw new GrpcFailure(grpc.status.UNAUTHENTICATED, `The JWT was rejected: ${error.message}.`);
      throw new GrpcFailure(grpc.status.UNAUTHENTICATED, 'The JWT signature is invalid for this client.');
    }
  }
}
