// Scans the keystamp module's wasm memory, for the tests that check what secrets leave behind.

/** How many times the UTF-8 bytes of `text` occur in the wasm memory of `keystamp` (the imported
 * module, through its internal `__memory` export). */
export function occurrences(keystamp, text) {
  const bytes = new Uint8Array(keystamp.__memory().buffer);
  const pattern = Buffer.from(text, 'utf8');
  let count = 0;
  for (let i = bytes.indexOf(pattern[0]); i !== -1; i = bytes.indexOf(pattern[0], i + 1)) {
    if (Buffer.from(bytes.buffer, i, Math.min(pattern.length, bytes.length - i)).equals(pattern)) count++;
  }
  return count;
}
