// @ts-check
// Binary frame decoder: the JS mirror of app/protocol/codec.py (docs/protocol.md, "binary frame").
//
//   u32 little-endian H | H bytes of UTF-8 JSON header | zero padding to 8 | tensor buffers
//
// Each buffer starts at an 8-aligned offset, counted in protocol v2 from the start of the buffer
// section (the 8-aligned end of the header) and in v1 (old recordings) from the first byte of the
// message, so float32, uint8 and int32 tensors are typed-array views on the message itself (no copy).
// float16 has no typed array: it is widened to float32 through a 65536-entry lookup table.
// Typed arrays use the host's byte order; every browser and Node host nnlive targets is
// little-endian, like the wire.

/**
 * A decoded tensor: `data` a typed array on the message (float16 widened to a Float32Array);
 * `range` [lo, hi] of a quantized uint8 tensor.
 * @typedef {{dtype: string, shape: number[], data: Float32Array | Uint8Array | Int32Array, range?: number[]}} Tensor
 */

/** The protocol version the server speaks; recordings say theirs. */
export const PROTOCOL = 2;
const VIEWS = { float32: Float32Array, uint8: Uint8Array, int32: Int32Array };
const ITEM_SIZE = { float32: 4, float16: 2, uint8: 1, int32: 4 };
const utf8 = new TextDecoder("utf-8", { fatal: true });

let float16Table = null;

/** The float32 value of every float16 bit pattern, built once on first use. */
function float16ToFloat32Table() {
  if (float16Table) return float16Table;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    if (exponent === 0) table[bits] = sign * 2 ** -14 * (fraction / 1024);
    else if (exponent === 31) table[bits] = fraction ? NaN : sign * Infinity;
    else table[bits] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  float16Table = table;
  return table;
}

function elementCount(shape) {
  return shape.reduce((n, d) => n * d, 1);
}

function decodeTensor(buffer, base, spec) {
  const { name, dtype, shape, nbytes } = spec;
  const offset = base + spec.offset;
  const itemSize = ITEM_SIZE[dtype];
  if (!itemSize) throw new Error(`tensor ${name}: unknown dtype ${dtype}`);
  const count = elementCount(shape);
  if (count * itemSize !== nbytes) throw new Error(`tensor ${name}: ${nbytes} bytes for shape [${shape}]`);
  if (offset % 8 !== 0) throw new Error(`tensor ${name}: offset ${offset} is not 8-aligned`);
  if (offset + nbytes > buffer.byteLength) throw new Error(`tensor ${name}: runs past the message`);
  let data;
  if (dtype === "float16") {
    const table = float16ToFloat32Table();
    const bits = new Uint16Array(buffer, offset, count);
    data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = table[bits[i]];
  } else {
    data = new VIEWS[dtype](buffer, offset, count);
  }
  const tensor = { dtype, shape, data };
  if (spec.range) tensor.range = spec.range;
  return tensor;
}

/**
 * Decode one binary frame.
 * @param {ArrayBuffer} buffer the whole websocket message
 * @param {number} [version] its protocol version: 2 (live), or a recording's
 * @returns {{header: any, tensors: Object<string, Tensor>}}
 */
export function decodeFrame(buffer, version = PROTOCOL) {
  if (version !== 1 && version !== 2) throw new Error(`protocol version ${version} is not supported`);
  if (buffer.byteLength < 4) throw new Error("frame shorter than its length prefix");
  const headerLength = new DataView(buffer).getUint32(0, true);
  if (4 + headerLength > buffer.byteLength) throw new Error("frame header runs past the message");
  const header = JSON.parse(utf8.decode(new Uint8Array(buffer, 4, headerLength)));
  const base = version === 1 ? 0 : Math.ceil((4 + headerLength) / 8) * 8;
  /** @type {Object<string, Tensor>} */
  const tensors = {};
  for (const spec of header.tensors ?? []) tensors[spec.name] = decodeTensor(buffer, base, spec);
  return { header, tensors };
}

/**
 * The tensor's values as numbers: its data as is, except a uint8 tensor with a `range`
 * [lo, hi], which is dequantized to lo + (hi − lo) · q / 255 (a new Float32Array).
 */
export function tensorValues(tensor) {
  if (!tensor.range) return tensor.data;
  const [lo, hi] = tensor.range;
  const step = (hi - lo) / 255;
  return Float32Array.from(tensor.data, (q) => lo + step * q);
}
