// A child's stdout cut into lines, bounded: bytes are decoded with a StringDecoder (a character split
// across two chunks stays whole), and a line longer than the cap is dropped as it streams in (its
// start is not kept growing), counted, and reported once it ends. A helper that never sends a newline
// cannot grow the engine's memory past the cap.
import { StringDecoder } from 'node:string_decoder';

export interface LineSplitter {
  /** Feeds a chunk of the stream. */
  push(chunk: Buffer): void;
  /** Lines dropped for being longer than the cap. */
  readonly overlong: number;
}

export function createLineSplitter(maxLineChars: number, onLine: (line: string) => void, onOverlong: (startOfLine: string) => void = () => undefined): LineSplitter {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  // Inside a line that already went past the cap: its bytes are skipped until the next newline.
  let skipping = false;
  let overlong = 0;
  return {
    push(chunk) {
      let text = decoder.write(chunk);
      while (text !== '') {
        const nl = text.indexOf('\n');
        if (skipping) {
          if (nl === -1) return;
          skipping = false;
          text = text.slice(nl + 1);
          continue;
        }
        if (nl === -1) {
          rest += text;
          if (rest.length > maxLineChars) {
            overlong += 1;
            onOverlong(rest.slice(0, 200));
            rest = '';
            skipping = true;
          }
          return;
        }
        const line = rest + text.slice(0, nl);
        rest = '';
        text = text.slice(nl + 1);
        if (line.length > maxLineChars) {
          overlong += 1;
          onOverlong(line.slice(0, 200));
        } else {
          onLine(line);
        }
      }
    },
    get overlong() {
      return overlong;
    },
  };
}
