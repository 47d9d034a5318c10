/**
 * Checked access to the MessagePack maps inside database records: a record whose CRC is right but
 * whose shape is not (a bug, or a newer writer) fails with a message naming the field.
 */
import type { Diagnostic } from '../binary/index.js';

/** A record's content does not have the expected shape. */
export class RecordShapeError extends Error {}

/** A decoded MessagePack map. */
export type Fields = Record<string, unknown>;

/** @throws RecordShapeError unless `value` is a map */
export function asFields(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RecordShapeError(`${what} is not a map`);
  }
  return value as Fields;
}

/** @throws RecordShapeError unless the field is a string */
export function stringField(fields: Fields, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string') throw new RecordShapeError(`field ${name} is not a string`);
  return value;
}

/** The field as a string, or undefined when absent. @throws RecordShapeError for another type */
export function optionalString(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new RecordShapeError(`field ${name} is not a string`);
  return value;
}

/** @throws RecordShapeError unless the field is an integer */
export function intField(fields: Fields, name: string): number {
  const value = fields[name];
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new RecordShapeError(`field ${name} is not an integer`);
  }
  return value;
}

/** @throws RecordShapeError unless the field is a byte string */
export function bytesField(fields: Fields, name: string): Uint8Array {
  const value = fields[name];
  if (!(value instanceof Uint8Array)) throw new RecordShapeError(`field ${name} is not binary`);
  return value;
}

/** @throws RecordShapeError unless the field is an array of strings */
export function stringsField(fields: Fields, name: string): string[] {
  const value = fields[name];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new RecordShapeError(`field ${name} is not a list of strings`);
  }
  return value as string[];
}

/** Diagnostics as stored (plain maps). */
export function encodeDiagnostics(warnings: readonly Diagnostic[]): Fields[] {
  return warnings.map((w) => ({
    severity: w.severity,
    code: w.code,
    message: w.message,
    ...(w.source === undefined ? {} : { source: w.source }),
    ...(w.byteOffset === undefined ? {} : { byteOffset: w.byteOffset }),
  }));
}

/** @throws RecordShapeError when the field is not a list of diagnostics */
export function diagnosticsField(fields: Fields, name: string): Diagnostic[] {
  const value = fields[name] ?? [];
  if (!Array.isArray(value)) throw new RecordShapeError(`field ${name} is not a list`);
  return value.map((item, i) => {
    const d = asFields(item, `${name}[${i}]`);
    const severity = stringField(d, 'severity');
    const source = optionalString(d, 'source');
    const byteOffset = d['byteOffset'];
    return {
      severity: severity === 'note' ? 'note' : 'warning',
      code: stringField(d, 'code'),
      message: stringField(d, 'message'),
      ...(source === undefined ? {} : { source }),
      ...(typeof byteOffset === 'number' ? { byteOffset } : {}),
    };
  });
}
