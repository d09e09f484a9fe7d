// A view whose code loads on first use, without Suspense. React 19 holds a Suspense boundary's
// content back for 300 ms after its fallback was committed (its fallback throttle), which put a
// fixed 0.3 s on the first draw of every lazily loaded element; a plain state update has no such
// floor. Every heavy view (the data grid, charts, the JSON viewer, balloons) loads through here.
import { useEffect, useState, type ComponentType, type ReactNode } from "react";

export function lazyView<P extends object>(
  load: () => Promise<{ default: ComponentType<P> }>,
  fallback: ReactNode | ((props: P) => ReactNode),
): (props: P) => ReactNode {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  const start = (): Promise<ComponentType<P>> =>
    (pending ??= load().then(
      (module) => (loaded = module.default),
      (error: unknown) => {
        pending = null; // a failed chunk load may be retried by the next mount
        throw error;
      },
    ));
  return function LazyView(props: P): ReactNode {
    const [View, setView] = useState<ComponentType<P> | null>(() => loaded);
    const [error, setError] = useState<unknown>(null);
    useEffect(() => {
      if (View) return;
      let live = true;
      start().then(
        (view) => {
          if (live) setView(() => view);
        },
        (failure: unknown) => {
          if (live) setError(failure);
        },
      );
      return () => {
        live = false;
      };
    }, [View]);
    if (error !== null) throw error; // to the nearest error boundary, as a failed lazy() would
    if (View) return <View {...props} />;
    return typeof fallback === "function" ? fallback(props) : fallback;
  };
}
