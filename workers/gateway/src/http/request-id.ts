// Every response carries `x-request-id`. A caller's own id is kept when it is safe to echo and log
// (so traces join up across systems); otherwise Mailgrid makes one.
const ACCEPTABLE = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

export function resolveRequestId(incoming: string | null): string {
  return incoming && ACCEPTABLE.test(incoming) ? incoming : crypto.randomUUID();
}
