import LZString from 'lz-string';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
const VALUE_OF = new Map([...ALPHABET].map((ch, i) => [ch, i]));

/**
 * lz-string's `decompressFromBase64` with a cap on the output: `null` when the
 * input is not valid lz-string or would decompress past `maxChars`.
 *
 * lz-string can expand quadratically (a few KB of input become hundreds of MB),
 * so the output length is worked out first by replaying the decoder over entry
 * lengths only, and the library runs only when the result is known to fit.
 */
export function decompressLz64(input: string, maxChars: number): string | null {
  if (input === '') return null;
  const length = decodedLength(input, maxChars);
  if (length === null || length === 0) return null;
  try {
    return LZString.decompressFromBase64(input) || null;
  } catch {
    return null;
  }
}

/** The length `decompressFromBase64(input)` would return, or null if invalid or over `max`. */
export function decodedLength(input: string, max: number): number | null {
  // Mirrors LZString._decompress(input.length, 32, …); dictionary holds entry lengths.
  const valueAt = (i: number) => VALUE_OF.get(input.charAt(i)) ?? 0;
  let val = valueAt(0);
  let position = 32;
  let index = 1;
  const readBits = (n: number) => {
    let bits = 0;
    for (let p = 0; p < n; p++) {
      const bit = val & position;
      position >>= 1;
      if (position === 0) {
        position = 32;
        val = valueAt(index++);
      }
      if (bit) bits += 2 ** p;
    }
    return bits;
  };

  const first = readBits(2);
  if (first === 2) return 0;
  if (first === 3) return null; // the library would throw on this
  readBits(first === 0 ? 8 : 16);
  const dictionary: number[] = [0, 0, 0, 1];
  let enlargeIn = 4;
  let numBits = 3;
  let w = 1;
  let total = 1;
  for (;;) {
    if (index > input.length) return 0;
    let c = readBits(numBits);
    if (c === 0 || c === 1) {
      readBits(c === 0 ? 8 : 16);
      dictionary.push(1);
      c = dictionary.length - 1;
      enlargeIn--;
    } else if (c === 2) {
      return total;
    }
    if (enlargeIn === 0) {
      enlargeIn = 2 ** numBits;
      numBits++;
    }
    let entry: number;
    if (c < dictionary.length && c >= 3) entry = dictionary[c]!;
    else if (c === dictionary.length) entry = w + 1;
    else return null;
    total += entry;
    if (total > max) return null;
    dictionary.push(w + 1);
    enlargeIn--;
    w = entry;
    if (enlargeIn === 0) {
      enlargeIn = 2 ** numBits;
      numBits++;
    }
  }
}
