// Search by Chinese (partial) name or USCC, then open a credit report, lot check or network.
import { gql, hasRole } from "../api";
import { bi, fill, h, table } from "../dom";
import { kind } from "../labels";

interface Hit {
  score: number;
  node: { id: string; name: string | null; kind: string; properties: Record<string, unknown> };
}

const SEARCH = `query($q: String!) { search(query: $q, first: 20) {
  nodes { score node { id name kind properties } } } }`;

function actions(hit: Hit["node"]): HTMLElement {
  const links: HTMLElement[] = [];
  const uscc = typeof hit.properties.uscc === "string" ? hit.properties.uscc : null;
  if (hit.kind === "org" && uscc) {
    links.push(h("a", { href: `#/report/${uscc}`, class: "button" }, bi("信用报告", "Credit report")));
  }
  if (hit.kind === "lot") {
    links.push(h("a", { href: `#/lot/${hit.id}`, class: "button" }, bi("标段审查", "Lot check")));
  }
  if (hasRole("SUPERVISOR")) {
    links.push(h("a", { href: `#/network/${hit.id}`, class: "button secondary" }, bi("关系网络", "Network")));
  }
  return h("div", { class: "actions" }, links);
}

export function searchPage(main: HTMLElement, query: string): void {
  const input = h("input", { id: "q", name: "q", type: "search", value: query, required: true, autocomplete: "off" });
  const results = h("section", { "aria-live": "polite", "aria-label": "搜索结果 Results" });
  const form = h(
    "form",
    { role: "search", class: "inline-form" },
    h("label", { for: "q" }, bi("单位名称（可输入部分中文）或统一社会信用代码", "Name (partial Chinese) or USCC")),
    h("div", { class: "row" }, input, h("button", { type: "submit" }, bi("查询", "Search"))),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/search/${encodeURIComponent(input.value.trim())}`;
  });
  main.append(h("h1", {}, bi("查询供应商", "Find a supplier")), form, results);
  input.focus();
  if (!query) return;
  void fill(results, async () => {
    const data = await gql<{ search: { nodes: Hit[] } }>(SEARCH, { q: query });
    const rows = data.search.nodes.map(({ node }) => [
      h("span", { class: "name" }, node.name ?? node.id),
      kind(node.kind),
      typeof node.properties.uscc === "string" ? h("code", {}, node.properties.uscc) : "—",
      actions(node),
    ]);
    return table(
      bi(`“${query}”的结果`, "Results"),
      [bi("名称", "Name"), bi("类型", "Kind"), bi("统一社会信用代码", "USCC"), bi("操作", "Open")],
      rows,
      bi("没有找到匹配的单位。", "Nothing matches."),
    );
  });
}
