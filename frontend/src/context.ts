import { createContext, useContext } from "react";
import type { Session } from "./session";

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionContext");
  return session;
}

export interface FormInfo {
  readonly formId: string;
  readonly clearOnSubmit: boolean;
  readonly enterToSubmit: boolean;
  readonly epoch: number;
  /** Submit through the form's first submit button (Enter in a text input). */
  readonly submitDefault: () => void;
  readonly registerSubmit: (buttonId: string) => () => void;
}

export const FormContext = createContext<FormInfo | null>(null);

/** The innermost fragment (or dialog) around a widget: its changes rerun only that fragment. */
export const FragmentContext = createContext<string | null>(null);

/** True inside a block of a fragment the current fragment run reruns (its nodes may go stale). */
export const FragmentScope = createContext<boolean>(false);
