/**
 * Type tests for the message protocol: every message is declared once, and a sender that gets a
 * payload or a reply wrong does not compile. (`expectTypeOf` checks run under `tsc`, which
 * `npm test` runs over test/ too; the runtime part checks the handlers the background registers.)
 */
import { describe, expectTypeOf, it, expect } from 'vitest';
import type { GetDataType, GetReturnType } from '@webext-core/messaging';
import type { CapturedTurn, ProtocolMap, RecallResult } from '../../src/messaging/protocol';
import type { MemoryView } from '../../src/core/types';
import { readFileSync } from 'node:fs';
import { ROOT } from '../support/model';
import path from 'node:path';

describe('ProtocolMap', () => {
  it('types each payload and reply', () => {
    expectTypeOf<GetDataType<ProtocolMap['captureTurn']>>().toEqualTypeOf<CapturedTurn>();
    expectTypeOf<GetReturnType<ProtocolMap['captureTurn']>>().toEqualTypeOf<{ queued: boolean }>();
    expectTypeOf<GetDataType<ProtocolMap['recall']>>().toHaveProperty('query').toBeString();
    expectTypeOf<GetReturnType<ProtocolMap['recall']>>().toEqualTypeOf<RecallResult>();
    expectTypeOf<GetDataType<ProtocolMap['deleteMemory']>>().toBeString();
    expectTypeOf<GetReturnType<ProtocolMap['listMemories']>>().toEqualTypeOf<MemoryView[]>();
    expectTypeOf<GetDataType<ProtocolMap['listMemories']>>().toBeUndefined();
    // @ts-expect-error a recall request needs a query
    expectTypeOf<GetDataType<ProtocolMap['recall']>>().toEqualTypeOf<{ site: 'chatgpt' }>();
  });

  it('has exactly one background handler for every message', () => {
    const protocol = readFileSync(path.join(ROOT, 'src/messaging/protocol.ts'), 'utf8');
    const handlers = readFileSync(path.join(ROOT, 'src/background/register-handlers.ts'), 'utf8');
    const block = /interface ProtocolMap \{([\s\S]*?)\n\}/.exec(protocol)?.[1] ?? '';
    const declared = [...block.matchAll(/^\s+(\w+)\(/gm)].map((m) => m[1]).sort();
    const handled = [...handlers.matchAll(/\bon\('(\w+)'/g)].map((m) => m[1]).sort();
    expect(declared.length).toBeGreaterThan(0);
    expect(handled).toEqual(declared);
  });
});
