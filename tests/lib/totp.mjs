// TOTP codes as an authenticator app computes them, for the API and browser
// tests of the second factor.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';

// TOTP (RFC 6238: SHA-1, 6 digits, 30 s) as an authenticator app computes
// it, for a base32 secret (blanks and padding ignored) at time step `counter`.
export function totpAt(secret, counter) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const key = [];
  for (const ch of secret.replace(/\s|=/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      key.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac('sha1', Buffer.from(key)).update(msg).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

// Codes for a person's time steps from now on. A code is good once, so each
// use takes the next step; the server accepts one step of drift, so at most
// two codes per person in a test, whatever the clock does meanwhile.
export function totpCodes(secret) {
  const base = Math.floor(Date.now() / 30_000);
  let step = -1;
  return () => {
    step += 1;
    assert.ok(step <= 1, 'at most one step ahead');
    return totpAt(secret, base + step);
  };
}
