// What preparing an email reads that cannot change within one request: the sending domain and whether
// a stream exists. A batch of 100 from one domain asks D1 for each once rather than 100 times. Kept
// for one request only (a new one per accept), so a change made between requests is seen at once.
import { type Db, findDomainByName, streamExists } from '@mailgrid/db';

export interface Lookups {
  domain(name: string): ReturnType<typeof findDomainByName>;
  streamExists(stream: string): Promise<boolean>;
}

export function requestLookups(db: Db, tenantId: string): Lookups {
  const domains = new Map<string, ReturnType<typeof findDomainByName>>();
  const streams = new Map<string, Promise<boolean>>();
  const once = <T>(cache: Map<string, T>, key: string, read: () => T): T => {
    if (!cache.has(key)) cache.set(key, read());
    return cache.get(key) as T;
  };
  return {
    domain: (name) => once(domains, name, () => findDomainByName(db, tenantId, name)),
    streamExists: (stream) => once(streams, stream, () => streamExists(db, tenantId, stream)),
  };
}
