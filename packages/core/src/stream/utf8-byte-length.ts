const NON_ASCII = /[^\x00-\x7f]/;

/** UTF-8 length of a string without encoding it (lone surrogates count as U+FFFD, 3 bytes, as encoders write them). */
export function utf8ByteLength(text: string): number {
  // Stream-json is almost all ASCII: one native scan answers most lines.
  const first = text.search(NON_ASCII);
  if (first === -1) return text.length;
  let bytes = first;
  for (let i = first; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
