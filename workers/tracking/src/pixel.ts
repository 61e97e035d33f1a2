// The open pixel: a 1x1 transparent GIF (43 bytes, the smallest every mail client renders).
export const PIXEL_GIF = Uint8Array.from(
  atob('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=='),
  (char) => char.charCodeAt(0),
);

/** Never cached anywhere: each render of the email must reach us to count as an open. */
export const NO_CACHE_HEADERS = {
  'cache-control': 'no-store, no-cache, must-revalidate, private',
  pragma: 'no-cache',
  expires: '0',
} as const;
