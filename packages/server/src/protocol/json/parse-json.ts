import { OxvError } from '@oxidizedvision/runtime';
import { type NumberArray, NumberSink } from './number-array.js';
import { latin1, scanNumber, type NumberScan } from './number-scan.js';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  MINUS,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from './ascii.js';

/**
 * JSON.parse for request bodies, reading bytes directly, with one difference: the value of every `data`
 * key that is an array of numbers or booleans (flat or nested) becomes a NumberArray instead of JavaScript
 * arrays, so a 3×256×256 tensor is one typed array rather than 196,608 boxed numbers and a flattening
 * copy. When the object already named `"datatype": "FP32"`, the numbers are gathered as float32 (half the
 * memory, and a faster exact path for long mantissas). A `data` array holding anything else (BYTES
 * strings, nulls) is parsed as ordinary JSON, and the datatype checks report it as today.
 *
 * Everything else matches JSON.parse (RFC 8259 grammar, duplicate keys: the last wins, `__proto__` an
 * own property), except that NaN and Infinity, which JSON cannot carry, get a message of their own.
 */
export function parseJson(bytes: Uint8Array, what: string): unknown {
  if (bytes.byteLength === 0) throw new OxvError('ERR_BAD_REQUEST', `${what} is empty; expected a JSON object`);
  const parser = new Parser(bytes, what);
  parser.skipSpace();
  const value = parser.value(false);
  parser.skipSpace();
  if (parser.pos < bytes.length) parser.fail('unexpected data after the JSON value');
  return value;
}

/** Where a `data` array stands: just opened, after an element, after a comma. */
const enum ArrayState {
  Opened,
  AfterValue,
  AfterComma,
}

/**
 * The element count a `shape` already parsed beside `data` promises, so the typed array is allocated
 * once at its final size (it still grows if the data turns out longer; the count is checked later).
 */
function expectedCount(shape: unknown): number {
  if (!Array.isArray(shape)) return 0;
  let count = 1;
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) return 0;
    count *= dim;
  }
  return count <= MAX_PRESIZE ? count : 0;
}

// Beyond this a wrong shape could make one small request allocate a lot; growing costs a copy or two.
const MAX_PRESIZE = 1 << 26;

class Parser {
  pos = 0;
  private readonly scan: NumberScan = { value: 0, end: 0, longInteger: false };

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  fail(message: string): never {
    throw new OxvError('ERR_BAD_REQUEST', `${this.what} is not valid JSON: ${message} at byte ${this.pos}`);
  }

  skipSpace(): void {
    const { bytes } = this;
    let c = bytes[this.pos];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = bytes[++this.pos];
  }

  value(float32: boolean): unknown {
    const c = this.bytes[this.pos];
    if (c === OPEN_BRACE) return this.object();
    if (c === OPEN_BRACKET) return this.array();
    if (c === QUOTE) return this.string();
    if (c === 0x74) return this.literal('true', true);
    if (c === 0x66) return this.literal('false', false);
    if (c === 0x6e) return this.literal('null', null);
    return this.number(float32);
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    this.skipSpace();
    if (this.bytes[this.pos] === CLOSE_BRACE) {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.bytes[this.pos] !== QUOTE) this.fail('expected a string key');
      const key = this.string();
      this.skipSpace();
      if (this.bytes[this.pos] !== COLON) this.fail(`expected ":" after key "${key}"`);
      this.pos++;
      this.skipSpace();
      const value =
        key === 'data' && this.bytes[this.pos] === OPEN_BRACKET
          ? (this.numberArray(out.datatype === 'FP32', expectedCount(out.shape)) ?? this.value(false))
          : this.value(false);
      if (key === '__proto__')
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
      this.skipSpace();
      const c = this.bytes[this.pos++];
      if (c === CLOSE_BRACE) return out;
      if (c !== COMMA) {
        this.pos--;
        this.fail('expected "," or "}" in an object');
      }
      this.skipSpace();
    }
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.skipSpace();
    if (this.bytes[this.pos] === CLOSE_BRACKET) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(false));
      this.skipSpace();
      const c = this.bytes[this.pos++];
      if (c === CLOSE_BRACKET) return out;
      if (c !== COMMA) {
        this.pos--;
        this.fail('expected "," or "]" in an array');
      }
      this.skipSpace();
    }
  }

  /**
   * A nested array of numbers and booleans, gathered flat; undefined (position restored) at the first
   * element of another kind, so that the caller parses it as ordinary JSON.
   */
  private numberArray(float32: boolean, capacity: number): NumberArray | undefined {
    const { bytes, scan } = this;
    const start = this.pos;
    const sink = new NumberSink(float32, capacity);
    let depth = 0;
    let state = ArrayState.AfterComma;
    for (;;) {
      this.skipSpace();
      const c = bytes[this.pos];
      if (state === ArrayState.AfterValue) {
        if (c === COMMA) state = ArrayState.AfterComma;
        else if (c === CLOSE_BRACKET) {
          if (--depth === 0) {
            this.pos++;
            return sink.finish();
          }
        } else this.fail('expected "," or "]" in an array');
        this.pos++;
        continue;
      }
      if (c === OPEN_BRACKET) {
        depth++;
        state = ArrayState.Opened;
        this.pos++;
      } else if (c === CLOSE_BRACKET && state === ArrayState.Opened) {
        this.pos++;
        if (--depth === 0) return sink.finish();
        state = ArrayState.AfterValue;
      } else if (c === 0x74 || c === 0x66) {
        sink.pushBoolean(this.literal(c === 0x74 ? 'true' : 'false', c === 0x74));
        state = ArrayState.AfterValue;
      } else if ((c !== undefined && c >= 0x30 && c <= 0x39) || c === MINUS) {
        scanNumber(bytes, this.pos, float32, scan);
        if (scan.end < 0) this.badNumber(`data[${sink.length}]`);
        if (scan.longInteger) sink.pushLongInteger(scan.value, latin1(bytes, this.pos, scan.end));
        else sink.pushNumber(scan.value);
        this.pos = scan.end;
        state = ArrayState.AfterValue;
      } else if (c === 0x4e || c === 0x49) {
        this.badNumber(`data[${sink.length}]`);
      } else {
        this.pos = start;
        return undefined;
      }
    }
  }

  private number(float32: boolean): number {
    scanNumber(this.bytes, this.pos, float32, this.scan);
    if (this.scan.end < 0) this.badNumber('a value');
    this.pos = this.scan.end;
    return this.scan.value;
  }

  /** NaN and ±Infinity are the usual reason for a bad number here (Python's json.dumps writes them). */
  private badNumber(where: string): never {
    const rest = latin1(this.bytes, this.pos, Math.min(this.pos + 9, this.bytes.length));
    const token = /^-?(NaN|Infinity)/.exec(rest)?.[0];
    if (token !== undefined) {
      throw new OxvError(
        'ERR_BAD_REQUEST',
        `${this.what}: ${where} is ${token}, which JSON cannot carry; send finite numbers, or the tensor as binary data`,
      );
    }
    this.fail(rest.length === 0 ? 'unexpected end' : `unexpected ${JSON.stringify(rest.slice(0, 1))}`);
  }

  private literal<T>(word: string, value: T): T {
    for (let i = 0; i < word.length; i++) {
      if (this.bytes[this.pos + i] !== word.charCodeAt(i)) this.fail(`unexpected token (expected ${word})`);
    }
    this.pos += word.length;
    return value;
  }

  private string(): string {
    const { bytes } = this;
    const start = this.pos + 1;
    let end = start;
    let plain = true;
    for (;;) {
      const c = bytes[end];
      if (c === undefined) this.fail('unterminated string');
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        plain = false;
        end += 2;
        continue;
      }
      if (c < 0x20) {
        this.pos = end;
        this.fail('control character in a string');
      }
      if (c >= 0x80) plain = false;
      end++;
    }
    this.pos = end + 1;
    if (plain) return latin1(bytes, start, end);
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + start - 1, end - start + 2).toString('utf8');
    try {
      return JSON.parse(text) as string;
    } catch {
      this.pos = start - 1;
      return this.fail('bad escape in a string');
    }
  }
}
