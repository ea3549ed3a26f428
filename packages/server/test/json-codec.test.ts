import { describe, expect, it } from 'vitest';
import { createRng, createTensor, float16BitsToFloat32, type DType } from '@oxidizedvision/runtime';
import { NumberArray } from '../src/protocol/json/number-array.js';
import { tensorFromJson } from '../src/protocol/tensor-data.js';
import { parseJson } from '../src/protocol/json/parse-json.js';
import { encodeJson, jsonData, writeTensorData } from '../src/protocol/json/write-json.js';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** parseJson' result with every NumberArray turned back into a plain (flat) array, for comparison. */
function plain(value: unknown): unknown {
  if (value instanceof NumberArray) {
    const booleans = value.firstBoolean >= 0 && value.firstNumber < 0;
    return Array.from(value.values, (v) => (booleans ? v === 1 : v));
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** JSON.parse's result with every `data` array flattened (what the NumberArray holds). */
function flatten(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return key === 'data' ? value.flat(Infinity) : value.map((v) => flatten(v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, flatten(v, k)]));
  }
  return value;
}

/** The fewest significant digits (1–9) whose text reads back to the float32 `v`, found by brute force. */
function bruteForceDigits(v: number): number {
  for (let p = 1; p <= 9; p++) if (Math.fround(Number(Math.abs(v).toPrecision(p))) === Math.abs(v)) return p;
  return 9;
}

const significantDigits = (text: string): number =>
  text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;

function randomFloat32s(count: number): Float32Array {
  const rng = createRng(7);
  const bits = new Uint32Array(count);
  for (let i = 0; i < count; i++) bits[i] = Math.floor(rng.next() * 2 ** 32);
  const values = new Float32Array(bits.buffer);
  for (let i = 0; i < count; i++) if (!Number.isFinite(values[i]!)) values[i] = i;
  return values;
}

const EDGE_FLOAT32S = [
  0,
  -0,
  1,
  -1,
  0.1,
  0.5,
  1e-7,
  1e-6,
  1e21,
  1e20,
  123456789,
  16777216,
  3.4028234663852886e38,
  1.1754943508222875e-38,
  1.401298464324817e-45,
  2.1e-44,
  7.006e-45,
  0.4951191842555999755859375,
  1 / 3,
  2 / 3,
  100,
  1e10,
  65504,
  9.999999e-8,
].map(Math.fround);

describe('writing float32 tensors as JSON', () => {
  it('prints the shortest text that reads back to the same float32, for random bit patterns and edge cases', () => {
    const values = new Float32Array([...EDGE_FLOAT32S, ...randomFloat32s(20_000)]);
    const text = writeTensorData(createTensor('float32', [values.length], values)).toString('latin1');
    const back = JSON.parse(text) as number[];
    const pieces = text.slice(1, -1).split(',');
    for (let i = 0; i < values.length; i++) {
      expect(Object.is(Math.fround(back[i]!), values[i]), `element ${i} (${values[i]}) as ${pieces[i]}`).toBe(true);
      if (values[i] !== 0) expect(significantDigits(pieces[i]!), pieces[i]).toBe(bruteForceDigits(values[i]!));
    }
  });

  it('writes float32 0.1 as 0.1, not its float64 expansion 0.10000000149011612', () => {
    const tensor = createTensor('float32', [3], new Float32Array([0.1, 0.4951191842556, -0]));
    expect(JSON.stringify(Array.from(tensor.data))).toBe('[0.10000000149011612,0.4951191842556,0]');
    expect(writeTensorData(tensor).toString()).toBe('[0.1,0.49511918,-0]');
  });

  it('writes NaN and Infinity as null, as JSON.stringify does', () => {
    const tensor = createTensor('float32', [3], new Float32Array([Number.NaN, Infinity, -Infinity]));
    expect(writeTensorData(tensor).toString()).toBe('[null,null,null]');
  });
});

describe('writing every datatype', () => {
  const cases: [DType, ArrayLike<number | bigint | boolean>, string][] = [
    ['float64', [0.1, -2.5e-300, 1e21, 123], '[0.1,-2.5e-300,1e+21,123]'],
    ['int64', [0n, -9007199254740993n, 9223372036854775807n], '[0,-9007199254740993,9223372036854775807]'],
    ['int32', [0, -2147483648, 2147483647, 10], '[0,-2147483648,2147483647,10]'],
    ['int8', [-128, 127, 0], '[-128,127,0]'],
    ['uint8', [0, 255, 9], '[0,255,9]'],
    ['bool', [true, false, true], '[true,false,true]'],
    // Shortest for float16, as numpy prints it: 65504 reads back from "65500".
    ['float16', [0.1, 65504, -0.000061035156], '[0.1,65500,-0.00006104]'],
  ];
  it.each(cases)('%s', (dtype, values, expected) => {
    const tensor = createTensor(dtype, [values.length], values as never);
    expect(writeTensorData(tensor).toString()).toBe(expected);
    if (dtype === 'float16') {
      const back = JSON.parse(expected) as number[];
      const again = createTensor('float16', [back.length], back);
      expect(Array.from(again.data, float16BitsToFloat32)).toEqual(Array.from(tensor.data, float16BitsToFloat32));
    }
  });

  it('splices tensor data into an ordinary JSON document', () => {
    const tensor = createTensor('int32', [2], new Int32Array([1, 2]));
    const doc = { model_name: 'm\u0000"x', outputs: [{ name: 'out', data: jsonData(tensor) }], empty: [] };
    expect(JSON.parse(encodeJson(doc).toString())).toEqual({
      model_name: 'm\u0000"x',
      outputs: [{ name: 'out', data: [1, 2] }],
      empty: [],
    });
  });
});

describe('parsing request bodies', () => {
  const documents = [
    '{"inputs":[{"name":"x","shape":[2,2],"datatype":"FP64","data":[[1,2.5],[-3e-2,4E+1]]}]}',
    '{"data":[0,-0,1.0,1e0,0.000001,123456789012345678901234567890,4.9e-324,1e-400,1.7976931348623157e308]}',
    '{"data":[0.1000000000000000055511151231257827,3.4028234663852886e38,1.401298464324817e-45]}',
    ' \n\t{ "a" : [ ] , "data" : [ ] , "b" : { } , "c" : "" }  ',
    '{"data":[true,false,true],"datatype":"BOOL"}',
    '{"data":["abc","d\\u00e9f","\\"q\\""],"datatype":"BYTES"}',
    '{"data":[1,"mixed",null]}',
    '{"data":[[],[[]]]}',
    '{"s":"caf\u00e9 \u{1f600} \\n\\t\\/","n":null,"t":true,"f":false,"neg":-12.5e-3}',
    '{"a":1,"a":2}',
    '[1,[2,[3,{"data":[4]}]]]',
    '"just a string"',
    '{"datatype":"FP32","data":[0.49511918425559998,1.0000000596046448,0.1,16777217,1e-45]}',
  ];
  it.each(documents)('reads %s as JSON.parse does', (text) => {
    const expected = flatten(JSON.parse(text)) as { data?: number[] };
    if (text.startsWith('{"datatype":"FP32"')) expected.data = expected.data!.map(Math.fround);
    expect(plain(parseJson(bytes(text), 'request body'))).toEqual(expected);
  });

  it('keeps __proto__ an own key, as JSON.parse does', () => {
    const parsed = parseJson(bytes('{"__proto__":{"polluted":1}}'), 'body') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
  });

  it('gathers FP32 data as float32, exactly as JSON.parse then a Float32Array would', () => {
    const rng = createRng(3);
    const texts: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const magnitude = 10 ** Math.floor(rng.next() * 20 - 10);
      // Random 17-digit decimals hit float32 rounding midpoints far more often than real data does.
      texts.push(((rng.next() - 0.5) * magnitude).toPrecision(1 + Math.floor(rng.next() * 17)));
    }
    for (const v of randomFloat32s(2000)) texts.push(String(v));
    // Exactly on, and a hair either side of, the midpoint between two float32s: where dropping digits
    // could round the wrong way, so the reader must notice and read those exactly.
    const bits = new Float32Array(1);
    const asInt = new Int32Array(bits.buffer);
    for (const v of randomFloat32s(3000)) {
      bits[0] = Math.abs(v);
      if (!(bits[0] > 1e-30 && bits[0] < 1e30)) continue;
      const f = bits[0];
      asInt[0]! += 1;
      const midpoint = (f + bits[0]!) / 2;
      texts.push(String(midpoint), (midpoint * (1 + 1e-12)).toPrecision(17), (midpoint * (1 - 1e-12)).toPrecision(17));
    }
    const text = `{"datatype":"FP32","data":[${texts.join(',')}]}`;
    const parsed = parseJson(bytes(text), 'body') as { data: NumberArray };
    expect(parsed.data.values).toBeInstanceOf(Float32Array);
    expect(Array.from(parsed.data.values)).toEqual(Array.from(new Float32Array(texts.map(Number))));
  });

  it('keeps long integer literals as written, for int64', () => {
    const parsed = parseJson(bytes('{"data":[9007199254740993,1]}'), 'body') as { data: NumberArray };
    expect(parsed.data.longIntegers?.get(0)).toBe('9007199254740993');
  });

  const invalid = [
    '',
    '01',
    '1.',
    '.5',
    '+1',
    '[1,]',
    '[,1]',
    '{"a":1,}',
    'tru',
    '"\u0001"',
    '{"a" 1}',
    '[1 2]',
    '{"data":[1,]}',
    '{"data":[1 2]}',
    '{"data":[1',
    '{"data":[[1],2',
    '-',
    '1e',
    '{"a":1}x',
    '"\\x"',
  ];
  it.each(invalid)('refuses %j, where JSON.parse refuses it', (text) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(() => parseJson(bytes(text), 'request body')).toThrow(/request body (is empty|is not valid JSON)/);
  });

  it.each(['{"data":[1,NaN]}', '{"data":[Infinity]}', '{"data":[-Infinity]}', '{"x":NaN}'])(
    'names NaN and Infinity in %s, which JSON cannot carry',
    (text) => {
      expect(() => parseJson(bytes(text), 'request body')).toThrow(/(NaN|Infinity), which JSON cannot carry/);
    },
  );

  it('names the element that holds NaN', () => {
    expect(() => parseJson(bytes('{"data":[[1,2],[3,NaN]]}'), 'request body')).toThrow(/data\[3\] is NaN/);
  });
});

describe('JSON data into tensors of every datatype', () => {
  const tensor = (datatype: string, dtype: DType, data: string, shape = [3]) => {
    const parsed = parseJson(bytes(`{"datatype":"${datatype}","data":${data}}`), 'body') as { data: unknown };
    return tensorFromJson(dtype, shape, parsed.data, 'input "x"');
  };

  it.each([
    ['FP32', 'float32', '[1.5,-0,3e-39]', [1.5, -0, Math.fround(3e-39)]],
    ['FP64', 'float64', '[0.1,1e308,-5e-324]', [0.1, 1e308, -5e-324]],
    ['INT32', 'int32', '[-2147483648,0,2147483647]', [-2147483648, 0, 2147483647]],
    ['INT8', 'int8', '[-128,1.0,127]', [-128, 1, 127]],
    ['UINT8', 'uint8', '[0,2e2,255]', [0, 200, 255]],
    ['BOOL', 'bool', '[true,false,1]', [1, 0, 1]],
  ] as const)('%s', (datatype, dtype, data, expected) => {
    expect(Array.from(tensor(datatype, dtype, data).data as ArrayLike<number>)).toEqual(expected);
  });

  it('INT64 keeps integers beyond 2^53 exactly', () => {
    const t = tensor('INT64', 'int64', '[9007199254740993,-9223372036854775808,1e3]');
    expect(Array.from(t.data as BigInt64Array)).toEqual([9007199254740993n, -9223372036854775808n, 1000n]);
  });

  it('FP16 rounds to half precision', () => {
    const t = tensor('FP16', 'float16', '[0.1,65504,-2]');
    expect(Array.from(t.data as Uint16Array, float16BitsToFloat32)).toEqual([0.0999755859375, 65504, -2]);
  });

  it('takes nested data in row-major order', () => {
    const t = tensor('FP32', 'float32', '[[[1,2]],[[3,4]]]', [2, 1, 2]);
    expect(Array.from(t.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it.each([
    ['INT32', 'int32', '[1,1.5,2]', /input "x": data\[1\] is not a valid int32 value: 1.5/],
    ['UINT8', 'uint8', '[1,2,300]', /data\[2\] is not a valid uint8 value: 300/],
    ['INT8', 'int8', '[1,-129,2]', /data\[1\] is not a valid int8 value: -129/],
    ['FP32', 'float32', '[1,true,2]', /data\[1\] is not a valid float32 value: true/],
    ['BOOL', 'bool', '[true,2,false]', /data\[1\] is not a valid bool value: 2/],
    ['INT64', 'int64', '[1,99999999999999999999,2]', /data\[1\] is not a valid int64 value: 99999999999999999999/],
    ['FP32', 'float32', '[1,"2",3]', /data\[1\] is not a valid float32 value: 2/],
    ['FP32', 'float32', '[1,null,3]', /data\[1\] is not a valid float32 value: null/],
  ] as const)('refuses a %s element that does not fit: %s', (datatype, dtype, data, message) => {
    expect(() => tensor(datatype, dtype, data)).toThrow(message);
  });

  it('refuses a count that does not match the shape', () => {
    expect(() => tensor('FP32', 'float32', '[1,2]')).toThrow(/shape \[3\] needs 3 elements but data has 2/);
  });
});
