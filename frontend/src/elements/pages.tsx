// Multipage: the navigation menu (sidebar or top) and st.page_link. Internal links are real
// anchors to the page's URL (so they open in a new tab too); a plain click switches the page
// without a reload.
import { useState, type MouseEvent } from "react";
import type { NavPage, Navigation, PageLink } from "../generated/protocol";
import { useSession } from "../context";
import { Html, unwrapParagraph } from "../Html";
import { safeExternal, shownIcon } from "../pages";
import { Help } from "./text";

function plainClick(e: MouseEvent): boolean {
  return e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
}

function PageAnchor({ page, current }: { page: NavPage; current: boolean }) {
  const session = useSession();
  return (
    <a
      className={`nav-link${current ? " active" : ""}`}
      href={session.pageHref(page.url_path)}
      aria-current={current ? "page" : undefined}
      data-testid="stNavLink"
      onClick={(e) => {
        if (!plainClick(e)) return;
        e.preventDefault();
        session.navigate(page.url_path);
      }}
    >
      {shownIcon(page.icon) ? <span className="nav-icon">{shownIcon(page.icon)}</span> : null}
      <span>{page.title}</span>
    </a>
  );
}

const COLLAPSED_LIMIT = 10;

/** The menu of pages; `sidebar` lists them (by section), `top` puts them in a bar. */
export function NavMenu({ nav }: { nav: Navigation }) {
  const [showAll, setShowAll] = useState(false);
  const limit = nav.expanded || showAll || nav.position === "top" ? Infinity : COLLAPSED_LIMIT;
  const shown = nav.pages.slice(0, limit);
  const groups: { section: string | null; pages: NavPage[] }[] = [];
  for (const page of shown) {
    const section = page.section ?? null;
    const last = groups[groups.length - 1];
    if (last && last.section === section) last.pages.push(page);
    else groups.push({ section, pages: [page] });
  }
  return (
    <nav
      className={`nav nav-${nav.position}`}
      data-testid={nav.position === "top" ? "stTopNav" : "stSidebarNav"}
      aria-label="Pages"
    >
      {groups.map((group, i) => (
        <div className="nav-section" key={i}>
          {group.section ? <div className="nav-section-title">{group.section}</div> : null}
          <ul>
            {group.pages.map((page) => (
              <li key={page.url_path}>
                <PageAnchor page={page} current={page.url_path === nav.current} />
              </li>
            ))}
          </ul>
        </div>
      ))}
      {nav.pages.length > shown.length ? (
        <button type="button" className="nav-more" onClick={() => setShowAll(true)}>
          View {nav.pages.length - shown.length} more
        </button>
      ) : null}
    </nav>
  );
}

export function PageLinkView({ el }: { el: PageLink }) {
  const session = useSession();
  const cls = `page-link${el.disabled ? " disabled" : ""}${el.use_container_width ? " full-width" : ""}`;
  const label = (
    <>
      {shownIcon(el.icon) ? <span className="nav-icon">{shownIcon(el.icon)}</span> : null}
      <Html as="span" html={unwrapParagraph(el.label_html)} />
    </>
  );
  let link;
  if (el.href !== undefined && el.href !== null) {
    const href = safeExternal(el.href);
    link =
      href === null || el.disabled ? (
        <span className={cls} aria-disabled="true">{label}</span>
      ) : (
        <a className={cls} href={href} target="_blank" rel="noopener noreferrer">
          {label}
        </a>
      );
  } else {
    const urlPath = el.url_path ?? "";
    link = el.disabled ? (
      <span className={cls} aria-disabled="true">{label}</span>
    ) : (
      <a
        className={cls}
        href={session.pageHref(urlPath)}
        onClick={(e) => {
          if (!plainClick(e)) return;
          e.preventDefault();
          session.navigate(urlPath);
        }}
      >
        {label}
      </a>
    );
  }
  return (
    <div className="page-link-row" data-testid="stPageLink">
      {link}
      <Help help_html={el.help_html} />
    </div>
  );
}
