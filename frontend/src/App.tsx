import { useEffect, useMemo, useSyncExternalStore } from "react";
import { SessionContext } from "./context";
import { Children, type RenderContext } from "./render";
import type { Session } from "./session";

export function App({ session }: { session: Session }) {
  const state = useSyncExternalStore(session.subscribe, session.snapshot);
  const { tree, connection, error, pageConfig, theme } = state;
  const ctx = useMemo<RenderContext>(
    () => ({ run: tree.run, running: tree.running, formEpoch: state.formEpoch }),
    [tree.run, tree.running, state.formEpoch],
  );
  useEffect(() => {
    document.documentElement.dataset.theme = theme.base ?? "light";
  }, [theme.base]);
  const [main, sidebar] = tree.roots;
  const hasSidebar = sidebar !== undefined && sidebar.children.some((c) => c !== undefined);
  return (
    <SessionContext.Provider value={session}>
      <div
        className={`app layout-${pageConfig.layout ?? "centered"}${hasSidebar ? " with-sidebar" : ""}`}
        data-testid="stApp"
        data-run={tree.run}
        data-running={tree.running}
        data-connection={connection}
      >
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
        {hasSidebar && sidebar ? (
          <aside className="sidebar" data-testid="stSidebar">
            <Children node={sidebar} ctx={ctx} />
          </aside>
        ) : null}
        <main className="main" data-testid="stMain">
          <div className="main-inner">{main ? <Children node={main} ctx={ctx} /> : null}</div>
        </main>
      </div>
    </SessionContext.Provider>
  );
}
