import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import type { Theme } from "./generated/protocol";
import { SessionContext } from "./context";
import { Children, RunContext, type RenderContext } from "./render";
import { ToastStack } from "./elements/overlays";
import type { Session } from "./session";
import { HeaderLogo, sidebarLayout } from "./elements/Media";
import { NavMenu } from "./elements/pages";

export function App({ session }: { session: Session }) {
  const state = useSyncExternalStore(session.subscribe, session.snapshot);
  const { tree, connection, error, notice, pageConfig, theme, navigation, pageNotFound } = state;
  const ctx = useMemo<RenderContext>(
    () => ({ run: tree.run, running: tree.running, formEpoch: state.formEpoch, fragments: tree.fragments }),
    [tree.run, tree.running, state.formEpoch, tree.fragments],
  );
  useEffect(() => applyTheme(theme), [theme]);
  useEffect(() => {
    // "R" reruns, as in Streamlit, unless the user is typing somewhere.
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing = target?.closest("input, textarea, select, [contenteditable]") !== null;
      if (!typing && !e.ctrlKey && !e.metaKey && !e.altKey && e.key.toLowerCase() === "r") session.rerun();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [session]);
  const [sidebarOpen, setSidebarOpen] = useState<boolean | null>(null);
  const sidebarShown = sidebarOpen ?? pageConfig.initial_sidebar_state !== "collapsed";
  const [main, sidebar, bottom] = tree.roots;
  const { hasSidebar: sidebarContent, logo } = sidebarLayout(sidebar);
  const sideNav = navigation !== null && navigation.position === "sidebar" && navigation.pages.length > 1;
  const topNav = navigation !== null && navigation.position === "top" && navigation.pages.length > 1;
  const hasSidebar = sidebarContent || sideNav;
  return (
    <SessionContext.Provider value={session}>
      <RunContext.Provider value={ctx}>
      <div
        className={`app layout-${pageConfig.layout ?? "centered"}${hasSidebar ? " with-sidebar" : ""}`}
        data-testid="stApp"
        data-run={tree.run}
        data-running={tree.running}
        data-connection={connection}
      >
        {logo && !(hasSidebar && sidebarShown) ? <HeaderLogo logo={logo} collapsed={hasSidebar} /> : null}
        {topNav && navigation ? (
          <header className="top-nav">
            <NavMenu nav={navigation} />
          </header>
        ) : null}
        <header className="toolbar" data-testid="stToolbar">
          {tree.running ? (
            <span className="status running" data-testid="stStatusWidget" role="status">
              Running…
              <button type="button" onClick={() => session.stopScript()}>
                Stop
              </button>
            </span>
          ) : null}
          {connection !== "open" ? (
            <span className="status connection" data-testid="stConnectionStatus" role="status">
              {connection === "closed" ? "Disconnected" : "Connecting…"}
            </span>
          ) : null}
          <button type="button" className="rerun" title="Rerun (R)" onClick={() => session.rerun()}>
            Rerun
          </button>
        </header>
        {error ? (
          <div className="alert alert-error fatal" role="alert" data-testid="stConnectionError">
            {error}
          </div>
        ) : null}
        {notice && !error ? (
          <div className="alert alert-info" role="status" data-testid="stSessionNotice">
            {notice}
          </div>
        ) : null}
        {hasSidebar ? (
          <>
            <button
              type="button"
              className={`sidebar-toggle${sidebarShown ? " open" : ""}`}
              aria-label={sidebarShown ? "Collapse sidebar" : "Expand sidebar"}
              aria-expanded={sidebarShown}
              data-testid="stSidebarCollapseButton"
              onClick={() => setSidebarOpen(!sidebarShown)}
            >
              {sidebarShown ? "«" : "»"}
            </button>
            {sidebarShown ? (
              <aside className="sidebar" data-testid="stSidebar">
                {sideNav && navigation ? <NavMenu nav={navigation} /> : null}
                {sidebar ? <Children node={sidebar} /> : null}
              </aside>
            ) : null}
          </>
        ) : null}
        <main className={`main${topNav ? " with-top-nav" : ""}`} data-testid="stMain">
          <div className="main-inner">
            {pageNotFound !== null ? (
              <div className="alert alert-warning" role="alert" data-testid="stPageNotFound">
                <div>
                  <strong>Page not found.</strong> This app has no page at “/{pageNotFound}”; here is
                  its main page instead.
                </div>
              </div>
            ) : null}
            {main ? <Children node={main} /> : null}
            {bottom && bottom.children.some((c) => c !== undefined) ? (
              <div className="bottom-bar" data-testid="stBottom">
                <Children node={bottom} />
              </div>
            ) : null}
          </div>
        </main>
        <ToastStack toasts={state.toasts} onClose={(id) => session.dismissToast(id)} />
      </div>
      </RunContext.Provider>
    </SessionContext.Provider>
  );
}

const THEME_VARIABLES: [keyof Theme, string][] = [
  ["primary_color", "--primary"],
  ["background_color", "--bg"],
  ["secondary_background_color", "--bg2"],
  ["text_color", "--text"],
];
const FONTS: Record<string, string> = {
  "sans serif": "system-ui, sans-serif",
  serif: "Georgia, serif",
  monospace: "ui-monospace, monospace",
};

/** Theme colours from the server's config, through the CSSOM (the CSP forbids inline styles). */
function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  root.dataset.theme = theme.base ?? "light";
  for (const [key, variable] of THEME_VARIABLES) {
    const value = theme[key];
    if (typeof value === "string" && CSS.supports("color", value)) root.style.setProperty(variable, value);
    else root.style.removeProperty(variable);
  }
  const font = theme.font ? FONTS[theme.font] : undefined;
  if (font) root.style.setProperty("font-family", font);
}
