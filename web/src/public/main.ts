// The public pages under /public: no sign-in. The list with search (/public/ or /public/records?q=),
// and each record at its stable URL (/public/records/{id}); data from the same JSON API.
import "./public.css";
import { bi, facts, h, replace } from "../dom";
import { LIST, PENALTY, ROLE, VIOLATION, WITHDRAWN } from "./labels";

type Subject = { kind: string; name: string; uscc: string | null; masked_id_number: string | null; roles: string[] };
type PublicRecord = {
  id: string; url: string; kind: string; lists: string[]; subject: Subject;
  decision_number: string | null; violation_type: string | null; severity: string | null;
  legal_basis: string | null; penalty_types: string[]; penalty_content: string | null;
  fine_amount: string | null; fine_currency: string | null; decision_date: string | null;
  ban_start: string | null; ban_end: string | null; publication_end: string | null;
  authority: string; status: string; list_name: string | null; reference: string | null;
  listed_on: string | null; valid_until: string | null;
};
type ListBody = { as_of: string; updated_at: string | null; total: number; page: number; page_size: number; records: PublicRecord[] };
type Basis = { id: string; citation: string };
type RecordBody = { as_of: string; updated_at: string | null; record?: PublicRecord; withdrawn?: string; since?: string | null; basis: Basis[] };

const main = document.getElementById("main") as HTMLElement;

function label(table: Record<string, [string, string]>, code: string | null): Node | string {
  if (!code) return "—";
  const pair = table[code];
  return pair ? bi(pair[0], pair[1]) : code;
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  // Revalidate every time (If-None-Match: a 304 costs little), so a withdrawn record never lingers.
  const response = await fetch(url, { headers: { accept: "application/json" }, cache: "no-cache" });
  return { status: response.status, body: (await response.json()) as T };
}

function updated(asOf: string, at: string | null): HTMLElement {
  const when = at ? new Date(at).toLocaleString("zh-CN", { hour12: false }) : "—";
  return h("p", { class: "updated", "data-testid": "updated" },
    bi("数据更新于", "Data last updated"), " ", when, "；", bi("公示截至", "as of"), " ", asOf);
}

function party(s: Subject): (Node | string)[] {
  const id = s.uscc ?? s.masked_id_number;
  return [h("span", {}, s.name), id ? h("div", { class: "en" }, id) : ""];
}

async function listPage(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const q = params.get("q") ?? "";
  const list = params.get("list") ?? "";
  const page = Number(params.get("page") ?? "1") || 1;
  document.title = "政府采购信用信息公示 Public procurement credit records";
  const form = h("form", { class: "search card", role: "search", method: "get", action: "/public/records" },
    h("label", {}, bi("名称或统一社会信用代码", "Name or USCC"),
      h("input", { name: "q", value: q, type: "search", "aria-label": "名称或统一社会信用代码 Name or USCC" })),
    h("label", {}, bi("名单", "List"),
      h("select", { name: "list" },
        h("option", { value: "" }, "全部 All"),
        ...Object.entries(LIST).map(([code, [zh, en]]) =>
          h("option", { value: code, selected: code === list }, `${zh} ${en}`)))),
    h("button", { type: "submit" }, "查询 Search"));
  replace(main, h("h1", {}, bi("严重违法失信名单与行政处罚公示", "Serious-dishonesty list and administrative penalties")), form,
    h("p", { class: "empty" }, "加载中 Loading…"));
  const query = new URLSearchParams();
  if (q) query.set("q", q);
  if (list) query.set("list", list);
  query.set("page", String(page));
  const { status, body } = await getJson<ListBody & { message?: string }>(`/public/records?${query}`);
  if (status !== 200) {
    replace(main, form, h("p", { class: "card gone", role: "alert" }, body.message ?? String(status)));
    return;
  }
  const rows = body.records.map((r) =>
    h("tr", { "data-record": r.id },
      h("td", {}, h("a", { href: r.url }, ...party(r.subject))),
      h("td", {}, ...r.subject.roles.map((role) => h("div", {}, label(ROLE, role)))),
      h("td", {}, ...r.lists.map((l) => h("span", { class: "tag" }, LIST[l]?.[0] ?? l))),
      h("td", {}, r.kind === "listing" ? label(LIST, "serious_dishonesty") : label(VIOLATION, r.violation_type)),
      h("td", {}, r.decision_number ?? "—"),
      h("td", {}, r.authority),
      h("td", {}, r.decision_date ?? "—"),
      h("td", {}, r.publication_end ?? "—")));
  const pages = Math.max(1, Math.ceil(body.total / body.page_size));
  const link = (n: number): string => {
    const next = new URLSearchParams(query);
    next.set("page", String(n));
    return `/public/records?${next}`;
  };
  replace(main,
    h("h1", {}, bi("严重违法失信名单与行政处罚公示", "Serious-dishonesty list and administrative penalties")),
    updated(body.as_of, body.updated_at),
    form,
    h("p", { "data-testid": "total" }, bi("共", "Total"), ` ${body.total} `, bi("条", "records")),
    rows.length === 0
      ? h("p", { class: "empty card" }, bi("没有找到公示中的记录", "No record in its publication period matches"))
      : h("table", {},
          h("thead", {}, h("tr", {},
            h("th", {}, bi("当事人", "Party")), h("th", {}, bi("类别", "Role")), h("th", {}, bi("名单", "List")),
            h("th", {}, bi("违法行为类型", "Violation")), h("th", {}, bi("决定书文号", "Decision no.")),
            h("th", {}, bi("处罚机关", "Authority")), h("th", {}, bi("决定日期", "Decided")),
            h("th", {}, bi("公示截止", "Published until")))),
          h("tbody", {}, ...rows)),
    h("nav", { class: "pager", "aria-label": "分页 Pages" },
      page > 1 ? h("a", { href: link(page - 1) }, "上一页 Previous") : "",
      h("span", {}, `${page} / ${pages}`),
      page < pages ? h("a", { href: link(page + 1) }, "下一页 Next") : ""));
}

function basisList(basis: Basis[]): HTMLElement {
  return h("section", { class: "card basis" }, h("h2", {}, bi("公示依据", "Legal basis for publication")),
    h("ul", {}, ...basis.map((b) => h("li", {}, b.citation))));
}

async function recordPage(id: string): Promise<void> {
  replace(main, h("p", {}, "加载中 Loading…"));
  const { status, body } = await getJson<RecordBody>(`/public/records/${encodeURIComponent(id)}`);
  const back = h("p", {}, h("a", { href: "/public/" }, "← 返回名单 Back to the list"));
  if (status === 410) {
    const [zh, en] = WITHDRAWN[body.withdrawn ?? ""] ?? ["已撤下", "Taken down"];
    document.title = "已撤下 Taken down";
    replace(main, back, updated(body.as_of, body.updated_at),
      h("section", { class: "card gone", role: "status", "data-testid": "withdrawn" },
        h("h1", {}, bi("该记录已不再公示", "This record is no longer published")),
        h("p", {}, bi(zh, en), body.since ? ` (${body.since})` : "")), basisList(body.basis));
    return;
  }
  if (status !== 200 || !body.record) {
    document.title = "未找到 Not found";
    replace(main, back, h("section", { class: "card gone", role: "status", "data-testid": "withdrawn" },
      h("h1", {}, bi("没有这条公示记录", "No such public record"))));
    return;
  }
  const r = body.record;
  document.title = `${r.subject.name} — 信用信息公示 Public record`;
  const fine = r.fine_amount ? `${r.fine_amount} ${r.fine_currency ?? "CNY"}` : null;
  const ban = r.ban_start ? `${r.ban_start} — ${r.ban_end ?? ""}` : null;
  const rows: [Node | string, Node | string | null][] = [
    [bi("行政相对人名称", "Name of the party"), r.subject.name],
    r.subject.uscc ? [bi("统一社会信用代码", "USCC"), r.subject.uscc] : [bi("证件号码（脱敏）", "ID number (masked)"), r.subject.masked_id_number],
    [bi("类别", "Role"), h("span", {}, ...r.subject.roles.map((role) => label(ROLE, role)))],
    [bi("名单", "Lists"), h("span", {}, ...r.lists.map((l) => h("span", { class: "tag" }, label(LIST, l))))],
  ];
  if (r.kind === "penalty") {
    rows.push(
      [bi("行政处罚决定书文号", "Decision number"), r.decision_number],
      [bi("违法行为类型", "Violation type"), label(VIOLATION, r.violation_type)],
      [bi("处罚依据", "Legal basis"), r.legal_basis],
      [bi("处罚类别", "Penalty types"), h("span", {}, ...r.penalty_types.map((t) => h("div", {}, label(PENALTY, t))))],
      [bi("处罚内容", "Penalty content"), r.penalty_content],
      [bi("罚款金额", "Fine"), fine],
      [bi("禁止参加政府采购活动期限", "Procurement ban"), ban],
      [bi("处罚决定日期", "Decision date"), r.decision_date],
      [bi("公示截止期", "Published until"), r.publication_end],
      [bi("处罚机关", "Authority"), r.authority],
      [bi("状态", "Status"), r.status === "UNDER_APPEAL" ? bi("复议或诉讼中（不停止执行）", "Under appeal (not suspended)") : bi("有效", "In force")],
    );
  } else {
    rows.push(
      [bi("列入文号", "Listing reference"), r.reference],
      [bi("列入机关", "Listing authority"), r.authority],
      [bi("列入日期", "Listed on"), r.listed_on],
      [bi("移出日期", "Listed until"), r.valid_until],
    );
  }
  replace(main, back, updated(body.as_of, body.updated_at),
    h("section", { class: "card", "data-testid": "record" },
      h("h1", {}, r.subject.name),
      facts(rows),
      h("p", { class: "en" }, bi("本页固定地址", "Stable address"), " ", h("a", { href: r.url }, location.origin + r.url))),
    basisList(body.basis));
}

const match = /^\/public\/records\/(.+)$/.exec(location.pathname);
void (match ? recordPage(decodeURIComponent(match[1])) : listPage());
