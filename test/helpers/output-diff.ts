/**
 * Byte-for-byte comparison of our exports with llvm-cov's, with short, readable mismatch messages
 * (never the whole output: corpus exports are tens of megabytes).
 */

/** How many lines of lcov context to show around the first difference. */
const LCOV_CONTEXT_LINES = 3;
/** How many characters of JSON to show on each side of the first differing byte. */
const JSON_CONTEXT_CHARS = 200;
/** Longest single lcov line shown in a message. */
const MAX_LINE_CHARS = 300;

/**
 * Compares two lcov exports byte for byte.
 * @returns `undefined` when identical, else a message naming the first differing line (1-based),
 *   the `SF:` record it is in, a few lines of context and both line counts.
 */
export function compareLcov(ours: Uint8Array, expected: Uint8Array): string | undefined {
  if (Buffer.compare(ours, expected) === 0) return undefined;
  const ourLines = Buffer.from(ours).toString('utf8').split('\n');
  const expectedLines = Buffer.from(expected).toString('utf8').split('\n');
  let index = 0;
  while (
    index < ourLines.length &&
    index < expectedLines.length &&
    ourLines[index] === expectedLines[index]
  ) {
    index++;
  }
  if (index === ourLines.length && index === expectedLines.length) {
    return `lcov differs only in bytes that are not valid UTF-8, first at byte ${firstDifference(ours, expected)}`;
  }

  let record = '(before the first SF: line)';
  for (let i = Math.min(index, expectedLines.length - 1); i >= 0; i--) {
    if (expectedLines[i]?.startsWith('SF:') === true) {
      record = expectedLines[i]!;
      break;
    }
  }
  const show = (line: string | undefined) =>
    line === undefined
      ? '<end of output>'
      : line.length > MAX_LINE_CHARS
        ? `${line.slice(0, MAX_LINE_CHARS)}…`
        : line;
  const message = [
    `lcov differs from llvm-cov at line ${index + 1}, in ${show(record)}`,
    `(ours: ${ourLines.length} lines, ${ours.length} bytes; llvm-cov: ${expectedLines.length} lines, ${expected.length} bytes)`,
  ];
  for (let i = Math.max(0, index - LCOV_CONTEXT_LINES); i < index; i++) {
    message.push(`  ${show(expectedLines[i])}`);
  }
  for (let i = index; i < index + LCOV_CONTEXT_LINES && i <= expectedLines.length; i++) {
    message.push(`- llvm-cov ${i + 1}: ${show(expectedLines[i])}`);
  }
  for (let i = index; i < index + LCOV_CONTEXT_LINES && i <= ourLines.length; i++) {
    message.push(`+ ours     ${i + 1}: ${show(ourLines[i])}`);
  }
  return message.join('\n');
}

/** Our JSON split by the `cov` key rule. */
export type CovKeySplit =
  | { readonly ok: true; readonly cov: Record<string, unknown>; readonly rest: string }
  | { readonly ok: false; readonly problem: string };

/**
 * Applies the JSON rule: our JSON is llvm-cov's text with one extra top-level key `cov`, inserted
 * first and printed compactly: `{"cov":{…},"data":…}`. Removes `"cov":<JSON.stringify(cov)>,`.
 * @returns the parsed `cov` object and the remaining text, or what is wrong with our output.
 */
export function splitCovKey(ours: string): CovKeySplit {
  let parsed: unknown;
  try {
    parsed = JSON.parse(ours);
  } catch (error) {
    return {
      ok: false,
      problem: `our JSON does not parse (${(error as Error).message}); it starts with ${JSON.stringify(ours.slice(0, JSON_CONTEXT_CHARS))}`,
    };
  }
  const cov: unknown =
    typeof parsed === 'object' && parsed !== null ? (parsed as { cov?: unknown }).cov : undefined;
  if (typeof cov !== 'object' || cov === null || Array.isArray(cov)) {
    return {
      ok: false,
      problem: `our JSON has no "cov" object at the top level (got ${typeof cov})`,
    };
  }
  if (!ours.startsWith('{"cov":')) {
    return {
      ok: false,
      problem: `"cov" must be the first key, printed as {"cov":…; our JSON starts with ${JSON.stringify(ours.slice(0, 40))}`,
    };
  }
  const inserted = `"cov":${JSON.stringify(cov)},`;
  if (!ours.includes(inserted)) {
    return {
      ok: false,
      problem: `"cov" is not printed compactly as JSON.stringify prints it (looked for ${JSON.stringify(inserted.slice(0, 80))}…)`,
    };
  }
  return { ok: true, cov: cov as Record<string, unknown>, rest: ours.replace(inserted, '') };
}

/**
 * Compares our JSON (with its `cov` key) against llvm-cov's JSON text, byte for byte.
 * @returns `undefined` when identical after removing `cov`, else a message with the first
 *   differing byte offset, the JSON path there (and file or function name), and 200 characters
 *   of context on each side from both outputs.
 */
export function compareCovJson(ours: Uint8Array, expected: Uint8Array): string | undefined {
  const split = splitCovKey(Buffer.from(ours).toString('utf8'));
  if (!split.ok) return split.problem;
  const rest = Buffer.from(split.rest, 'utf8');
  if (Buffer.compare(rest, expected) === 0) return undefined;

  const expectedText = Buffer.from(expected).toString('utf8');
  const offset = firstDifference(rest, expected);
  const before = Math.min(offset, JSON_CONTEXT_CHARS);
  // Context is cut from the byte buffers so multi-byte characters cannot shift the offsets; the
  // export is one line, so it prints raw (a newline would only appear inside a broken output).
  const around = (bytes: Uint8Array) =>
    Buffer.from(bytes)
      .subarray(offset - before, offset + JSON_CONTEXT_CHARS)
      .toString('utf8')
      .replaceAll('\n', '\\n');
  const where = describeJsonPath(
    expectedText,
    Buffer.from(expected).subarray(0, offset).toString('utf8').length,
  );
  return [
    `JSON (without "cov") differs from llvm-cov at byte ${offset} (ours ${rest.length} bytes, llvm-cov ${expected.length} bytes)`,
    `at ${where}`,
    `llvm-cov: …${around(expected)}…`,
    `ours:     …${around(rest)}…`,
    `${' '.repeat(11 + before)}^`,
  ].join('\n');
}

/** Offset of the first differing byte; the shorter length when one is a prefix of the other. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return i;
  }
  return length;
}

type PathStep = { kind: 'object'; key: string | undefined } | { kind: 'array'; index: number };

/**
 * JSON path (`$.data[0].files[3].segments[12]`) of the value containing character `offset` of
 * compact JSON text, plus the file name or function name when the path is inside one.
 */
export function describeJsonPath(text: string, offset: number): string {
  const stack: PathStep[] = [];
  let i = 0;
  while (i < offset && i < text.length) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (top?.kind === 'object' && text[end + 1] === ':') {
        top.key = JSON.parse(text.slice(i, end + 1)) as string;
      }
      i = end + 1;
      continue;
    }
    if (char === '{') stack.push({ kind: 'object', key: undefined });
    else if (char === '[') stack.push({ kind: 'array', index: 0 });
    else if (char === '}' || char === ']') stack.pop();
    else if (char === ',') {
      const top = stack.at(-1);
      if (top?.kind === 'array') top.index++;
    }
    i++;
  }
  const steps = stack.map((step) =>
    step.kind === 'array' ? `[${step.index}]` : step.key === undefined ? '' : `.${step.key}`,
  );
  const jsonPath = `$${steps.join('')}`;

  const match = /^\$\.data\[(\d+)\]\.(files|functions)\[(\d+)\]/.exec(jsonPath);
  if (match === null) return jsonPath;
  try {
    const data = (
      JSON.parse(text) as { data: Array<Record<string, Array<Record<string, unknown>>>> }
    ).data[Number(match[1])];
    const entry = data?.[match[2]!]?.[Number(match[3])];
    const label = match[2] === 'files' ? entry?.['filename'] : entry?.['name'];
    return typeof label === 'string' ? `${jsonPath} (${label})` : jsonPath;
  } catch {
    return jsonPath;
  }
}
