// The violation-network explorer: start from any entity, expand a node by clicking it (or
// Enter on it in the node list), filter by relationship type, depth and time window; banned
// and flagged entities are marked, shared identifiers are hubs (those shared by several
// organisations first), details show in a side panel. Bids, awards and contracts fold into
// their lot (dashed edges) unless the user asks to see them.
import { gql } from "../api";
import { bi, errorBox, facts, field, inlineForm, h, replace } from "../dom";
import { type GEdge, type GNode, GraphView, HUB_KINDS, label, visibleProperties } from "../graph";
import { beijingToday, kind, textOf } from "../labels";

interface Subgraph {
  nodes: GNode[];
  edges: GEdge[];
  truncated: boolean;
}
const NEIGHBOURHOOD = `query($id: ID!, $depth: Int!) { neighbourhood(id: $id, depth: $depth, limit: 200) {
  truncated nodes { id kind labels name properties } edges { id type source target properties } } }`;
const FIND = `query($q: String!) { search(query: $q, first: 1) { nodes { node { id } } } }`;
const FLAG_CHUNK = 25; // under the API's alias limit

async function resolveStart(input: string): Promise<string> {
  const text = input.trim();
  if (text.includes(":")) return text;
  if (/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(text)) return `org:${text}`;
  const { search } = await gql<{ search: { nodes: { node: { id: string } }[] } }>(FIND, { q: text });
  const hit = search.nodes[0];
  if (!hit) throw new Error(`没有找到“${text}” Nothing matches`);
  return hit.node.id;
}

async function fetchSub(id: string, depth: number): Promise<Subgraph> {
  const { neighbourhood } = await gql<{ neighbourhood: Subgraph | null }>(NEIGHBOURHOOD, { id, depth });
  if (!neighbourhood) throw new Error(`没有编号为 ${id} 的实体 No entity with this id`);
  return neighbourhood;
}

/** Which of these organisations have open or confirmed flags (one request per 25). */
async function flaggedOrgs(nodes: GNode[]): Promise<string[]> {
  const orgs = nodes.filter((n) => n.kind === "org" && typeof n.properties.uscc === "string");
  const found: string[] = [];
  for (let i = 0; i < orgs.length; i += FLAG_CHUNK) {
    const chunk = orgs.slice(i, i + FLAG_CHUNK);
    const params = chunk.map((_, k) => `$u${k}: String!`).join(", ");
    const fields = chunk
      .map((_, k) => `f${k}: flags(filter: { supplierUscc: $u${k} }, first: 5) { nodes { status } }`)
      .join("\n");
    const vars = Object.fromEntries(chunk.map((n, k) => [`u${k}`, n.properties.uscc]));
    const data = await gql<Record<string, { nodes: { status: string }[] }>>(`query(${params}) { ${fields} }`, vars);
    chunk.forEach((n, k) => {
      if (data[`f${k}`]?.nodes.some((f) => f.status !== "DISMISSED")) found.push(n.id);
    });
  }
  return found;
}

export function networkPage(main: HTMLElement, arg: string): void {
  const [startArg = "", depthArg = "2"] = arg.split("@");
  const today = beijingToday();
  const startInput = h("input", { id: "start", name: "start", required: true, value: startArg, autocomplete: "off" });
  const depthSelect = h(
    "select",
    { id: "depth", name: "depth" },
    ["1", "2", "3"].map((d) => h("option", { value: d, selected: d === depthArg }, d)),
  );
  const form = inlineForm(
    [field(startInput, "起点（名称、统一社会信用代码或编号）", "Start (name, USCC or id)"), field(depthSelect, "深度", "Depth")],
    "打开",
    "Open",
    () => (location.hash = `#/network/${encodeURIComponent(startInput.value.trim())}@${depthSelect.value}`),
  );
  main.append(h("h1", {}, bi("违法关系网络", "Violation network")), form);
  if (!startArg) {
    startInput.focus();
    return;
  }

  const status = h("p", { class: "status", role: "status", "data-testid": "network-status" });
  const types = h("fieldset", { class: "types" }, h("legend", {}, bi("关系类型", "Relationship types")));
  const from = h("input", { id: "from", type: "date" });
  const to = h("input", { id: "to", type: "date" });
  const window_ = h(
    "fieldset",
    {},
    h("legend", {}, bi("时间范围", "Time window")),
    h("label", { for: "from" }, bi("自", "From")),
    from,
    h("label", { for: "to" }, bi("至", "To")),
    to,
  );
  const unfold = h("input", { id: "unfold", type: "checkbox" });
  const foldNote = h("p", { class: "hint", "data-testid": "folded" });
  const folding = h(
    "fieldset",
    {},
    h("legend", {}, bi("投标、中标与合同", "Bids, awards and contracts")),
    h("div", { class: "check" }, unfold, h("label", { for: "unfold" }, bi("单独显示（默认并入所属标段）", "Show them (folded into their lot by default)"))),
    foldNote,
  );
  const legend = h(
    "ul",
    { class: "legend", "aria-label": "图例 Legend" },
    h("li", {}, h("span", { class: "swatch banned" }), bi("禁止参加 / 名单内", "Banned or listed")),
    h("li", {}, h("span", { class: "swatch flagged" }), bi("有预警", "Flagged")),
    h("li", {}, h("span", { class: "swatch hub" }), bi("多家单位共用的电话、账户、设备等", "Phone, account, device shared by several organisations")),
    h("li", {}, h("span", { class: "swatch own" }), bi("仅一家单位使用", "Used by one organisation only")),
    h("li", {}, h("span", { class: "swatch root" }), bi("起点", "Start")),
  );
  const canvas = h("div", {
    class: "graph",
    "data-testid": "graph",
    role: "img",
    "aria-label": "关系网络图；用右侧节点列表以键盘操作 Network graph; use the node list to operate it by keyboard",
  });
  const details = h("div", { class: "details", "aria-live": "polite" }, h("p", { class: "hint" }, bi("点击节点查看详情并展开。", "Click a node for details; it expands.")));
  const listFilter = h("input", { id: "node-filter", type: "search", autocomplete: "off" });
  const list = h("ul", { class: "node-list", "data-testid": "node-list" });
  const side = h(
    "aside",
    { class: "side", "aria-label": "详情 Details" },
    h("h2", {}, bi("详情", "Details")),
    details,
    h("h2", {}, bi("节点", "Nodes")),
    h("label", { for: "node-filter" }, bi("筛选节点", "Filter nodes")),
    listFilter,
    list,
  );
  main.append(status, h("div", { class: "explorer" }, h("div", { class: "controls" }, types, window_, folding, legend), canvas, side));

  // Ask for the data first: the graph view is built while the API answers.
  const first = resolveStart(startArg).then(async (id) => ({ id, sub: await fetchSub(id, Number(depthArg) || 2) }));
  first.catch(() => undefined); // reported below, where it is awaited
  let root = "";
  const expanded = new Set<string>();
  const checkedFlags = new Set<string>();
  const view = new GraphView(canvas, (node) => void open(node));

  const activeTypes = (): Set<string> =>
    new Set([...types.querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value));

  function refreshTypes(): void {
    const known = new Set([...types.querySelectorAll<HTMLInputElement>("input")].map((i) => i.value));
    for (const t of view.edgeTypes()) {
      if (known.has(t)) continue;
      const id = `type-${t}`;
      types.append(h("div", { class: "check" }, h("input", { type: "checkbox", id, value: t, checked: true, onchange: applyFilter }), h("label", { for: id, title: t }, textOf("relationship", t))));
    }
  }

  let folded: string[] = [];
  function applyFilter(): void {
    folded = view.filter(activeTypes(), from.value, to.value, root, !unfold.checked);
    replace(
      foldNote,
      folded.length ? bi(`${folded.length} 个投标、中标或合同已并入所属标段（虚线）`, `${folded.length} bids, awards or contracts folded into their lot (dashed)`) : "",
    );
    renderList();
  }
  unfold.addEventListener("change", () => {
    applyFilter();
    void view.layout(false); // what unfolds (or folds) gets a place of its own
  });
  from.addEventListener("change", applyFilter);
  to.addEventListener("change", applyFilter);
  listFilter.addEventListener("input", renderList);

  /** How many organisations share a hub (a phone, account, device…): directly, or through
   * the bids they submitted. A supplier's own phone on its own bids counts one. */
  function sharedBy(id: string): number {
    const orgs = new Set<string>();
    view.cy.getElementById(id).neighborhood("node").forEach((n) => {
      const kindOf = n.id().split(":")[0]; // a node's id starts with its kind
      if (kindOf === "org") orgs.add(n.id());
      if (kindOf === "bid") n.neighborhood("node").forEach((m) => void (m.id().startsWith("org:") && orgs.add(m.id())));
    });
    return orgs.size;
  }
  // Hubs shared by several organisations first (most shared first), then the rest; an
  // identifier only one organisation uses (its own phone on its own bids) comes last.
  const rank = (n: GNode): number => {
    if (!HUB_KINDS.has(n.kind)) return 0;
    const shared = sharedBy(n.id);
    return shared > 1 ? -shared : 1;
  };

  /** After the shared hubs: organisations and people, their records, then the procurement. */
  const KIND_ORDER = ["org", "person", "violation", "listing", "group", "lot", "project", "award", "contract", "bid", "review"];
  const kindOrder = (n: GNode): number => (KIND_ORDER.indexOf(n.kind) + KIND_ORDER.length + 1) % (KIND_ORDER.length + 1);

  function renderList(): void {
    // Enter on a node re-renders the list: the focus stays on that node's button
    const focused = list.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.id : undefined;
    const needle = listFilter.value.trim().toLowerCase();
    const shown = view
      .allNodes()
      .filter((n) => !view.cy.getElementById(n.id).hasClass("hidden"))
      .filter((n) => !needle || (n.name ?? n.id).toLowerCase().includes(needle))
      .sort((a, b) => rank(a) - rank(b) || kindOrder(a) - kindOrder(b) || label(a).localeCompare(label(b)));
    // drawn as hubs only when shared: one organisation's own identifiers stay small
    view.cy.batch(() => shown.filter((n) => HUB_KINDS.has(n.kind)).forEach((n) => view.cy.getElementById(n.id).toggleClass("own", sharedBy(n.id) < 2)));
    replace(
      list,
      shown.map((n) => {
        const el = view.cy.getElementById(n.id);
        const shared = HUB_KINDS.has(n.kind) ? sharedBy(n.id) : 0;
        const marks = [
          shared > 1 ? `${shared} 家共用 shared by ${shared}` : "",
          el.hasClass("banned") ? "禁 banned" : "",
          el.hasClass("flagged") ? "警 flagged" : "",
          expanded.has(n.id) ? "" : "+",
        ].filter(Boolean).join(" ");
        return h("li", {}, h("button", { type: "button", "data-id": n.id, onclick: () => void open(n) }, kind(n.kind), " ", label(n), marks ? ` (${marks})` : ""));
      }),
    );
    if (focused) [...list.querySelectorAll<HTMLElement>("button")].find((b) => b.dataset.id === focused)?.focus();
  }

  async function load(id: string, depth: number): Promise<string[]> {
    return show(id, await fetchSub(id, depth));
  }

  /** Adds what is new; returns the ids added. */
  async function show(id: string, neighbourhood: Subgraph): Promise<string[]> {
    performance.mark("network:data");
    const added = view.add(neighbourhood.nodes, neighbourhood.edges, id === root ? undefined : id);
    expanded.add(id);
    refreshTypes();
    view.markBanned(today);
    const count = view.allNodes().length;
    replace(
      status,
      bi(`共 ${count} 个节点`, `${count} nodes`),
      neighbourhood.truncated ? h("span", { class: "warn" }, " · ", bi("结果已截断（上限 200）", "truncated at 200")) : "",
    );
    document.body.dataset.networkNodes = String(count);
    applyFilter();
    await view.layout(id === root);
    performance.mark("network:layoutstop");
    void flaggedOrgs(view.allNodes().filter((n) => added.includes(n.id) && !checkedFlags.has(n.id)))
      .then((ids) => {
        added.forEach((x) => checkedFlags.add(x));
        view.mark(ids, "flagged");
        renderList();
      })
      .catch((error) => details.prepend(errorBox(error)));
    return added;
  }

  async function open(node: GNode): Promise<void> {
    view.select(node.id);
    const links: HTMLElement[] = [];
    const uscc = typeof node.properties.uscc === "string" ? node.properties.uscc : null;
    if (node.kind === "org" && uscc) links.push(h("a", { href: `#/report/${uscc}` }, bi("信用报告", "Credit report")));
    if (node.kind === "lot") links.push(h("a", { href: `#/lot/${node.id}` }, bi("标段审查", "Lot check")));
    links.push(h("a", { href: `#/network/${encodeURIComponent(node.id)}@${depthSelect.value}` }, bi("以此为起点", "Start here")));
    const el = view.cy.getElementById(node.id);
    replace(
      details,
      h("h3", { "data-testid": "details-title" }, kind(node.kind), "：", node.name ?? label(node)),
      el.hasClass("banned") ? h("p", { class: "badge decision-ineligible" }, bi("禁止参加或名单内", "Banned or listed")) : "",
      el.hasClass("flagged") ? h("p", { class: "badge status-open" }, bi("有预警", "Flagged")) : "",
      HUB_KINDS.has(node.kind)
        ? h("p", {}, bi(`共用标识：${sharedBy(node.id)} 家单位共用，连接 ${el.degree(false)} 个实体`, `shared by ${sharedBy(node.id)} organisations, linking ${el.degree(false)}`))
        : "",
      facts([[bi("编号", "Id"), h("code", {}, node.id)], ...visibleProperties(node.properties).map(([k, v]): [string, string] => [k, v])]),
      h("p", { class: "actions" }, links),
    );
    if (!expanded.has(node.id)) {
      try {
        const added = await load(node.id, 1);
        const shown = added.filter((x) => !view.cy.getElementById(x).hasClass("hidden"));
        const inLot = added.filter((x) => folded.includes(x));
        if (shown.length === 0) {
          details.append(
            h(
              "p",
              { class: "hint", role: "status", "data-testid": "nothing-new" },
              added.length === 0
                ? bi("展开后没有新的节点：与它相连的都已在图中。", "Expanding it added nothing: everything it links to is already shown.")
                : inLot.length
                  ? bi(`展开后没有新的节点可显示：${inLot.length} 个投标、中标或合同已并入所属标段。`, `Nothing new to show: ${inLot.length} bids, awards or contracts folded into their lot.`)
                  : bi("展开后没有新的节点可显示：新增的节点被当前筛选隐藏。", "Nothing new to show: the filters hide what it added."),
            ),
          );
        }
      } catch (error) {
        details.append(errorBox(error));
      }
    }
  }

  void (async () => {
    replace(status, "加载中… Loading…");
    try {
      const { id, sub } = await first;
      root = id;
      await show(root, sub); // returns at layoutstop; the frame follows
      view.mark([root], "root");
      await new Promise<void>((resolve) => {
        view.cy.one("render", () => resolve());
        setTimeout(resolve, 2000); // nothing left to draw: already rendered
      });
      // Time to first render, from navigation start (the figure reported for 200 nodes).
      document.body.dataset.networkFirstRenderMs = performance.now().toFixed(0);
      const at = (name: string): string => (performance.getEntriesByName(name)[0]?.startTime ?? 0).toFixed(0);
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
      const query = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).find((r) => r.name.endsWith("/graphql"));
      document.body.dataset.networkTimings =
        `page loaded ${nav?.domContentLoadedEventEnd.toFixed(0)} ms, query ${query?.startTime.toFixed(0)}-${query?.responseEnd.toFixed(0)} ms, ` +
        `data ${at("network:data")} ms, layoutstop ${at("network:layoutstop")} ms`;
      const start = view.node(root);
      if (start) void open(start);
    } catch (error) {
      replace(status, errorBox(error));
    }
  })();
}
