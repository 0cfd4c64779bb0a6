// The pages' shell: sign-in, the header with role and name, and hash routes to each page.
import "./style.css";
import { hasRole, session, signIn, signOut, whenExpired } from "./api";
import { bi, errorBox, h, replace } from "./dom";

type Page = (main: HTMLElement, arg: string) => void | Promise<void>;

interface Route {
  path: string;
  label: [string, string];
  roles: string[]; // mirrors credit/security/permissions.toml; the API still decides
  page: () => Promise<Page>; // loaded on first use: the graph and chart code only where needed
  nav: boolean;
}

const PEOPLE = ["PURCHASER", "AGENCY", "SUPERVISOR"];
const ROUTES: Route[] = [
  { path: "search", label: ["查询", "Search"], roles: PEOPLE, page: async () => (await import("./pages/search")).searchPage, nav: true },
  { path: "report", label: ["信用报告", "Credit report"], roles: PEOPLE, page: async () => (await import("./pages/report")).reportPage, nav: false },
  { path: "lot", label: ["标段审查", "Lot check"], roles: PEOPLE, page: async () => (await import("./pages/lot")).lotPage, nav: true },
  { path: "network", label: ["关系网络", "Network"], roles: ["SUPERVISOR"], page: async () => (await import("./pages/network")).networkPage, nav: true },
  { path: "flags", label: ["预警复核", "Flag review"], roles: PEOPLE, page: async () => (await import("./pages/flags")).flagsPage, nav: true },
];

const ROLE_NAMES: Record<string, string> = {
  PURCHASER: "采购人",
  AGENCY: "采购代理机构",
  SUPERVISOR: "监管部门",
  ADMIN: "管理员",
};

const header = document.getElementById("site-header") as HTMLElement;
const main = document.getElementById("main") as HTMLElement;


function renderHeader(current: string): void {
  const s = session();
  const title = h("a", { class: "brand", href: "#/search" }, bi("政府采购信用记录", "Procurement credit records"));
  if (!s) {
    replace(header, h("div", { class: "bar" }, title));
    return;
  }
  const links = ROUTES.filter((r) => r.nav && hasRole(...r.roles)).map((r) =>
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
  const who = h(
    "p",
    { class: "who", "data-testid": "who" },
    h("span", { class: "name" }, s.name),
    " · ",
    s.roles.map((r) => `${ROLE_NAMES[r] ?? ""} ${r}`).join(", "),
  );
  const out = h("button", { type: "button", class: "secondary", onclick: () => leave() }, bi("退出", "Sign out"));
  replace(
    header,
    h("div", { class: "bar" }, title, h("nav", { "aria-label": "主导航 Main" }, h("ul", {}, links)), who, out),
  );
}

function leave(): void {
  signOut();
  location.hash = "";
  route();
}

function signInPage(): void {
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
      return page(main, arg);
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

whenExpired(() => signInPage());
window.addEventListener("hashchange", route);
route();
