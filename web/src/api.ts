// The signed-in session and the GraphQL client. The token lives in sessionStorage only (gone
// when the tab closes); every call carries it, so the API enforces every permission.

const KEY = "credit.session";

export interface Session {
  token: string;
  expiresAt: string;
  name: string;
  roles: string[];
  organization: string | null;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | null = null,
    readonly label: string | null = null, // the catalogue's sentence for a person (credit/labels)
  ) {
    super(message);
  }
}

export function session(): Session | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  const s = JSON.parse(raw) as Session;
  if (Date.parse(s.expiresAt) <= Date.now()) {
    sessionStorage.removeItem(KEY);
    return null;
  }
  return s;
}

export function hasRole(...roles: string[]): boolean {
  const s = session();
  return s !== null && s.roles.some((r) => roles.includes(r));
}

/** Where the lot page keeps the checks it filed, so going Back shows them again. */
export const CHECK_CACHE = "credit.lotcheck.";

export function signOut(): void {
  sessionStorage.removeItem(KEY);
  for (const k of Object.keys(sessionStorage)) if (k.startsWith(CHECK_CACHE)) sessionStorage.removeItem(k); // the next person starts clean
}

interface ErrorBody {
  errors?: { message: string; extensions?: { code?: string; label?: string } }[];
  detail?: { message?: string; code?: string } | string;
}

function readable(body: ErrorBody, status: number): ApiError {
  const first = body.errors?.[0];
  if (first) return new ApiError(first.message, first.extensions?.code ?? null, first.extensions?.label ?? null);
  if (typeof body.detail === "object" && body.detail?.message) {
    return new ApiError(body.detail.message, body.detail.code ?? null);
  }
  return new ApiError(`HTTP ${status}`);
}

export async function signIn(accessKey: string): Promise<Session> {
  const response = await fetch("/auth/session", {
    method: "POST",
    headers: { "x-api-key": accessKey.trim() },
  });
  const body = (await response.json().catch(() => ({}))) as Session & ErrorBody;
  if (!response.ok) throw readable(body, response.status);
  const s: Session = {
    token: body.token,
    expiresAt: body.expiresAt,
    name: body.name,
    roles: body.roles,
    organization: body.organization,
  };
  sessionStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

/** Called when the API says the session is no longer valid. */
let onExpired: () => void = () => undefined;
export function whenExpired(callback: () => void): void {
  onExpired = callback;
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const s = session();
  if (!s) {
    onExpired();
    throw new ApiError("请先登录 Please sign in", "UNAUTHENTICATED");
  }
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${s.token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => ({}))) as ErrorBody & { data?: T };
  if (response.status === 401) {
    signOut();
    onExpired();
  }
  if (!response.ok || body.errors?.length) throw readable(body, response.status);
  return body.data as T;
}
