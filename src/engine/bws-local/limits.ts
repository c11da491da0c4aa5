import * as grpc from '@grpc/grpc-js';

/**
 * Largest request metadata (header names and values, summed) the local service accepts. A BWS call carries a
 * JWT of well under 1 KB plus a short Reference-Number, so 16 KiB leaves room and still refuses padding at once.
 */
export const MAX_METADATA_BYTES = 16 * 1024;

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
