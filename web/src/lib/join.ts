/**
 * Join links: `https://<node>/#/join/<code>` opens the app in that campaign (a QR code on a poster
 * or on the librarian's screen). Pure, so the link written and the link read agree.
 */
import { encode } from 'uqr';

const JOIN = /^#\/join\/([^/?#]+)$/;

export function joinLink(origin: string, code: string): string {
  return `${origin}/#/join/${encodeURIComponent(code)}`;
}

/** The code a location hash carries, or null. */
export function joinCodeOf(hash: string): string | null {
  const match = JOIN.exec(hash);
  if (match === null) return null;
  try {
    const code = decodeURIComponent(match[1]!).trim();
    return code === '' || code.length > 32 ? null : code;
  } catch {
    return null;
  }
}

/** A QR code as one SVG path over a square of `size` modules (quiet zone included). */
export function qrPath(text: string, border = 4): { size: number; d: string } {
  const qr = encode(text, { border, ecc: 'M' });
  let d = '';
  for (let y = 0; y < qr.size; y++) {
    for (let x = 0; x < qr.size; x++) if (qr.data[y]![x]) d += `M${x} ${y}h1v1h-1z`;
  }
  return { size: qr.size, d };
}
