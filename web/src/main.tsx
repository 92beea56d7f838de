import { render } from "preact";
import "./styles/base.css";
import "./styles/layout.css";
import "./styles/components.css";
import "./styles/live.css";
import "./styles/timeline.css";
import { App } from "./app";
import { checkSession } from "./session";

void checkSession();
render(<App />, document.getElementById("app") as HTMLElement);
