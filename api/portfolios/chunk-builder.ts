import { INVALID_ROW, type RowChunk } from '../../shared/portfolio-chunk.js';
import type { CheckedRow } from './row-validator.js';

/** First size of the ids' byte buffer; it doubles as needed and is kept for the next chunks. */
const ID_BYTES_START = 64 * 1024;

/**
 * The rows of the chunk being filled, in typed arrays and one byte buffer that serve every chunk
 * of the upload in turn, so taking a file in allocates per row only what dies at once. A row's
 * code goes to the chunk it is in; the first chunk a code appears in also owns it (`seen` holds
 * every valid code of the portfolio so far: at most the 3,600 the model tells apart).
 */
export class ChunkBuilder {
  private readonly codes: Uint32Array;
  private readonly lines: Uint32Array;
  private readonly idEnds: Uint32Array;
  private idBytes = Buffer.allocUnsafe(ID_BYTES_START);
  private idLength = 0;
  private hasIds = false;
  private owned: number[] = [];
  private problems: RowChunk['problems'] = [];
  private readonly seen = new Set<number>();
  size = 0;

  constructor(private readonly capacity: number) {
    this.codes = new Uint32Array(capacity);
    this.lines = new Uint32Array(capacity);
    this.idEnds = new Uint32Array(capacity);
  }

  get full(): boolean {
    return this.size === this.capacity;
  }

  add(row: CheckedRow): void {
    const at = this.size;
    this.lines[at] = row.line;
    if (row.id !== null) this.putId(row.id);
    this.idEnds[at] = this.idLength;
    if ('code' in row) {
      this.codes[at] = row.code;
      if (!this.seen.has(row.code)) {
        this.seen.add(row.code);
        this.owned.push(row.code);
      }
    } else {
      this.codes[at] = INVALID_ROW;
      this.problems.push([at, row.problems]);
    }
    this.size += 1;
  }

  /**
   * The chunk's rows and starts the next chunk. The arrays returned are views of the builder's
   * own, which the next `add` overwrites: seal them first (ChunkSeal.sealRows copies them).
   */
  take(): RowChunk {
    const size = this.size;
    const chunk: RowChunk = {
      codes: this.codes.subarray(0, size),
      lines: this.lines.subarray(0, size),
      owned: Uint32Array.from(this.owned),
      ids: this.hasIds ? { bytes: this.idBytes.subarray(0, this.idLength), ends: this.idEnds.subarray(0, size) } : null,
      problems: this.problems,
    };
    this.size = 0;
    this.idLength = 0;
    this.hasIds = false;
    this.owned = [];
    this.problems = [];
    return chunk;
  }

  private putId(id: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    const room = id.length * 3;
    if (this.idLength + room > this.idBytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.idBytes.length * 2, this.idLength + room));
      this.idBytes.copy(grown, 0, 0, this.idLength);
      this.idBytes = grown;
    }
    this.idLength += this.idBytes.write(id, this.idLength, 'utf8');
    this.hasIds = true;
  }
}
