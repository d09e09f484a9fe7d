import { createRoot } from "react-dom/client";
import { App } from "./App";
import { Session } from "./session";
import "./styles.css";

const session = Session.forPage();
// Exposed for end-to-end tests and debugging (dropping the socket to test resume).
(window as unknown as { __bastion: Session }).__bastion = session;
session.start();
const root = document.getElementById("root");
if (root) createRoot(root).render(<App session={session} />);
