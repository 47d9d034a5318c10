/**
 * Readable names for Rust symbols in the HTML report: Rust v0 (`_R…`) and legacy (`_ZN…E`) mangling
 * decoded to paths such as `<generics::Stack<i32>>::push` or `generics::largest::<char>`. Crate
 * disambiguators are left out. Anything this decoder does not understand is shown as mangled.
 * @see https://doc.rust-lang.org/rustc/symbol-mangling/v0.html (v0 grammar, rustc 1.95)
 */

/** Options of {@link demangleSymbol}. */
export interface DemangleOptions {
  /** Keep the `::h0123…` hash of legacy symbols (default true). */
  readonly withHash?: boolean;
  /** Keep generic arguments (default true); false drops a final `::<…>` and shortens others. */
  readonly withGenericArgs?: boolean;
}

const BASIC_TYPES: Record<string, string> = {
  a: 'i8',
  b: 'bool',
  c: 'char',
  d: 'f64',
  e: 'str',
  f: 'f32',
  h: 'u8',
  i: 'isize',
  j: 'usize',
  l: 'i32',
  m: 'u32',
  n: 'i128',
  o: 'u128',
  s: 'i16',
  t: 'u16',
  u: '()',
  v: '...',
  x: 'i64',
  y: 'u64',
  z: '!',
  p: '_',
};

class Unsupported extends Error {}

/** Cursor over a v0 symbol (after `_R`); backrefs are offsets from that start. */
class V0Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly input: string) {}

  private peek(): string {
    return this.input[this.pos] ?? '';
  }
  private next(): string {
    const c = this.input[this.pos];
    if (c === undefined) throw new Unsupported('end of symbol');
    this.pos++;
    return c;
  }
  private eat(c: string): boolean {
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }
  private base62(): number {
    if (this.eat('_')) return 0;
    let value = 0;
    for (;;) {
      const c = this.next();
      if (c === '_') return value + 1;
      const digit = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.indexOf(c);
      if (digit < 0) throw new Unsupported('base-62 digit');
      value = value * 62 + digit;
    }
  }
  private decimal(): number {
    const start = this.pos;
    if (this.eat('0')) return 0;
    while (/[0-9]/.test(this.peek())) this.pos++;
    if (start === this.pos) throw new Unsupported('decimal');
    return Number(this.input.slice(start, this.pos));
  }
  private disambiguator(): number {
    return this.eat('s') ? this.base62() + 1 : 0;
  }
  private identifier(): string {
    if (this.eat('u')) throw new Unsupported('punycode identifier');
    const length = this.decimal();
    this.eat('_');
    const text = this.input.slice(this.pos, this.pos + length);
    if (text.length !== length) throw new Unsupported('identifier length');
    this.pos += length;
    return text;
  }
  private backref<T>(parse: () => T): T {
    const target = this.base62();
    if (target >= this.pos) throw new Unsupported('forward backref');
    const saved = this.pos;
    this.pos = target;
    try {
      return parse();
    } finally {
      this.pos = saved;
    }
  }
  private guard<T>(parse: () => T): T {
    if (++this.depth > 200) throw new Unsupported('too deep');
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  /** `<path>`; `inValue` prints generic args as `::<…>`. */
  path(inValue = true): string {
    return this.guard(() => {
      const tag = this.next();
      switch (tag) {
        case 'C':
          this.disambiguator();
          return this.identifier();
        case 'M': {
          this.disambiguator();
          this.path(false);
          return `<${this.type()}>`;
        }
        case 'X': {
          this.disambiguator();
          this.path(false);
          const self = this.type();
          return `<${self} as ${this.path(false)}>`;
        }
        case 'Y': {
          const self = this.type();
          return `<${self} as ${this.path(false)}>`;
        }
        case 'N': {
          const namespace = this.next();
          const parent = this.path(inValue);
          const disambiguator = this.disambiguator();
          const name = this.identifier();
          if (namespace === 'C')
            return `${parent}::{closure${name ? `:${name}` : ''}#${disambiguator}}`;
          if (namespace === 'S') return `${parent}::{shim:${name}#${disambiguator}}`;
          if (/[A-Z]/.test(namespace)) return `${parent}::{${namespace}${name}#${disambiguator}}`;
          return `${parent}::${name}`;
        }
        case 'I': {
          const base = this.path(inValue);
          const args: string[] = [];
          while (!this.eat('E')) args.push(this.genericArg());
          return `${base}${inValue ? '::' : ''}<${args.join(', ')}>`;
        }
        case 'B':
          return this.backref(() => this.path(inValue));
        default:
          throw new Unsupported(`path tag ${tag}`);
      }
    });
  }
  private genericArg(): string {
    if (this.eat('L')) {
      this.base62();
      return "'_";
    }
    if (this.eat('K')) return this.constant();
    return this.type();
  }
  private constant(): string {
    if (this.eat('p')) return '_';
    if (this.eat('B')) return this.backref(() => this.constant());
    const type = this.next();
    const negative = this.eat('n');
    const start = this.pos;
    while (this.peek() !== '_') this.next();
    const hex = this.input.slice(start, this.pos);
    this.next();
    if (type === 'b') return hex === '1' ? 'true' : 'false';
    if (type === 'c') return `'${String.fromCodePoint(Number.parseInt(hex || '0', 16))}'`;
    if (!(type in BASIC_TYPES)) throw new Unsupported('const type');
    return `${negative ? '-' : ''}${BigInt(`0x${hex || '0'}`)}`;
  }
  private binder(): void {
    if (this.eat('G')) this.base62();
  }
  type(): string {
    return this.guard(() => {
      const tag = this.peek();
      const basic = BASIC_TYPES[tag];
      if (basic !== undefined) {
        this.pos++;
        return basic;
      }
      this.pos++;
      switch (tag) {
        case 'A': {
          const element = this.type();
          return `[${element}; ${this.constant()}]`;
        }
        case 'S':
          return `[${this.type()}]`;
        case 'R':
        case 'Q': {
          if (this.eat('L')) this.base62();
          return `&${tag === 'Q' ? 'mut ' : ''}${this.type()}`;
        }
        case 'P':
          return `*const ${this.type()}`;
        case 'O':
          return `*mut ${this.type()}`;
        case 'F': {
          this.binder();
          const unsafe = this.eat('U');
          let abi = '';
          if (this.eat('K')) abi = this.eat('C') ? 'extern "C" ' : `extern "${this.identifier()}" `;
          const params: string[] = [];
          while (!this.eat('E')) params.push(this.type());
          const result = this.type();
          return `${unsafe ? 'unsafe ' : ''}${abi}fn(${params.join(', ')})${result === '()' ? '' : ` -> ${result}`}`;
        }
        case 'D': {
          this.binder();
          const traits: string[] = [];
          while (!this.eat('E')) {
            let trait = this.path(false);
            const bindings: string[] = [];
            while (this.eat('p')) {
              const name = this.identifier();
              bindings.push(`${name} = ${this.type()}`);
            }
            if (bindings.length > 0) {
              trait = trait.endsWith('>')
                ? `${trait.slice(0, -1)}, ${bindings.join(', ')}>`
                : `${trait}<${bindings.join(', ')}>`;
            }
            traits.push(trait);
          }
          if (this.eat('L')) this.base62();
          return `dyn ${traits.join(' + ')}`;
        }
        case 'T': {
          const items: string[] = [];
          while (!this.eat('E')) items.push(this.type());
          return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
        }
        case 'B':
          return this.backref(() => this.type());
        default:
          this.pos--;
          return this.path(false);
      }
    });
  }
}

const LEGACY_ESCAPES: Record<string, string> = {
  $SP$: '@',
  $BP$: '*',
  $RF$: '&',
  $LT$: '<',
  $GT$: '>',
  $LP$: '(',
  $RP$: ')',
  $C$: ',',
};

function demangleLegacy(symbol: string, withHash: boolean): string {
  let pos = 3;
  const parts: string[] = [];
  while (symbol[pos] !== 'E') {
    const match = /^[0-9]+/.exec(symbol.slice(pos));
    if (match === null) throw new Unsupported('legacy length');
    pos += match[0].length;
    const length = Number(match[0]);
    const raw = symbol.slice(pos, pos + length);
    if (raw.length !== length) throw new Unsupported('legacy identifier');
    pos += length;
    parts.push(
      raw
        .replace(/\$(SP|BP|RF|LT|GT|LP|RP|C)\$/g, (m) => LEGACY_ESCAPES[m] ?? m)
        .replace(/\$u([0-9a-f]+)\$/g, (_, hex: string) =>
          String.fromCodePoint(Number.parseInt(hex, 16)),
        )
        .replace(/\.\./g, '::')
        .replace(/^_\$/, '$'),
    );
  }
  const last = parts[parts.length - 1];
  if (!withHash && last !== undefined && /^h[0-9a-f]{16}$/.test(last)) parts.pop();
  return parts.join('::');
}

/** Drops a final `::<…>` and shortens every other generic argument list to `<…>`. */
function elideGenericArgs(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    const isArgs = c === '<' && i > 0 && /[A-Za-z0-9_]/.test(name[i - 1]!);
    const isTurbofish = c === '<' && name.slice(i - 2, i) === '::';
    if (!isArgs && !isTurbofish) {
      out += c;
      continue;
    }
    let depth = 0;
    let j = i;
    for (; j < name.length; j++) {
      if (name[j] === '<') depth++;
      else if (name[j] === '>' && --depth === 0) break;
    }
    if (isTurbofish) out = out.slice(0, -2);
    else out += '<…>';
    i = j;
  }
  return out;
}

/** Readable names by `withHash` then symbol (null: not readable), and the same shortened. */
const readable = [new Map<string, string | null>(), new Map<string, string | null>()];
const shortened = [new Map<string, string>(), new Map<string, string>()];
/** Entries kept at most in each of these maps (then it starts over). */
const MAX_DEMANGLED = 100_000;

function remember<V>(cache: Map<string, V>, symbol: string, value: V): V {
  if (cache.size >= MAX_DEMANGLED) cache.clear();
  cache.set(symbol, value);
  return value;
}

/**
 * The readable form of `symbol` with its hash (as {@link demangleSymbol} gives it), or null when
 * this decoder cannot read it.
 */
export function readSymbol(symbol: string, withHash = true): string | null {
  // the hash option only changes legacy names: v0 names share one entry
  const index = !withHash && !symbol.startsWith('_R') ? 0 : 1;
  let name = readable[index]!.get(symbol);
  if (name === undefined) {
    name = remember(readable[index]!, symbol, demangleUncached(symbol, index === 1) ?? null);
  }
  return name;
}

/** Takes `name` as {@link readSymbol}'s answer for `symbol` (e.g. worked out on another thread). */
export function rememberDemangled(symbol: string, name: string | null): void {
  remember(readable[1]!, symbol, name);
}

/**
 * Readable form of a Rust symbol (v0 or legacy); any other name, or one this decoder cannot
 * read, is returned unchanged.
 */
export function demangleSymbol(symbol: string, options: DemangleOptions = {}): string {
  const withHash = options.withHash === false && !symbol.startsWith('_R') ? 0 : 1;
  const name = readSymbol(symbol, withHash === 1);
  if (name === null) return symbol;
  if (options.withGenericArgs !== false) return name;
  return (
    shortened[withHash]!.get(symbol) ??
    remember(shortened[withHash]!, symbol, elideGenericArgs(name))
  );
}

/** The readable name, or undefined for a name this decoder cannot read. */
function demangleUncached(symbol: string, withHash: boolean): string | undefined {
  try {
    if (symbol.startsWith('_R')) {
      let body = symbol.slice(2);
      if (/^[0-9]/.test(body)) throw new Unsupported('versioned v0 symbol');
      body = body.replace(/\.llvm\.[0-9]+$/, '');
      return new V0Parser(body).path();
    }
    if (symbol.startsWith('_ZN')) return demangleLegacy(symbol, withHash);
    return undefined;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}
