/**
 * Floors and ceilings on an evaluation's figures, so that `npm test` fails when retrieval or the
 * gate regresses: `--min overall.turn_recall_at_10=0.78,injected.hit=0.7 --max false_injection=0.03`.
 * A key is a dotted path into the result (`by_category.6.injected_hit`); a bare key is looked up
 * under `defaultRoot` (for the LoCoMo evaluation, `overall`).
 */
export interface Bound {
  key: string;
  bound: number;
  value: number;
  kind: 'min' | 'max';
}

function lookup(result: unknown, path: string): number | undefined {
  let at: unknown = result;
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null || !(part in at)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return typeof at === 'number' ? at : undefined;
}

export function bounds(result: unknown, spec: string | undefined, kind: 'min' | 'max', defaultRoot = ''): Bound[] {
  return (spec ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const [key = '', text = ''] = pair.split('=');
      const value = lookup(result, key) ?? (defaultRoot ? lookup(result, `${defaultRoot}.${key}`) : undefined);
      const bound = Number(text);
      if (value === undefined || text === '' || Number.isNaN(bound)) throw new Error(`--${kind}: unknown figure or value in "${pair}"`);
      return { key, bound, value, kind };
    });
}

/** Print each bound, and exit 1 when one is not met. */
export function enforce(all: Bound[]): void {
  const failed = all.filter((b) => (b.kind === 'min' ? b.value < b.bound : b.value > b.bound));
  for (const b of failed) console.error(`✗ ${b.key} = ${b.value} is ${b.kind === 'min' ? 'below its floor' : 'above its ceiling'} ${b.bound}`);
  if (failed.length > 0) process.exit(1);
  if (all.length > 0) console.log(`✓ ${all.map((b) => `${b.key} ${b.value} ${b.kind === 'min' ? '≥' : '≤'} ${b.bound}`).join(', ')}`);
}
