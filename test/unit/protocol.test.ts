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
    // The map is declared in parts (protocol.ts, and the data and lock maps it extends), each
    // handled by its own registration file.
    const parts: [string, string, string][] = [
      ['src/messaging/protocol.ts', 'ProtocolMap', 'src/background/register-handlers.ts'],
      ['src/messaging/data-protocol.ts', 'DataProtocolMap', 'src/background/data/register-data-handlers.ts'],
      ['src/messaging/lock-protocol.ts', 'LockProtocolMap', 'src/background/lock/register-lock-handlers.ts'],
    ];
    const declared: string[] = [];
    const handled: string[] = [];
    for (const [protocolFile, name, handlersFile] of parts) {
      const protocol = readFileSync(path.join(ROOT, protocolFile), 'utf8');
      const block = new RegExp(`interface ${name}(?: extends [\\w, ]+)? \\{([\\s\\S]*?)\\n\\}`).exec(protocol)?.[1] ?? '';
      const own = [...block.matchAll(/^\s+(\w+)\(/gm)].map((m) => m[1]!);
      expect(own.length, `${name} declares messages`).toBeGreaterThan(0);
      declared.push(...own);
      handled.push(...[...readFileSync(path.join(ROOT, handlersFile), 'utf8').matchAll(/\bon\('(\w+)'/g)].map((m) => m[1]!));
    }
    expect(handled.sort()).toEqual(declared.sort());
  });
});
