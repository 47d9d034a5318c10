/**
 * Counter and expression evaluation for one function record (spec/formats.md §4.5 items 2–3 and
 * §5.1 step 3): zero → 0, counter #k → counts[k], expressions recursively with int64 wrap-around,
 * stored as u64.
 */

const U64 = 64;

/** Thrown (internally) when a counter or expression index is out of range. */
export class CounterOutOfRange extends Error {}

/**
 * Evaluates encoded counters of one function. Expressions are memoised; recursion depth is bounded
 * by the expression count (cycles are malformed and reported as out of range).
 */
export class CounterEvaluator {
  private readonly memo: (bigint | undefined)[];
  private readonly visiting: Uint8Array;

  constructor(
    private readonly counts: BigUint64Array,
    private readonly expressions: Uint32Array,
    private readonly expressionIsAdd: Uint8Array,
  ) {
    this.memo = new Array<bigint | undefined>(expressions.length / 2);
    this.visiting = new Uint8Array(expressions.length / 2);
  }

  /**
   * Value of an encoded counter as u64.
   * @throws CounterOutOfRange when it references a missing counter or expression (or a cycle)
   */
  evaluate(encoded: number): bigint {
    const tag = encoded & 3;
    const index = encoded >>> 2;
    if (tag === 0) return 0n;
    if (tag === 1) {
      if (index >= this.counts.length) throw new CounterOutOfRange(`counter #${index}`);
      return this.counts[index]!;
    }
    // the kind is the expression's own (set by its last reference when decoded), as LLVM evaluates
    return this.expression(index);
  }

  private expression(index: number): bigint {
    if (index * 2 >= this.expressions.length) throw new CounterOutOfRange(`expression ${index}`);
    const cached = this.memo[index];
    if (cached !== undefined) return cached;
    if (this.visiting[index] === 1) throw new CounterOutOfRange(`expression ${index} is cyclic`);
    this.visiting[index] = 1;
    const lhs = this.evaluate(this.expressions[index * 2]!);
    const rhs = this.evaluate(this.expressions[index * 2 + 1]!);
    this.visiting[index] = 0;
    const isAdd = this.expressionIsAdd[index] === 1;
    const value = BigInt.asUintN(U64, isAdd ? lhs + rhs : lhs - rhs);
    this.memo[index] = value;
    return value;
  }
}

/**
 * Highest counter id reachable from an encoded counter (0 for zero counters), following
 * expressions; llvm-cov sizes the all-zero count vector of an unprofiled function with it.
 */
export function maxCounterId(
  encoded: number,
  expressions: Uint32Array,
  seen: Uint8Array = new Uint8Array(expressions.length / 2),
): number {
  const tag = encoded & 3;
  const index = encoded >>> 2;
  if (tag === 0) return 0;
  if (tag === 1) return index;
  if (index * 2 >= expressions.length || seen[index] === 1) return 0;
  seen[index] = 1;
  const value = Math.max(
    maxCounterId(expressions[index * 2]!, expressions, seen),
    maxCounterId(expressions[index * 2 + 1]!, expressions, seen),
  );
  seen[index] = 0;
  return value;
}
