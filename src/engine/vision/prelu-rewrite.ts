/**
 * Rewrites PRelu(x, slope) nodes of an ONNX model held in memory into equivalent branch-free operators.
 * Why: onnxruntime's CPU PRelu kernel branches per element, so on real photos (signs mixed at random) it
 * mispredicts and runs 2-3x slower than on a constant tensor; the embedding and liveness models spent more
 * time in PRelu than in their convolutions.
 * - 'conv' (default) for per-channel slopes: slope * x + (1 - slope) * relu(x), both products as depthwise 1x1
 *   convolutions, which stay in onnxruntime's blocked NCHWc layout (element-wise Mul/Sub on a per-channel slope
 *   force layout reorders that cost as much as the operators). Equal to PRelu up to float rounding (the
 *   x >= 0 branch becomes s*x + (1-s)*x): outputs differ in the 6th-7th significant digit.
 * - 'exact', and for any slope the 'conv' form cannot take: Max(x, slope * x) when every slope is in [0, 1],
 *   else relu(x) + slope * (x - relu(x)). Bit for bit equal to PRelu.
 *
 * The model file on disk is not changed (its sha256 is verified as shipped). Only the protobuf wire format is
 * touched: ModelProto.graph (7) -> GraphProto.node (1) / initializer (5); every other field is copied as is.
 */
/** Changes whenever the rewrite's output changes: cached rewritten copies are keyed by it. */
export const REWRITE_VERSION = 2;

export interface RewriteResult {
  bytes: Uint8Array;
  /** PRelu nodes replaced. */
  rewritten: number;
  /** PRelu nodes kept (slope not a float initializer, or outside [0, 1]). */
  kept: number;
}

interface Field {
  no: number;
  wire: number;
  /** The whole field (key + value) in the buffer. */
  start: number;
  end: number;
  /** The value bytes of a length-delimited field; the varint value otherwise. */
  valueStart: number;
  valueEnd: number;
  varint: number;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const byte = buf[pos++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
    scale *= 128;
  }
}

function fields(buf: Uint8Array, start = 0, end = buf.length): Field[] {
  const out: Field[] = [];
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    const [key, afterKey] = readVarint(buf, pos);
    const no = Math.floor(key / 8);
    const wire = key % 8;
    pos = afterKey;
    let valueStart = pos;
    let valueEnd = pos;
    let varint = 0;
    if (wire === 0) {
      [varint, pos] = readVarint(buf, pos);
      valueEnd = pos;
    } else if (wire === 1) {
      pos += 8;
      valueEnd = pos;
    } else if (wire === 2) {
      const [length, afterLength] = readVarint(buf, pos);
      valueStart = afterLength;
      valueEnd = afterLength + length;
      pos = valueEnd;
    } else if (wire === 5) {
      pos += 4;
      valueEnd = pos;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
    if (pos > end) throw new Error('field runs past its message');
    out.push({ no, wire, start: fieldStart, end: pos, valueStart, valueEnd, varint });
  }
  return out;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const text = (buf: Uint8Array, f: Field): string => decoder.decode(buf.subarray(f.valueStart, f.valueEnd));

function varintBytes(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function lengthDelimited(no: number, value: Uint8Array): Uint8Array {
  return concat([new Uint8Array([...varintBytes(no * 8 + 2), ...varintBytes(value.length)]), value]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

/** NodeProto with inputs (1), outputs (2), name (3), op_type (4), attributes (5); default domain. */
function nodeBytes(opType: string, inputs: readonly string[], outputs: readonly string[], name: string, attributes: readonly Uint8Array[] = []): Uint8Array {
  const s = (no: number, value: string): Uint8Array => lengthDelimited(no, encoder.encode(value));
  return lengthDelimited(1, concat([...inputs.map((i) => s(1, i)), ...outputs.map((o) => s(2, o)), s(3, name), s(4, opType), ...attributes]));
}

/** A ValueInfoProto's name (1). */
function valueInfoName(buf: Uint8Array, info: Field): string {
  for (const f of fields(buf, info.valueStart, info.valueEnd)) if (f.no === 1 && f.wire === 2) return text(buf, f);
  return '';
}

/** A TensorProto's name (8). */
function tensorName(buf: Uint8Array, tensor: Field): string {
  for (const f of fields(buf, tensor.valueStart, tensor.valueEnd)) if (f.no === 8 && f.wire === 2) return text(buf, f);
  return '';
}

/** The dims and values of a FLOAT TensorProto held in the file (raw_data or float_data), or null. */
function tensorFloats(buf: Uint8Array, tensor: Field): { dims: number[]; values: Float32Array } | null {
  let dataType = 0;
  let values: Float32Array | null = null;
  const dims: number[] = [];
  for (const f of fields(buf, tensor.valueStart, tensor.valueEnd)) {
    if (f.no === 1 && f.wire === 0) dims.push(f.varint);
    else if (f.no === 1 && f.wire === 2) {
      for (let pos = f.valueStart; pos < f.valueEnd;) {
        const [dim, next] = readVarint(buf, pos);
        dims.push(dim);
        pos = next;
      }
    } else if (f.no === 2 && f.wire === 0) dataType = f.varint;
    else if ((f.no === 9 && f.wire === 2) || (f.no === 4 && f.wire === 2)) {
      // raw_data, or packed float_data: little-endian float32s.
      const view = new DataView(buf.buffer, buf.byteOffset + f.valueStart, f.valueEnd - f.valueStart);
      values = new Float32Array(Math.floor(view.byteLength / 4));
      for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
    } else if (f.no === 4 && f.wire === 5) {
      values = new Float32Array([new DataView(buf.buffer, buf.byteOffset + f.valueStart, 4).getFloat32(0, true)]);
    }
  }
  return dataType === 1 && values ? { dims, values } : null;
}

/** TensorProto: FLOAT initializer with dims (1), data_type (2), name (8), raw_data (9). */
function initializerBytes(name: string, dims: readonly number[], values: Float32Array): Uint8Array {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  const packedDims = new Uint8Array(dims.flatMap((d) => varintBytes(d)));
  return lengthDelimited(5, concat([lengthDelimited(1, packedDims), new Uint8Array([2 << 3, 1]), lengthDelimited(8, encoder.encode(name)), lengthDelimited(9, raw)]));
}

/** AttributeProto: name (1), i (3) or ints (8, packed), type (20: INT = 2, INTS = 7). */
function intAttribute(name: string, value: number | readonly number[]): Uint8Array {
  const nameBytes = lengthDelimited(1, encoder.encode(name));
  const type = (v: number): Uint8Array => new Uint8Array([...varintBytes(20 << 3), v]);
  if (typeof value === 'number') return lengthDelimited(5, concat([nameBytes, new Uint8Array([3 << 3, ...varintBytes(value)]), type(2)]));
  return lengthDelimited(5, concat([nameBytes, lengthDelimited(8, new Uint8Array(value.flatMap((v) => varintBytes(v)))), type(7)]));
}

interface ParsedNode {
  inputs: string[];
  outputs: string[];
  name: string;
  opType: string;
  domain: string;
}

function parseNode(buf: Uint8Array, node: Field): ParsedNode {
  const parsed: ParsedNode = { inputs: [], outputs: [], name: '', opType: '', domain: '' };
  for (const g of fields(buf, node.valueStart, node.valueEnd)) {
    if (g.wire !== 2) continue;
    if (g.no === 1) parsed.inputs.push(text(buf, g));
    else if (g.no === 2) parsed.outputs.push(text(buf, g));
    else if (g.no === 3) parsed.name = text(buf, g);
    else if (g.no === 4) parsed.opType = text(buf, g);
    else if (g.no === 7) parsed.domain = text(buf, g);
  }
  return parsed;
}

const isPRelu = (n: ParsedNode): boolean => n.opType === 'PRelu' && (n.domain === '' || n.domain === 'ai.onnx') && n.inputs.length === 2 && n.outputs.length === 1;

export type PReluForm = 'conv' | 'exact';

export function rewritePRelu(model: Uint8Array, form: PReluForm = 'conv'): RewriteResult {
  const top = fields(model);
  const graphField = top.find((f) => f.no === 7 && f.wire === 2);
  // Mul's numpy broadcasting (which PRelu's slope relies on) needs opset >= 7 of the default domain.
  const opset = top.filter((f) => f.no === 8 && f.wire === 2).map((f) => {
    let domain = '';
    let version = 0;
    for (const g of fields(model, f.valueStart, f.valueEnd)) {
      if (g.no === 1 && g.wire === 2) domain = text(model, g);
      else if (g.no === 2 && g.wire === 0) version = g.varint;
    }
    return domain === '' || domain === 'ai.onnx' ? version : Infinity;
  });
  if (!graphField || Math.min(...opset) < 7) return { bytes: model, rewritten: 0, kept: 0 };

  const graph = fields(model, graphField.valueStart, graphField.valueEnd);
  const nodes = new Map<Field, ParsedNode>();
  for (const f of graph) if (f.no === 1 && f.wire === 2) nodes.set(f, parseNode(model, f));
  const slopeNames = new Set([...nodes.values()].filter(isPRelu).map((n) => n.inputs[1]!));
  const floatSlopes = new Set<string>();
  const slopesInRange = new Set<string>();
  /** Per-channel slopes ([C,1,1] or [1,C,1,1]): their values, for the depthwise-convolution form. */
  const channelSlopes = new Map<string, Float32Array>();
  for (const f of graph) {
    if (f.no !== 5 || f.wire !== 2) continue;
    const name = tensorName(model, f);
    if (!slopeNames.has(name)) continue;
    const values = tensorFloats(model, f);
    if (!values || values.values.length === 0) continue;
    floatSlopes.add(name);
    if (values.values.every((v) => v >= 0 && v <= 1)) slopesInRange.add(name);
    const { dims } = values;
    const channels = values.values.length;
    const perChannel = channels > 1 && ((dims.length === 3 && dims[0] === channels && dims[1] === 1 && dims[2] === 1) || (dims.length === 4 && dims[0] === 1 && dims[1] === channels && dims[2] === 1 && dims[3] === 1));
    if (perChannel) channelSlopes.set(name, values.values);
  }

  // Slopes used only by PRelu nodes that become convolutions are dropped (with their graph-input entries, which
  // old IR versions list for initializers), or onnxruntime would warn about unused initializers at each load.
  const uses = new Map<string, number>();
  for (const node of nodes.values()) for (const input of node.inputs) uses.set(input, (uses.get(input) ?? 0) + 1);
  const convSlopeUses = new Map<string, number>();
  if (form === 'conv') {
    for (const node of nodes.values()) {
      if (isPRelu(node) && channelSlopes.has(node.inputs[1]!)) convSlopeUses.set(node.inputs[1]!, (convSlopeUses.get(node.inputs[1]!) ?? 0) + 1);
    }
  }
  const dropped = new Set([...convSlopeUses].filter(([name, count]) => uses.get(name) === count).map(([name]) => name));

  let rewritten = 0;
  let kept = 0;
  const parts: Uint8Array[] = [];
  const initializers: Uint8Array[] = [];
  for (const f of graph) {
    if (dropped.size > 0 && f.wire === 2 && (f.no === 5 || f.no === 11) && dropped.has(f.no === 5 ? tensorName(model, f) : valueInfoName(model, f))) continue;
    const node = nodes.get(f);
    if (node && isPRelu(node)) {
      const [x, slope] = node.inputs as [string, string];
      const y = node.outputs[0]!;
      const base = node.name || y;
      const perChannel = channelSlopes.get(slope);
      if (form === 'conv' && perChannel) {
        // PRelu(x) = slope * x + (1 - slope) * relu(x), the two products as depthwise 1x1 convolutions: they
        // stay in onnxruntime's blocked (NCHWc) layout, where element-wise Mul/Sub force layout reorders.
        const c = perChannel.length;
        const keep = Float32Array.from(perChannel, (v) => 1 - v);
        initializers.push(initializerBytes(`${y}__prelu_ws`, [c, 1, 1, 1], perChannel), initializerBytes(`${y}__prelu_wr`, [c, 1, 1, 1], keep));
        const depthwise = [intAttribute('group', c), intAttribute('kernel_shape', [1, 1])];
        parts.push(nodeBytes('Relu', [x], [`${y}__prelu_pos`], `${base}__prelu_relu`));
        parts.push(nodeBytes('Conv', [x, `${y}__prelu_ws`], [`${y}__prelu_a`], `${base}__prelu_conv_s`, depthwise));
        parts.push(nodeBytes('Conv', [`${y}__prelu_pos`, `${y}__prelu_wr`], [`${y}__prelu_b`], `${base}__prelu_conv_r`, depthwise));
        parts.push(nodeBytes('Add', [`${y}__prelu_a`, `${y}__prelu_b`], [y], `${base}__prelu_add`));
        rewritten++;
        continue;
      }
      if (slopesInRange.has(slope)) {
        // slope in [0, 1]: PRelu(x) = max(x, slope * x).
        parts.push(nodeBytes('Mul', [x, slope], [`${y}__prelu_scaled`], `${base}__prelu_mul`));
        parts.push(nodeBytes('Max', [x, `${y}__prelu_scaled`], [y], `${base}__prelu_max`));
        rewritten++;
        continue;
      }
      if (slopeNames.has(slope) && floatSlopes.has(slope)) {
        // Any slope: PRelu(x) = relu(x) + slope * (x - relu(x)); x - relu(x) is exactly min(x, 0).
        parts.push(nodeBytes('Relu', [x], [`${y}__prelu_pos`], `${base}__prelu_relu`));
        parts.push(nodeBytes('Sub', [x, `${y}__prelu_pos`], [`${y}__prelu_neg`], `${base}__prelu_sub`));
        parts.push(nodeBytes('Mul', [`${y}__prelu_neg`, slope], [`${y}__prelu_scaled`], `${base}__prelu_mul`));
        parts.push(nodeBytes('Add', [`${y}__prelu_pos`, `${y}__prelu_scaled`], [y], `${base}__prelu_add`));
        rewritten++;
        continue;
      }
      kept++;
    }
    parts.push(model.subarray(f.start, f.end));
  }
  if (rewritten === 0) return { bytes: model, rewritten, kept };
  parts.push(...initializers);
  // One allocation for the rebuilt model (a few MB: copies are not free on a busy machine).
  const graphLength = parts.reduce((n, p) => n + p.length, 0);
  const graphHead = new Uint8Array([...varintBytes(7 * 8 + 2), ...varintBytes(graphLength)]);
  const rebuilt = concat(top.flatMap((f) => (f === graphField ? [graphHead, ...parts] : [model.subarray(f.start, f.end)])));
  return { bytes: rebuilt, rewritten, kept };
}
