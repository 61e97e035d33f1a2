// The local inbox, every header shown: aws-ses-v2-local's own page parses messages and leaves out
// headers it does not know (List-Unsubscribe, custom ones), so the stand-ins keep the exact bytes
// the workers gave SES and list them at /inbox, each at /inbox/<SES message id> as plain text.
// The newest RECENT messages are kept, in memory.
const RECENT = 500;

interface Kept {
  messageId: string;
  at: string;
  from: string;
  to: string[];
  subject: string;
  raw: string;
}

export interface Inbox {
  keep(message: Kept): void;
  /** The page for a path under /inbox, or null when there is none. */
  page(path: string): { status: number; type: string; body: string } | null;
}

export function createInbox(): Inbox {
  const kept: Kept[] = [];
  const html = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
  return {
    keep(message) {
      kept.push(message);
      if (kept.length > RECENT) kept.shift();
    },
    page(path) {
      if (path === '/inbox' || path === '/inbox/') {
        const rows = [...kept]
          .reverse()
          .map(
            (message) =>
              `<tr><td>${html(message.at)}</td><td>${html(message.from)}</td><td>${html(message.to.join(', '))}</td><td><a href="/inbox/${encodeURIComponent(message.messageId)}">${html(message.subject || '(no subject)')}</a></td></tr>`,
          )
          .join('\n');
        return {
          status: 200,
          type: 'text/html; charset=utf-8',
          body: `<!doctype html><meta charset="utf-8"><title>Local SES inbox (raw)</title>
<style>body{font:14px system-ui;margin:2em}td{padding:.2em .8em;border-bottom:1px solid #ddd}</style>
<h1>Local SES inbox</h1><p>The newest ${RECENT} messages exactly as the workers gave them to SES: open one for every header.</p>
<table><tr><th>sent</th><th>from</th><th>to</th><th>subject</th></tr>
${rows}
</table>`,
        };
      }
      const id = decodeURIComponent(path.slice('/inbox/'.length));
      const message = kept.find((candidate) => candidate.messageId === id);
      return message
        ? { status: 200, type: 'text/plain; charset=utf-8', body: message.raw }
        : path.startsWith('/inbox/')
          ? {
              status: 404,
              type: 'text/plain',
              body: `No message ${id} (only the newest ${RECENT} are kept).`,
            }
          : null;
    },
  };
}
