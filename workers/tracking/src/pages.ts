// Small answers shared by the routes: the page for a link that does not verify.

/**
 * Any token that fails verification (tampered, truncated, unknown key, expired, wrong kind): a plain
 * 404 page, never a redirect and never a hint of which check failed.
 */
export function invalidLink(method: string): Response {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Link not valid</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
<h1>This link is not valid</h1>
<p>It may have been copied incompletely, or it has expired.</p>
</body></html>
`;
  return new Response(method === 'HEAD' ? null : body, {
    status: 404,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-robots-tag': 'noindex',
    },
  });
}

export function methodNotAllowed(allow: string): Response {
  return new Response('Method not allowed', {
    status: 405,
    headers: { allow, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}
