// Types of gen-proto-types.mjs for the tests that import it.
export const GENERATED_DIR: string;
export const PROTO_FILES: string[];
export const LOADER_FLAGS: { keepCase: boolean; longs: string; enums: string; defaults: boolean; oneofs: boolean };
export function generate(outDir?: string): string;
