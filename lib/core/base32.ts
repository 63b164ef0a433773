// Lowercase base32 characters (a-z, 2-7): safe in key ids, STS names, ARNs and DynamoDB keys.
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** One character per byte (its low 5 bits): n random bytes give 5n random bits. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += BASE32[byte & 31];
  return out;
}
