// The pages' shell: sign-in, the header with role and name, and hash routes to each page.
import "./style.css";
import { gql, hasRole, session, signIn, signOut, whenExpired } from "./api";
import { pairOf, textOf } from "./labels";
import { bi, errorBox, h, replace } from "./dom";

type Page = (main: HTMLElement, arg: string) => void | Promise<void>;

interface Route {
  path: string;
  label: [string, string];
  roles: string[]; // mirrors credit/security/permissions.toml; the API still decides
  page: () => Promise<Page>; // loaded on first use: the graph and chart code only where needed
  nav: boolean;
  navRoles?: string[]; // who sees it in the navigation, when fewer than may open it
}

const PEOPLE = ["PURCHASER", "AGENCY", "SUPERVISOR"];
const UNITS = ["PURCHASER", "AGENCY"];
const ROUTES: Route[] = [
  { path: "home", label: ["我的标段", "My lots"], roles: UNITS, page: async () => (await import("./pages/home")).homePage, nav: true },
  { path: "search", label: ["查询", "Search"], roles: PEOPLE, page: async () => (await import("./pages/search")).searchPage, nav: true },
  { path: "report", label: ["信用报告", "Credit report"], roles: PEOPLE, page: async () => (await import("./pages/report")).reportPage, nav: false },
  { path: "lot", label: ["标段审查", "Lot check"], roles: PEOPLE, page: async () => (await import("./pages/lot")).lotPage, nav: true },
  { path: "network", label: ["关系网络", "Network"], roles: ["SUPERVISOR"], page: async () => (await import("./pages/network")).networkPage, nav: true },
  // purchasers open the flags of their lots from the lot check; the review queue is supervisors'
  { path: "flags", label: ["预警复核", "Flag review"], roles: PEOPLE, navRoles: ["SUPERVISOR"], page: async () => (await import("./pages/flags")).flagsPage, nav: true },
];

/** The caller's unit, named once per session (the header shows whose lots these are). */
let unitName: Promise<string | null> | null = null;
function unitOf(uscc: string): Promise<string | null> {
  unitName ??= gql<{ organization: { name: string } | null }>("query($u: String!) { organization(uscc: $u) { name } }", { u: uscc })
    .then((d) => d.organization?.name ?? null)
    .catch(() => null);
  return unitName;
}

const header = document.getElementById("site-header") as HTMLElement;
const main = document.getElementById("main") as HTMLElement;


function renderHeader(current: string): void {
  const s = session();
  const title = h("a", { class: "brand", href: "#/search" }, bi("政府采购信用记录", "Procurement credit records"));
  if (!s) {
    replace(header, h("div", { class: "bar" }, title));
    return;
  }
  const links = ROUTES.filter((r) => r.nav && hasRole(...(r.navRoles ?? r.roles))).map((r) =>
    h(
      "li",
      {},
      h(
        "a",
        { href: `#/${r.path}`, "aria-current": r.path === current ? "page" : null },
        bi(r.label[0], r.label[1]),
      ),
    ),
  );
  const unit = s.organization ? h("span", { class: "unit", "data-testid": "unit" }, " · ", s.organization) : null;
  if (unit && s.organization) {
    void unitOf(s.organization).then((name) => {
      if (name) unit.replaceChildren(" · ", name, ` (${s.organization})`);
    });
  }
  const who = h(
    "p",
    { class: "who", "data-testid": "who" },
    h("span", { class: "name" }, s.name),
    " · ",
    s.roles.map((r) => `${pairOf("role", r)[0]} ${r}`).join(", "),
    unit,
  );
  const out = h("button", { type: "button", class: "secondary", onclick: () => leave() }, bi("退出", "Sign out"));
  replace(
    header,
    h("div", { class: "bar" }, title, h("nav", { "aria-label": "主导航 Main" }, h("ul", {}, links)), who, out),
  );
}

function leave(): void {
  signOut();
  unitName = null;
  sessionStorage.removeItem(DRAFT);
  location.hash = "";
  route();
}

function signInPage(expired = false): void {
  const input = h("input", {
    id: "access-key",
    name: "access-key",
    type: "password",
    autocomplete: "off",
    required: true,
    "aria-describedby": "access-key-help",
  });
  const status = h("div", { "aria-live": "polite" });
  const form = h(
    "form",
    { class: "card narrow" },
    h("h1", {}, bi("登录", "Sign in")),
    expired ? h("p", { class: "warn", role: "status", "data-testid": "expired" }, textOf("message", "session_expired")) : null,
    h("label", { for: "access-key" }, bi("访问密钥", "Access key")),
    input,
    h("p", { id: "access-key-help", class: "hint" }, "由系统管理员发放（credit apikey create）。Issued by your administrator."),
    h("button", { type: "submit" }, bi("登录", "Sign in")),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(status);
    try {
      await signIn(input.value);
      route();
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  renderHeader("");
  replace(main, form);
  input.focus();
}

// What the user typed when the session ended (a review reason, a search), put back after
// signing in again on the same page.
const DRAFT = "credit.draft";
type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

function keepDraft(): void {
  const values: Record<string, string | boolean> = {};
  for (const el of main.querySelectorAll<Field>("input[id], textarea[id], select[id]")) {
    if (el instanceof HTMLInputElement && (el.type === "radio" || el.type === "checkbox")) {
      if (el.checked) values[el.id] = true;
    } else if (el.value) values[el.id] = el.value;
  }
  if (Object.keys(values).length) sessionStorage.setItem(DRAFT, JSON.stringify({ hash: location.hash, values }));
}

function restoreDraft(): void {
  const raw = sessionStorage.getItem(DRAFT);
  if (!raw) return;
  const draft = JSON.parse(raw) as { hash: string; values: Record<string, string | boolean> };
  if (draft.hash !== location.hash) return;
  const pending = new Map(Object.entries(draft.values));
  const apply = (): void => {
    for (const [id, value] of pending) {
      const el = document.getElementById(id) as Field | null;
      if (!el || !main.contains(el)) continue;
      if (el instanceof HTMLInputElement && (el.type === "radio" || el.type === "checkbox")) el.checked = value === true;
      else el.value = String(value);
      pending.delete(id);
    }
    if (pending.size === 0) {
      observer.disconnect();
      sessionStorage.removeItem(DRAFT);
    }
  };
  const observer = new MutationObserver(apply); // parts of a page (a review form) come later
  observer.observe(main, { childList: true, subtree: true });
  window.setTimeout(() => observer.disconnect(), 15_000);
  apply();
}

let navigation = 0;

function route(): void {
  if (!session()) {
    signInPage();
    return;
  }
  const [path = "", ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  const arg = decodeURIComponent(rest.join("/"));
  const found = ROUTES.find((r) => r.path === path && hasRole(...r.roles)) ?? ROUTES.find((r) => hasRole(...r.roles));
  renderHeader(found?.path ?? "");
  if (!found) {
    replace(main, h("h1", {}, bi("没有可用的页面", "No pages for this role")), h("p", {}, "此角色使用 API。This role works through the API."));
    return;
  }
  const label = found.label.join(" ");
  document.title = `${label} · 政府采购信用记录`;
  replace(main);
  const token = ++navigation;
  void found
    .page()
    .then((page) => {
      if (token !== navigation) return; // the user has moved on
      replace(main);
      const shown = page(main, arg);
      restoreDraft();
      return shown;
    })
    .catch((error) => replace(main, errorBox(error)))
    .then(() => {
    const heading = main.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      if (!main.contains(document.activeElement) || document.activeElement === main) heading.focus();
    }
  });
}

whenExpired(() => {
  keepDraft();
  signInPage(true);
});

// The skip link moves the focus to the page's content; it is not a route.
document.querySelector<HTMLAnchorElement>("[data-skip]")?.addEventListener("click", (event) => {
  event.preventDefault();
  const target = main.querySelector<HTMLElement>("h1") ?? main;
  target.setAttribute("tabindex", "-1");
  target.focus();
});
window.addEventListener("hashchange", route);
route();
