/**
 * MurmurHash3, x86 32-bit flavour, over bytes (Austin Appleby's reference `MurmurHash3_x86_32`).
 * Written here rather than taken from `murmurhash3js` because that package hashes the low byte of
 * each UTF-16 code unit, which differs from every other language's murmur3 for non-ASCII text;
 * this one hashes UTF-8 and is checked against `unleash-client` and Python in the tests.
 */
export function murmur3x86(bytes: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const tail = bytes.length & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < tail; i += 4) {
    let k =
      (bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = bytes[tail] as number;
    if (rest > 1) k |= (bytes[tail + 1] as number) << 8;
    if (rest > 2) k |= (bytes[tail + 2] as number) << 16;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const encoder = new TextEncoder();
// Reused between calls (UTF-8 needs at most 3 bytes per UTF-16 unit): no allocation per user id.
let scratch = new Uint8Array(256);

/** murmur3 of a string's UTF-8 bytes. */
export function murmur3Utf8(text: string, seed = 0): number {
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  const { written } = encoder.encodeInto(text, scratch);
  return murmur3x86(scratch.subarray(0, written), seed);
}
