// Media URLs from the server are relative to the app's base path (the page may sit at a client
// route such as /page/two), or absolute http(s)/data: URLs a script named for an image.
export function appBase(): string {
  const meta = typeof document !== "undefined" ? document.querySelector('meta[name="bastion-base"]') : null;
  return (meta?.getAttribute("content") ?? "/").replace(/\/?$/, "/");
}

const ABSOLUTE = /^(https?:\/\/|data:image\/(png|jpeg|gif|webp);)/i;

/** The URL to load: absolute http(s) and safe image data: URLs as they are, anything else under
 *  the base path. Any other scheme (javascript:, a protocol-relative //host) is never produced. */
export function mediaUrl(url: string, base: string = appBase()): string {
  if (ABSOLUTE.test(url)) return url;
  return base + url.replace(/^\/+/, "");
}

/** Links a link button may open: http, https, mailto (the server checks the same). */
export function safeLink(url: string): string | undefined {
  return /^(https?:|mailto:)/i.test(url.trim()) ? url : undefined;
}

/** Headers the upload route needs besides the body. The CSRF token (issue 6, the `guard` part)
 *  goes here: read it where the guard puts it and return it as a header. */
export function uploadHeaders(): Record<string, string> {
  const meta = typeof document !== "undefined" ? document.querySelector('meta[name="bastion-csrf"]') : null;
  const token = meta?.getAttribute("content");
  return token ? { "X-Bastion-CSRF": token } : {};
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
