// The JSON escaping of ASCII, 16 bytes at a time: a WebAssembly function with SIMD, assembled here
// from the listing below. JSON.stringify was most of what recording cost (about 2 ns a byte, the
// relay's own cost is about 3); this is a copy with a compare, except at the bytes that need an
// escape. Bytes that need none are stored 16 at a time; at the first that does, its escape is
// copied from a table JSON.stringify itself filled (escapeTable), so the escapes are its own.
//
// Memory (one instance per process, never grown, so views of it stay valid):
//   [0, TABLE_BYTES)       for each byte value b at b*8: the escape's length (0: none), its bytes
//   [INPUT, +PIECE_BYTES)  the bytes to escape
//   [OUTPUT, …)            their escaped form: 6 bytes per byte at most, plus 16 of slack (whole
//                          vectors and 8-byte escapes are stored past the end, then written over)

/** Bytes escaped per call at most. */
export const PIECE_BYTES = 64 * 1024;
const TABLE_BYTES = 4096;
export const INPUT = TABLE_BYTES;
export const OUTPUT = INPUT + PIECE_BYTES;
const PAGES = Math.ceil((OUTPUT + PIECE_BYTES * 6 + 16) / 65536);

// Opcodes (https://webassembly.github.io/spec/core/binary/instructions.html); SIMD ones follow 0xfd.
const I32 = 0x7f;
const V128 = 0x7b;
const EMPTY = 0x40;
const [BLOCK, LOOP, IF, ELSE, END, BR, BR_IF] = [0x02, 0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d];
const [GET, SET] = [0x20, 0x21];
const [I32_LOAD8_U, I64_LOAD, I32_STORE8, I64_STORE] = [0x2d, 0x29, 0x3a, 0x37];
const [I32_CONST, I32_EQZ, I32_GE_U, I32_CTZ, I32_ADD, I32_SUB, I32_SHL] = [
  0x41, 0x45, 0x4f, 0x68, 0x6a, 0x6b, 0x74,
];
const SIMD = 0xfd;
const [V128_LOAD, V128_STORE, V128_CONST] = [0x00, 0x0b, 0x0c];
const [I8X16_EQ, I8X16_LT_U, V128_OR, I8X16_BITMASK] = [0x23, 0x26, 0x50, 0x64];
/** memarg: alignment hint 1 byte, then the offset. */
const at = (offset: number): number[] => [0, offset];
const splat = (byte: number): number[] => [SIMD, V128_CONST, ...new Array<number>(16).fill(byte)];

// Locals: the parameters (input, length, output), then the rest.
const [IN, LENGTH, OUT, END_IN, O, MASK, BYTE, VECTOR] = [0, 1, 2, 3, 4, 5, 6, 7];

/** escape(input, length, output) → bytes written at output. */
const body = [
  ...[2, 4, I32, 1, V128], // locals: end, o, mask, byte (i32); vector (v128)
  ...[GET, IN, GET, LENGTH, I32_ADD, SET, END_IN],
  ...[GET, OUT, SET, O],
  ...[BLOCK, EMPTY, LOOP, EMPTY],
  // 16 bytes or more left: which of the next 16 need an escape (< 0x20, '"' or '\\')?
  ...[GET, END_IN, GET, IN, I32_SUB, I32_CONST, 16, I32_GE_U, IF, EMPTY],
  ...[GET, IN, SIMD, V128_LOAD, ...at(0), SET, VECTOR],
  ...[GET, VECTOR, ...splat(0x20), SIMD, I8X16_LT_U],
  ...[GET, VECTOR, ...splat(0x22), SIMD, I8X16_EQ, SIMD, V128_OR],
  ...[GET, VECTOR, ...splat(0x5c), SIMD, I8X16_EQ, SIMD, V128_OR],
  ...[SIMD, I8X16_BITMASK, SET, MASK],
  // All 16 are stored; those from the first that needs an escape on are written over.
  ...[GET, O, GET, VECTOR, SIMD, V128_STORE, ...at(0)],
  ...[GET, MASK, I32_EQZ, IF, EMPTY],
  ...[GET, O, I32_CONST, 16, I32_ADD, SET, O, GET, IN, I32_CONST, 16, I32_ADD, SET, IN],
  ...[BR, 2, END], // next 16
  ...[GET, MASK, I32_CTZ, SET, BYTE], // bytes before the first to escape
  ...[GET, O, GET, BYTE, I32_ADD, SET, O, GET, IN, GET, BYTE, I32_ADD, SET, IN],
  ...[ELSE, GET, IN, GET, END_IN, I32_GE_U, BR_IF, 2, END], // fewer than 16: one at a time, to the end
  // One byte: itself, or its escape (8 bytes stored from the table, its length kept).
  ...[GET, IN, I32_LOAD8_U, ...at(0), SET, BYTE, GET, IN, I32_CONST, 1, I32_ADD, SET, IN],
  ...[GET, BYTE, I32_CONST, 3, I32_SHL, I32_LOAD8_U, ...at(0), SET, MASK],
  ...[GET, MASK, I32_EQZ, IF, EMPTY],
  ...[GET, O, GET, BYTE, I32_STORE8, ...at(0), GET, O, I32_CONST, 1, I32_ADD, SET, O],
  ...[ELSE, GET, O, GET, BYTE, I32_CONST, 3, I32_SHL, I64_LOAD, ...at(1), I64_STORE, ...at(0)],
  ...[GET, O, GET, MASK, I32_ADD, SET, O, END],
  ...[BR, 0, END, END],
  ...[GET, O, GET, OUT, I32_SUB, END],
];

function leb(value: number): number[] {
  const bytes = [];
  let rest = value;
  do {
    const low = rest & 0x7f;
    rest >>>= 7;
    bytes.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return bytes;
}

const name = (text: string): number[] => [...leb(text.length), ...Buffer.from(text, 'latin1')];
const section = (id: number, content: number[]): number[] => [id, ...leb(content.length), ...content];

const MODULE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(1, [1, 0x60, 3, I32, I32, I32, 1, I32]), // type: (i32, i32, i32) → i32
  ...section(3, [1, 0]), // function 0 has type 0
  ...section(5, [1, 0x00, ...leb(PAGES)]), // memory: PAGES, fixed
  ...section(7, [2, ...name('escape'), 0x00, 0, ...name('memory'), 0x02, 0]),
  ...section(10, [1, ...leb(body.length), ...body]),
]);

export interface AsciiEscaper {
  /** Escapes `length` bytes at INPUT into OUTPUT; returns the escaped length. */
  escape: (input: number, length: number, output: number) => number;
  /** The instance's memory, for copying in and out. */
  memory: Uint8Array;
}

/** The escaper, or undefined where WebAssembly SIMD is not available (JSON.stringify serves then). */
export function loadEscaper(): AsciiEscaper | undefined {
  if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(MODULE)) return undefined;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(MODULE), {});
  const { escape, memory } = instance.exports as {
    escape: AsciiEscaper['escape'];
    memory: WebAssembly.Memory;
  };
  const bytes = new Uint8Array(memory.buffer);
  escapeTable(bytes);
  return { escape, memory: bytes };
}

/** Writes each ASCII byte's escape, as JSON.stringify writes it, into the table; checks the vector test's set. */
function escapeTable(memory: Uint8Array): void {
  for (let byte = 0; byte < 0x80; byte += 1) {
    const escaped = JSON.stringify(String.fromCharCode(byte)).slice(1, -1);
    const flagged = byte < 0x20 || byte === 0x22 || byte === 0x5c;
    if (escaped.length > 1 !== flagged) throw new Error(`JSON escapes byte ${byte} unexpectedly`);
    if (!flagged) continue;
    memory[byte * 8] = escaped.length;
    memory.set(Buffer.from(escaped, 'latin1'), byte * 8 + 1);
  }
}
