/** The bytes the JSON reader and writer look for, and the powers of ten they share. */
export const QUOTE = 0x22;
export const PLUS = 0x2b;
export const COMMA = 0x2c;
export const MINUS = 0x2d;
export const DOT = 0x2e;
export const ZERO = 0x30;
export const NINE = 0x39;
export const COLON = 0x3a;
export const OPEN_BRACKET = 0x5b;
export const BACKSLASH = 0x5c;
export const CLOSE_BRACKET = 0x5d;
export const LOWER_E = 0x65;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;

/**
 * 10^0 … 10^22: every power of ten that is an exact double. Within this window `n × 10^k` and
 * `n / 10^k` (n < 2^53) are one correctly rounded operation: exactly what JSON.parse makes of "nek".
 */
export const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);
export const MAX_EXACT_POW = 22;
