/** UTF-8 sizes of strings, counted without encoding them (Workers have no Buffer; bodies can be large). */

/**
 * A string's length in UTF-8 bytes, as TextEncoder would encode it (a lone surrogate as U+FFFD, 3
 * bytes): what a Content-Length or a byte limit counts.
 */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
