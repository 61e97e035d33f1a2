// What each column of an import means, and each record checked against it: a valid record becomes a
// contact to upsert, an invalid one a row error naming every problem (the first one's code as reason).
import {
  IMPORT_FIELDS,
  IMPORT_LIMITS,
  type ImportColumnMap,
  type ImportErrorReason,
} from '@mailgrid/contracts';
import type { ImportContact, ImportRowError } from '@mailgrid/db';
import * as v from 'valibot';

type Field = (typeof IMPORT_FIELDS)[number];

export type Column =
  | { kind: 'field'; field: Field }
  | { kind: 'property'; key: string; type: 'string' | 'number' }
  | { kind: 'unknown'; label: string }
  /** A column the import's column map leaves out: its cells are not read. */
  | { kind: 'ignored' };

/**
 * Contact fields match case-insensitively; any other name must be a declared property's key. With
 * a column map (Resend's `column_map`), the columns it names hold its fields and properties (names
 * matched case-insensitively), a field it leaves out is still found by its own name, and every
 * other column is ignored: the caller said which columns matter.
 */
export function mapColumns(
  columns: string[],
  properties: { key: string; type: 'string' | 'number' }[],
  columnMap: ImportColumnMap | null = null,
): Column[] {
  const byKey = new Map(properties.map((property) => [property.key, property.type]));
  if (columnMap) return mapByColumnMap(columns, byKey, columnMap);
  return columns.map((name, index) => {
    const lower = name.toLowerCase();
    if ((IMPORT_FIELDS as readonly string[]).includes(lower)) return { kind: 'field', field: lower as Field };
    const type = byKey.get(name);
    if (type) return { kind: 'property', key: name, type };
    return { kind: 'unknown', label: name === '' ? `(column ${index + 1}, unnamed)` : name };
  });
}

function mapByColumnMap(
  columns: string[],
  byKey: Map<string, 'string' | 'number'>,
  columnMap: ImportColumnMap,
): Column[] {
  const fieldOf = new Map<string, Field>();
  for (const field of IMPORT_FIELDS) {
    const column = columnMap[field];
    if (column !== undefined) fieldOf.set(column.toLowerCase(), field);
  }
  const propertyOf = new Map(
    Object.entries(columnMap.properties ?? {}).map(([key, { column }]) => [column.toLowerCase(), key]),
  );
  return columns.map((name): Column => {
    const lower = name.toLowerCase();
    const field = fieldOf.get(lower);
    if (field) return { kind: 'field', field };
    const key = propertyOf.get(lower);
    if (key !== undefined) {
      const type = byKey.get(key);
      // Checked when the import was accepted; a property deleted since fails its rows.
      return type ? { kind: 'property', key, type } : { kind: 'unknown', label: name };
    }
    const own = IMPORT_FIELDS.find((f) => f === lower);
    if (own && columnMap[own] === undefined) return { kind: 'field', field: own };
    return { kind: 'ignored' };
  });
}

export function unknownColumns(columns: Column[]): string[] {
  return columns.flatMap((column) => (column.kind === 'unknown' ? [column.label] : []));
}

interface Problem {
  reason: ImportErrorReason;
  message: string;
}

export function checkRow(
  cells: string[],
  columns: Column[],
  row: number,
  duplicateOf: number | undefined,
  parseErrors: string[],
): { contact: ImportContact } | { error: ImportRowError } {
  const emailIndex = columns.findIndex((column) => column.kind === 'field' && column.field === 'email');
  const given = cells[emailIndex]?.trim() ?? '';
  const emailCell = given === '' ? null : given;
  const problems: Problem[] = [];
  if (parseErrors.length > 0 || cells.length !== columns.length) {
    problems.push({
      reason: 'malformed_row',
      message:
        parseErrors[0] ??
        `the row has ${cells.length} field${cells.length === 1 ? '' : 's'}; the header has ${columns.length}`,
    });
    return { error: { row, email: emailCell, ...first(problems) } };
  }

  const email = given.toLowerCase();
  if (email === '') problems.push({ reason: 'invalid_email', message: 'email is empty' });
  else if (!isEmailAddress(email)) {
    problems.push({ reason: 'invalid_email', message: `"${given}" is not an email address` });
  } else if (duplicateOf !== undefined) {
    problems.push({ reason: 'duplicate_email', message: `the same address as row ${duplicateOf}` });
  }

  const contact: ImportContact = {
    id: crypto.randomUUID(),
    email,
    first_name: null,
    last_name: null,
    unsubscribed: null,
    properties: {},
  };
  const unknown: string[] = [];
  for (const [index, column] of columns.entries()) {
    const value = (cells[index] ?? '').trim();
    if (value === '' || column.kind === 'ignored') continue;
    if (column.kind === 'unknown') {
      unknown.push(column.label);
    } else if (column.kind === 'property') {
      if (column.type === 'number') {
        if (!NUMBER.test(value)) {
          problems.push({
            reason: 'invalid_property_type',
            message: `property ${column.key} is a number; "${value}" is not`,
          });
        } else contact.properties[column.key] = Number(value);
      } else if (value.length > IMPORT_LIMITS.value_length) {
        problems.push({
          reason: 'invalid_value',
          message: `property ${column.key} is longer than ${IMPORT_LIMITS.value_length} characters`,
        });
      } else contact.properties[column.key] = value;
    } else if (column.field === 'unsubscribed') {
      const flag = FLAGS[value.toLowerCase()];
      if (flag === undefined) {
        problems.push({
          reason: 'invalid_value',
          message: `unsubscribed must be true or false (or yes/no, 1/0); got "${value}"`,
        });
      } else contact.unsubscribed = flag;
    } else if (column.field === 'first_name' || column.field === 'last_name') {
      if (value.length > IMPORT_LIMITS.name_length) {
        problems.push({
          reason: 'invalid_value',
          message: `${column.field} is longer than ${IMPORT_LIMITS.name_length} characters`,
        });
      } else contact[column.field] = value;
    }
  }
  if (unknown.length > 0) {
    problems.push({
      reason: 'unknown_property',
      message: `${unknown.length === 1 ? 'column' : 'columns'} ${unknown.map((label) => `"${label}"`).join(', ')} ${unknown.length === 1 ? 'names' : 'name'} no contact property; declare it or empty the cells`,
    });
  }
  // Reasons in a fixed order, so the same row always reports the same first reason.
  problems.sort((a, b) => ORDER.indexOf(a.reason) - ORDER.indexOf(b.reason));
  if (problems.length > 0) return { error: { row, email: emailCell, ...first(problems) } };
  return { contact };
}

const ORDER: ImportErrorReason[] = [
  'malformed_row',
  'invalid_email',
  'duplicate_email',
  'unknown_property',
  'invalid_property_type',
  'invalid_value',
];

function first(problems: Problem[]): Problem {
  return {
    reason: (problems[0] as Problem).reason,
    message: problems.map((problem) => problem.message).join('; '),
  };
}

const FLAGS: Record<string, 0 | 1> = { true: 1, false: 0, yes: 1, no: 0, '1': 1, '0': 0 };
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The same test as the Contacts API's (valibot's `email`), so every imported contact is addressable there. */
const EMAIL = v.pipe(v.string(), v.maxLength(IMPORT_LIMITS.email_length), v.email());

export function isEmailAddress(email: string): boolean {
  return v.is(EMAIL, email);
}
