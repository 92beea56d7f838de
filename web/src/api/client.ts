// The typed API client: openapi-fetch over the paths generated from web/openapi.json. Every
// request goes to the appliance itself with the session cookie; a 401 anywhere but the
// sign-in call ends the session in the UI (the page asks to sign in, then carries on).
import createClient from "openapi-fetch";
import type { paths } from "./schema";
import type { Problem } from "./types";

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });

let unauthorizedHandler: () => void = () => {};

/** Called on every 401 outside sign-in (registered by the session module). */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

api.use({
  onResponse({ response, request }) {
    if (response.status === 401 && !new URL(request.url).pathname.endsWith("/auth/login")) {
      unauthorizedHandler();
    }
    return undefined;
  },
});

/** An API answer that was not a success, as the problem+json body the server sent. */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.problem = problem;
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

function isProblem(x: unknown): x is Problem {
  return typeof x === "object" && x !== null && "status" in x && "title" in x;
}

export function toProblem(error: unknown, response?: Response): Problem {
  if (isProblem(error)) return error;
  const status = response?.status ?? 0;
  const text = typeof error === "string" && error.length < 300 ? error : "";
  if (!status) {
    return {
      type: "about:blank",
      title: "Network error",
      status: 0,
      code: "network",
      detail: `The appliance cannot be reached${text ? ` (${text})` : ""}. Check the network and try again.`,
    };
  }
  return {
    type: "about:blank",
    title: `HTTP ${status}`,
    status,
    code: "http",
    detail: text || `The appliance answered ${status} ${response?.statusText ?? ""}`.trim(),
  };
}

type Answer<D> = { data?: D; error?: unknown; response: Response };

/** Awaits an openapi-fetch call and returns its data, or throws ApiError. */
export async function unwrap<D>(call: Promise<Answer<D>>): Promise<D> {
  let answer: Answer<D>;
  try {
    answer = await call;
  } catch (e) {
    throw new ApiError(toProblem(e instanceof Error ? e.message : e));
  }
  if (!answer.response.ok || answer.error !== undefined) {
    throw new ApiError(toProblem(answer.error, answer.response));
  }
  return answer.data as D;
}

/** The problem of any thrown value (for messages). */
export function problemOf(e: unknown): Problem {
  if (e instanceof ApiError) return e.problem;
  return toProblem(e instanceof Error ? e.message : String(e));
}

/** A plain fetch of a binary resource (pictures) with no caching. */
export async function fetchBlob(url: string): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(url, { cache: "no-store", credentials: "same-origin" });
  } catch (e) {
    throw new ApiError(toProblem(e instanceof Error ? e.message : e));
  }
  if (response.status === 401) unauthorizedHandler();
  if (!response.ok) {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    throw new ApiError(toProblem(body, response));
  }
  return response.blob();
}
