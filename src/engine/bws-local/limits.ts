import * as grpc from '@grpc/grpc-js';
import { MAX_METADATA_BYTES } from './serve-limits.js';

/** Bytes of a call's metadata as sent on the wire (names plus values, every value of a repeated header). */
export function metadataBytes(metadata: grpc.Metadata): number {
  let total = 0;
  for (const [name, value] of Object.entries(metadata.toHttp2Headers())) {
    for (const item of Array.isArray(value) ? value : [value]) total += name.length + String(item ?? '').length;
  }
  return total;
}

/**
 * A server interceptor that answers RESOURCE_EXHAUSTED to a call whose metadata exceeds `limit`, before any
 * handler (or the token check) sees it. grpc-js has no server option for a metadata limit of its own.
 */
export function metadataLimit(limit = MAX_METADATA_BYTES): grpc.ServerInterceptor {
  return (_method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, forward) => {
            const size = metadataBytes(metadata);
            if (size <= limit) return forward(metadata);
            call.sendStatus({ code: grpc.status.RESOURCE_EXHAUSTED, details: `Request headers of ${size} bytes exceed the service's limit of ${limit} bytes: send a token and reference number of normal size.` });
          },
        }),
    });
}
