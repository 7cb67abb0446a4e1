/** Redis Cluster's slot count: every key maps to one of 16,384 slots. */
export const HASH_SLOTS = 16384;

/** CRC16-XMODEM (polynomial 0x1021, initial value 0), the checksum Redis Cluster maps keys with. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/**
 * The Redis Cluster slot of a key, as CLUSTER KEYSLOT computes it: only the hash tag (the text
 * between the first `{` and the next `}`, when not empty) counts. Throws nothing.
 */
export function hashSlot(key: string): number {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  return crc16(new TextEncoder().encode(hashed)) % HASH_SLOTS;
}
