// Multipage URLs: which page the address bar names, and the address of a page. A page is named
// by its URL path under the app's base ("" is the default page); the server checks the name.

/** The page named by `pathname` under `base` (which ends with "/"). */
export function pageFromPath(pathname: string, base: string): string {
  const root = base.endsWith("/") ? base : `${base}/`;
  let rest = pathname.startsWith(root) ? pathname.slice(root.length) : pathname === root.slice(0, -1) ? "" : pathname;
  rest = rest.replace(/^\/+|\/+$/g, "");
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

/** The same-origin address of a page (never anything but a path under the base). */
export function pageHref(base: string, urlPath: string): string {
  const root = base.endsWith("/") ? base : `${base}/`;
  return root + encodeURIComponent(urlPath);
}

const SAFE_EXTERNAL = /^(https?:|mailto:)/i;

/** External links are limited to http, https and mailto (the server checks too). */
export function safeExternal(href: string): string | null {
  return SAFE_EXTERNAL.test(href.trim()) ? href : null;
}

/** Only a same-origin absolute path may be followed on `auth_redirect`. */
export function safeRedirectPath(path: string): string | null {
  return path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\") ? path : null;
}

/** Page icons are emoji, shown as text. Streamlit's `:material/name:` icons need a font we do
 *  not ship: they are left out rather than shown as their code. */
export function shownIcon(icon: string | null | undefined): string | null {
  if (!icon || /^:material\/[a-z0-9_]+:$/.test(icon)) return null;
  return icon;
}
