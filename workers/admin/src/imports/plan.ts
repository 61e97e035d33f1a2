// The one pass over an uploaded CSV before it is accepted: checks it is UTF-8 text with a header row
// naming an `email` column and at least one record, counts the records, finds repeated addresses
// (a later copy of an address is a row error, whichever chunk it lands in), and cuts the file into
// chunks of whole records, each a byte range the queue consumer reads back from R2 on its own.
import { AppError } from '@mailgrid/contracts';
import Papa from 'papaparse';

export interface ChunkPlan {
  start: number;
  end: number;
  first_row: number;
  rows: number;
  duplicates: [number, number][];
}

export interface ImportPlan {
  delimiter: string;
  /** The header row, each name trimmed. */
  columns: string[];
  total_rows: number;
  chunks: ChunkPlan[];
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** `emailColumn`: the header column holding the address (`column_map.email`, else "email"; any case). */
export function planImport(bytes: Uint8Array, chunkRows: number, emailColumn = 'email'): ImportPlan {
  const emailName = emailColumn.toLowerCase();
  const bom = UTF8_BOM.every((byte, index) => bytes[index] === byte) ? UTF8_BOM.length : 0;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(bom));
  } catch {
    throw notCsv('it is not UTF-8 text');
  }
  if (text.trim() === '') {
    throw new AppError(
      'validation_error',
      'The CSV is empty: send a header row naming an "email" column, then one row per contact.',
    );
  }
  if (text.includes('\u0000')) throw notCsv('it holds binary data');

  let columns: string[] | null = null;
  let emailIndex = -1;
  let delimiter = ',';
  let headerError: AppError | null = null;
  const firstRowOf = new Map<string, number>();
  const chunks: ChunkPlan[] = [];
  let current: ChunkPlan | null = null;
  let row = 1;
  // Character positions from the parser, turned into byte offsets as the chunks close.
  let charPos = 0;
  let bytePos = bom;

  const advanceTo = (cursor: number) => {
    bytePos += utf8Length(text, charPos, cursor);
    charPos = cursor;
  };

  Papa.parse<string[]>(text, {
    delimitersToGuess: [',', ';', '\t'],
    skipEmptyLines: 'greedy',
    step: (result, parser) => {
      if (columns === null) {
        delimiter = result.meta.delimiter;
        columns = result.data.map((name) => name.trim());
        headerError = headerProblem(columns, emailColumn);
        if (headerError) return parser.abort();
        emailIndex = columns.findIndex((name) => name.toLowerCase() === emailName);
        advanceTo(result.meta.cursor);
        return;
      }
      row++;
      if (current === null) {
        current = { start: bytePos, end: bytePos, first_row: row, rows: 0, duplicates: [] };
        chunks.push(current);
      }
      current.rows++;
      const email = (result.data[emailIndex] ?? '').trim().toLowerCase();
      if (email !== '') {
        const first = firstRowOf.get(email);
        if (first === undefined) firstRowOf.set(email, row);
        else current.duplicates.push([row, first]);
      }
      if (current.rows === chunkRows) {
        advanceTo(result.meta.cursor);
        current.end = bytePos;
        current = null;
      }
    },
  });
  if (headerError) throw headerError;
  if (current !== null) (current as ChunkPlan).end = bytes.byteLength;
  const total = row - 1;
  if (total === 0) {
    throw new AppError(
      'validation_error',
      'The CSV has a header row but no contacts: add one row per contact below it.',
    );
  }
  return { delimiter, columns: columns ?? [], total_rows: total, chunks };
}

function headerProblem(columns: string[], email: string): AppError | null {
  const lower = columns.map((name) => name.toLowerCase());
  if (!lower.includes(email.toLowerCase())) {
    return new AppError(
      'validation_error',
      `The CSV's header row must name an ${JSON.stringify(email)} column${email === 'email' ? '' : ' (column_map.email)'} (it names: ${columns.map((name) => JSON.stringify(name)).join(', ')}). The first row holds the column names.`,
    );
  }
  const seen = new Set<string>();
  for (const [index, name] of columns.entries()) {
    const key = ['email', 'first_name', 'last_name', 'unsubscribed'].includes(lower[index] as string)
      ? (lower[index] as string)
      : name;
    if (name !== '' && seen.has(key)) {
      return new AppError('validation_error', `The CSV's header row names the column "${name}" twice.`);
    }
    seen.add(key);
  }
  return null;
}

function notCsv(why: string): AppError {
  return new AppError(
    'validation_error',
    `The body is not a CSV file: ${why}. Send UTF-8 CSV text with "Content-Type: text/csv".`,
  );
}

/** Bytes that text[from, to) takes in UTF-8, without encoding it. */
function utf8Length(text: string, from: number, to: number): number {
  let length = 0;
  for (let index = from; index < to; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      // A surrogate pair: one 4-byte character.
      length += 4;
      index++;
    } else length += 3;
  }
  return length;
}
