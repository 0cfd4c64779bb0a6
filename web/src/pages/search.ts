// Search by Chinese (partial) name, USCC, project number or lot id, then open a credit
// report, a lot check or the network. Lot hits say what tells them apart: project, purchaser,
// bid deadline and id; project hits list their lots, each one click from its check.
import { gql, hasRole } from "../api";
import { bi, fill, h, table } from "../dom";
import { kind, when } from "../labels";

interface LotBrief {
  lotId: string;
  name: string;
  bidDeadline: string | null;
  project?: { projectId: string; name: string; purchaser: { name: string } | null } | null;
}
interface Hit {
  score: number;
  node: { id: string; name: string | null; kind: string; properties: Record<string, unknown> };
  lot: LotBrief | null;
  project: { projectId: string; name: string; purchaser: { name: string } | null; lots: LotBrief[] } | null;
}

/** The API's limit on search text (credit/explore.py). */
export const MAX_QUERY = 100;

const SEARCH = `query($q: String!) { search(query: $q, first: 20) {
  nodes { score node { id name kind properties }
    lot { lotId name bidDeadline project { projectId name purchaser { name } } }
    project { projectId name purchaser { name } lots { lotId name bidDeadline } } } } }`;

const checkLink = (lotId: string): HTMLElement =>
  h("a", { href: `#/lot/${encodeURIComponent(lotId)}/check`, class: "button", "data-testid": "check-lot" }, bi("标段审查", "Lot check"));

function actions(hit: Hit): HTMLElement {
  const node = hit.node;
  const links: HTMLElement[] = [];
  const uscc = typeof node.properties.uscc === "string" ? node.properties.uscc : null;
  if (node.kind === "org" && uscc) {
    links.push(h("a", { href: `#/report/${uscc}`, class: "button" }, bi("信用报告", "Credit report")));
  }
  if (node.kind === "lot") links.push(checkLink(hit.lot?.lotId ?? node.id.replace(/^lot:/, "")));
  if (hasRole("SUPERVISOR")) {
    links.push(h("a", { href: `#/network/${node.id}`, class: "button secondary" }, bi("关系网络", "Network")));
  }
  return h("div", { class: "actions" }, links);
}

/** What tells a hit apart from others of the same name. */
function details(hit: Hit): HTMLElement | string {
  if (hit.lot) {
    const p = hit.lot.project;
    return h(
      "span",
      { "data-testid": "lot-details" },
      bi("标段编号", "Lot id"), " ", h("code", {}, hit.lot.lotId), h("br", {}),
      bi("项目", "Project"), ` ${p ? `${p.name}（${p.projectId}）` : "—"}`, h("br", {}),
      bi("采购人", "Purchaser"), ` ${p?.purchaser?.name ?? "—"}`, h("br", {}),
      bi("投标截止", "Bid deadline"), ` ${when(hit.lot.bidDeadline)}`,
    );
  }
  if (hit.project) {
    const p = hit.project;
    return h(
      "span",
      { "data-testid": "project-details" },
      bi("项目编号", "Project no."), " ", h("code", {}, p.projectId), " · ", bi("采购人", "Purchaser"), ` ${p.purchaser?.name ?? "—"}`,
      h("ul", { class: "project-lots" }, p.lots.map((l) => h("li", {}, `${l.name}（${l.lotId}，${when(l.bidDeadline)}）`, " ", checkLink(l.lotId)))),
    );
  }
  const uscc = hit.node.properties.uscc;
  return typeof uscc === "string" ? h("code", {}, uscc) : "—";
}

export function searchPage(main: HTMLElement, query: string): void {
  const input = h("input", { id: "q", name: "q", type: "search", value: query, required: true, autocomplete: "off", maxlength: MAX_QUERY, "aria-describedby": "q-help" });
  const results = h("section", { "aria-live": "polite", "aria-label": "搜索结果 Results" });
  const form = h(
    "form",
    { role: "search", class: "inline-form" },
    h("label", { for: "q" }, bi("单位名称（可输入部分中文）、统一社会信用代码、项目编号或标段编号", "Name (partial Chinese), USCC, project number or lot id")),
    h("div", { class: "row" }, input, h("button", { type: "submit" }, bi("查询", "Search"))),
    h("p", { id: "q-help", class: "hint" }, bi(`最多 ${MAX_QUERY} 个字符。`, `At most ${MAX_QUERY} characters.`)),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/search/${encodeURIComponent(input.value.trim())}`;
  });
  main.append(h("h1", {}, bi("查询", "Search")), form, results);
  input.focus();
  if (!query) return;
  void fill(results, async () => {
    const data = await gql<{ search: { nodes: Hit[] } }>(SEARCH, { q: query });
    const rows = data.search.nodes.map((hit) => [
      h("span", { class: "name" }, hit.node.name ?? hit.node.id),
      kind(hit.node.kind),
      details(hit),
      actions(hit),
    ]);
    return table(
      bi(`“${query}”的结果`, "Results"),
      [bi("名称", "Name"), bi("类型", "Kind"), bi("编号与说明", "Id and details"), bi("操作", "Open")],
      rows,
      bi("没有找到匹配的结果。", "Nothing matches."),
    );
  });
}
