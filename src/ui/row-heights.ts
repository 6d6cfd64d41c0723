/**
 * The heights of a virtual list's rows: an estimate for every row, replaced by its measured height
 * once the row has been shown. Offsets and "which row is at y" are O(log n) (a Fenwick tree over
 * each measured row's difference from the estimate), so 100,000 rows cost nothing to scroll.
 *
 * @example
 * const heights = new RowHeights(100_000, 80);
 * heights.set(0, 120);
 * heights.offsetOf(2); // 200 (120 + 80)
 * heights.indexAt(150); // 1
 */
export class RowHeights {
  readonly count: number;
  readonly estimate: number;
  /** Each row's measured height; 0 while it has not been measured. */
  readonly #measured: Float64Array;
  /** Fenwick tree (1-based) over (measured − estimate). */
  readonly #tree: Float64Array;

  /** `previous`: keep the heights it measured for the rows both lists have (after a row is added or removed). */
  constructor(count: number, estimate: number, previous?: RowHeights) {
    this.count = Math.max(0, Math.floor(count));
    this.estimate = estimate;
    this.#measured = new Float64Array(this.count);
    this.#tree = new Float64Array(this.count + 1);
    if (previous && previous.estimate === estimate) {
      const kept = Math.min(this.count, previous.count);
      this.#measured.set(previous.#measured.subarray(0, kept));
      // Linear-time build: each node adds itself to its parent.
      for (let i = 1; i <= this.count; i++) {
        const h = this.#measured[i - 1]!;
        this.#tree[i] = this.#tree[i]! + (h > 0 ? h - estimate : 0);
        const parent = i + (i & -i);
        if (parent <= this.count) this.#tree[parent] = this.#tree[parent]! + this.#tree[i]!;
      }
    }
  }

  heightOf(index: number): number {
    const h = this.#measured[index];
    return h !== undefined && h > 0 ? h : this.estimate;
  }

  /** Record a row's measured height; returns how much it changed (0 when it did not). */
  set(index: number, height: number): number {
    if (index < 0 || index >= this.count || !(height > 0)) return 0;
    const delta = height - this.heightOf(index);
    if (Math.abs(delta) < 0.5) return 0;
    this.#measured[index] = height;
    for (let i = index + 1; i <= this.count; i += i & -i) this.#tree[i] = this.#tree[i]! + delta;
    return delta;
  }

  /** The top of row `index` (index === count: the list's full height). */
  offsetOf(index: number): number {
    const n = Math.max(0, Math.min(index, this.count));
    let sum = 0;
    for (let i = n; i > 0; i -= i & -i) sum += this.#tree[i]!;
    return n * this.estimate + sum;
  }

  get total(): number {
    return this.offsetOf(this.count);
  }

  /** The row at height `y` (clamped to the first and the last row). */
  indexAt(y: number): number {
    if (this.count === 0 || y <= 0) return 0;
    let low = 0;
    let high = this.count - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.offsetOf(mid) <= y) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}
