// The flag review queue: filter by pattern and status, open a flag with its evidence graph
// and bid chart (bids of the lot and of the group over time), confirm or dismiss with a reason.
import {
  Chart,
  Legend,
  LinearScale,
  PointElement,
  ScatterController,
  Title,
  Tooltip,
  type ChartDataset,
} from "chart.js";
import { gql, hasRole } from "../api";
import { bi, errorBox, facts, field, inlineForm, fill, h, loading, replace, table } from "../dom";
import { type GEdge, type GNode, GraphView, visibleProperties } from "../graph";
import { beijingToday, flagStatus, kind, label, money, sentence, textOf, when } from "../labels";
import { FLAG_FIELDS, type FlagSummary } from "./report";
import { sharedSections } from "./sections";

Chart.register(ScatterController, PointElement, LinearScale, Tooltip, Legend, Title);

interface BidPoint {
  price: { amount: string; currency: string };
  submittedAt: string;
  lot?: { lotId: string } | null;
  supplier?: { id: string; name: string } | null;
}
interface FlagDetail extends FlagSummary {
  facts: Record<string, unknown>;
  lastSeen: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewReason: string | null;
  suppliers: { id: string; uscc: string; name: string; bids: BidPoint[] }[];
  lot: { lotId: string; name: string; bids: BidPoint[] } | null;
  evidence: { nodes: GNode[]; edges: GEdge[] };
  reviews: { decision: string; reason: string; reviewerName: string; at: string; previousStatus: string }[];
}

const QUEUE = `query($filter: FlagFilter, $after: String) { flags(filter: $filter, first: 50, after: $after) {
  totalCount nodes { ${FLAG_FIELDS} suppliers { name } } pageInfo { hasNextPage endCursor } } }`;
const DETECTORS = `{ detectors { id title } }`;
const FLAG = `query($id: ID!) { flag(id: $id) { ${FLAG_FIELDS} facts lastSeen reviewedBy reviewedAt reviewReason
  suppliers { id uscc name bids { price { amount currency } submittedAt lot { lotId } } }
  lot { lotId name bids { price { amount currency } submittedAt supplier { id name } } }
  evidence { nodes { id kind labels name properties } edges { id type source target properties } }
  reviews { decision reason reviewerName at previousStatus } } }`;
const REVIEW = `mutation($id: ID!, $decision: ReviewDecision!, $reason: String!, $draft: Boolean!) {
  reviewFlag(id: $id, decision: $decision, reason: $reason, createDraftViolation: $draft) {
    flag { id status } drafts { id subjectUscc category } } }`;

// Distinguishable on white and in greyscale print (dash + shape differ too).
const SERIES = ["#1d4f91", "#b00020", "#00695c", "#7a5c00", "#6b3fa0", "#37474f", "#c05600"];

export function flagsPage(main: HTMLElement, arg: string): void {
  if (arg) {
    flagDetail(main, arg);
    return;
  }
  const pattern = h("select", { id: "pattern", name: "pattern" }, h("option", { value: "" }, "全部 All"));
  const status = h(
    "select",
    { id: "status", name: "status" },
    h("option", { value: "OPEN", selected: true }, textOf("flagStatus", "OPEN")),
    h("option", { value: "CONFIRMED" }, textOf("flagStatus", "CONFIRMED")),
    h("option", { value: "DISMISSED" }, textOf("flagStatus", "DISMISSED")),
    h("option", { value: "" }, "全部 All"),
  );
  const form = inlineForm([field(pattern, "模式", "Pattern"), field(status, "状态", "Status")], "筛选", "Filter", () => {
    generation += 1;
    void show(null, []);
  });
  const results = h("section", { "aria-live": "polite", "aria-label": "预警列表 Flags" });
  main.append(h("h1", {}, bi("预警复核", "Flag review")), form, results);

  void gql<{ detectors: { id: string; title: string }[] }>(DETECTORS)
    .then(({ detectors }) => pattern.append(...detectors.map((d) => h("option", { value: d.id }, textOf("pattern", d.id)))))
    .catch((error) => results.prepend(errorBox(error)));

  let generation = 0; // a newer filter wins over an older answer still on its way
  async function show(after: string | null, rows: (HTMLElement | string)[][]): Promise<void> {
    const mine = generation;
    const filter = { pattern: pattern.value || null, status: status.value || null };
    replace(results, loading());
    try {
      const { flags } = await gql<{
        flags: { totalCount: number; nodes: (FlagSummary & { suppliers: { name: string }[] })[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      }>(QUEUE, { filter, after });
      if (mine !== generation) return;
      rows.push(
        ...flags.nodes.map((f) => [
          h("a", { href: `#/flags/${f.id}`, "data-testid": "flag-link" }, label("pattern", f.pattern), h("span", { class: "hint" }, ` ${f.title}`)),
          flagStatus(f.status),
          `${Math.round(f.confidence * 100)}%`,
          f.suppliers.map((s) => s.name).join("、") || "—",
          f.lotId ? f.lotId.replace(/^lot:/, "") : "—",
          when(f.firstSeen),
        ]),
      );
      const more = flags.pageInfo.hasNextPage
        ? h("button", { type: "button", class: "secondary", onclick: () => void show(flags.pageInfo.endCursor, rows) }, bi("更多", "More"))
        : null;
      replace(
        results,
        table(
          h("span", { "data-testid": "flag-count" }, bi(`预警：共 ${flags.totalCount} 条，已显示 ${rows.length} 条`, `${flags.totalCount} flags in all, ${rows.length} shown`)),
          [bi("模式", "Pattern"), bi("状态", "Status"), bi("置信度", "Confidence"), bi("供应商", "Suppliers"), bi("标段", "Lot"), bi("首次发现", "First seen")],
          rows,
          bi("没有符合条件的预警。", "No flags match."),
        ),
        more,
      );
    } catch (error) {
      if (mine === generation) replace(results, errorBox(error));
    }
  }
  void show(null, []);
}

function bidChart(flag: FlagDetail): HTMLElement {
  const toPoint = (b: BidPoint): { x: number; y: number } => ({ x: Date.parse(b.submittedAt), y: Number(b.price.amount) });
  const datasets: ChartDataset<"scatter">[] = flag.suppliers.map((s, i) => ({
    label: s.name,
    data: s.bids.map(toPoint),
    backgroundColor: SERIES[i % SERIES.length],
    borderColor: SERIES[i % SERIES.length],
    pointStyle: (["circle", "triangle", "rect", "rectRot", "star", "cross", "crossRot"] as const)[i % 7],
    pointRadius: 5,
  }));
  if (flag.lot) {
    datasets.push({
      label: `本标段 This lot: ${flag.lot.name}`,
      data: flag.lot.bids.map(toPoint),
      backgroundColor: "rgba(0,0,0,0)",
      borderColor: "#111111",
      borderWidth: 2,
      pointStyle: "circle",
      pointRadius: 10,
    });
  }
  const canvas = h("canvas", {
    role: "img",
    "aria-label": "投标报价随时间变化图，数据见下表 Bid prices over time; the data table follows",
  });
  const dateOf = (v: number): string => new Date(v).toISOString().slice(0, 10);
  new Chart(canvas, {
    type: "scatter",
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        title: { display: true, text: "投标报价 Bid prices (本标段为空心大圆 this lot: large rings)" },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${dateOf(c.parsed.x ?? 0)} · ${(c.parsed.y ?? 0).toLocaleString("zh-CN")}` } },
      },
      scales: {
        x: { type: "linear", title: { display: true, text: "递交时间 Submitted" }, ticks: { callback: (v) => dateOf(Number(v)) } },
        y: { title: { display: true, text: "报价 Price (CNY)" } },
      },
    },
  });
  const rows = flag.suppliers.flatMap((s) => s.bids.map((b) => [s.name, b.lot?.lotId ?? "—", when(b.submittedAt), money(b.price)]));
  return h(
    "div",
    {},
    h("div", { class: "chart" }, canvas),
    h("details", {}, h("summary", {}, bi("查看数据表", "Show the data")), table(bi("投标", "Bids"), [bi("供应商", "Supplier"), bi("标段", "Lot"), bi("时间", "Time"), bi("报价", "Price")], rows, "—")),
  );
}

interface Reviewed {
  reviewFlag: { flag: { id: string; status: string }; drafts: { id: string; subjectUscc: string; category: string }[] };
}

/** What a review did, said in words: the new status, and the draft violation if one was opened. */
function reviewNotice(decision: string, asked: boolean, result: Reviewed): HTMLElement {
  const { flag, drafts } = result.reviewFlag;
  return h(
    "div",
    { class: "notice", role: "status", "data-testid": "review-done" },
    h("strong", {}, bi(`已提交复核：${decision === "CONFIRM" ? "确认" : "排除"}`, `Review filed: ${decision === "CONFIRM" ? "confirmed" : "dismissed"}`)),
    " · ",
    bi("预警状态", "Flag status"),
    " ",
    flagStatus(flag.status),
    h(
      "p",
      {},
      drafts.length
        ? [
            bi(`已生成 ${drafts.length} 份违法记录草稿（待审核，不自动处罚）：`, `${drafts.length} draft violation(s) opened (for review; never a penalty by itself): `),
            drafts.map((d) => h("span", {}, " ", h("a", { href: `#/report/${d.subjectUscc}`, "data-testid": "draft-link" }, d.id), ` （${textOf("category", d.category)}）`)),
          ]
        : asked
          ? bi("未生成违法记录草稿。", "No draft violation was opened.")
          : bi("未要求生成违法记录草稿。", "No draft violation was asked for."),
    ),
  );
}

function reviewForm(flag: FlagDetail, done: (notice: HTMLElement) => void): HTMLElement {
  const reason = h("textarea", { id: "reason", name: "reason", required: true, rows: 3 });
  const draft = h("input", { id: "draft", type: "checkbox" });
  const out = h("div", { "aria-live": "polite" });
  const choice = (value: string, zh: string, en: string): HTMLElement =>
    h("div", { class: "check" }, h("input", { type: "radio", name: "decision", id: `d-${value}`, value, required: true }), h("label", { for: `d-${value}` }, bi(zh, en)));
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "review-h" },
    h("h2", { id: "review-h" }, bi("复核", "Review")),
    h("fieldset", {}, h("legend", {}, bi("结论", "Decision")), choice("CONFIRM", "确认", "Confirm"), choice("DISMISS", "排除", "Dismiss")),
    h("label", { for: "reason" }, bi("理由（必填，存档）", "Reason (required, kept on file)")),
    reason,
    h("div", { class: "check" }, draft, h("label", { for: "draft" }, bi("确认时生成违法记录草稿（不自动处罚）", "On confirm, draft a violation (never a penalty by itself)"))),
    h("button", { type: "submit" }, bi("提交复核", "Submit review")),
    out,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const decision = (form.querySelector("input[name=decision]:checked") as HTMLInputElement | null)?.value;
    if (!decision) return;
    try {
      const result = await gql<Reviewed>(REVIEW, { id: flag.id, decision, reason: reason.value, draft: draft.checked });
      done(reviewNotice(decision, draft.checked, result));
    } catch (error) {
      replace(out, errorBox(error));
    }
  });
  return form;
}

/** The shared document sections of a mixed-up documents flag, named by bidder. */
function sectionsRow(flag: FlagDetail): [Node, HTMLElement][] {
  const names = new Map(flag.suppliers.map((s) => [s.uscc, s.name] as [string, string]));
  const shown = sharedSections(flag.facts, names);
  return shown ? [[bi("共用章节", "Shared sections"), shown]] : [];
}

function flagDetail(main: HTMLElement, id: string): void {
  const body = h("div", {}, loading());
  main.append(h("h1", {}, bi("预警", "Flag")), h("p", {}, h("a", { href: "#/flags" }, bi("← 返回列表", "Back to the queue"))), body);
  const render = (notice: HTMLElement | null = null): void =>
    void fill(body, async () => {
      const { flag } = await gql<{ flag: FlagDetail | null }>(FLAG, { id });
      if (!flag) throw new Error(`没有编号为 ${id} 的预警 No such flag`);
      const graph = h("div", { class: "graph small", "data-testid": "evidence-graph", role: "img", "aria-label": "证据关系图，节点见下表 Evidence graph; nodes listed below" });
      const nodeInfo = h("div", { "aria-live": "polite" });
      const parts = [
        notice,
        h(
          "section",
          { class: "card", "aria-labelledby": "flag-h" },
          h("h2", { id: "flag-h" }, label("pattern", flag.pattern), " ", flagStatus(flag.status)),
          h("p", { "data-testid": "flag-status", "data-status": flag.status }, sentence(flag.message)),
          facts([
            [bi("模式", "Pattern"), label("pattern", flag.pattern)],
            [bi("法律依据", "Legal basis"), flag.legalBasis],
            [bi("置信度", "Confidence"), `${Math.round(flag.confidence * 100)}%`],
            [bi("供应商", "Suppliers"), h("span", {}, flag.suppliers.map((s, i) => [i ? "、" : "", h("a", { href: `#/report/${s.uscc}` }, s.name)]))],
            [bi("标段", "Lot"), flag.lot ? h("a", { href: `#/lot/${flag.lot.lotId}` }, `${flag.lot.name}（${flag.lot.lotId}）`) : "—"],
            [bi("事实", "Facts"), h("details", {}, h("summary", {}, bi("技术细节（检测器记录的事实）", "Details (the facts the detector recorded)")), h("code", { class: "facts-json" }, JSON.stringify(flag.facts)))],
            ...sectionsRow(flag),
            [bi("首次 / 最近发现", "First / last seen"), `${when(flag.firstSeen)} / ${when(flag.lastSeen)}`],
          ]),
        ),
        h("section", { class: "card", "aria-labelledby": "ev-h" }, h("h2", { id: "ev-h" }, bi("证据图", "Evidence")), graph, nodeInfo,
          table(bi("证据节点", "Evidence nodes"), [bi("类型", "Kind"), bi("名称", "Name"), bi("编号", "Id")], flag.evidence.nodes.map((n) => [kind(n.kind), n.name ?? "—", h("code", {}, n.id)]), "—")),
        h("section", { class: "card", "aria-labelledby": "chart-h" }, h("h2", { id: "chart-h" }, bi("报价图", "Bid chart")), bidChart(flag)),
        h(
          "section",
          { class: "card", "aria-labelledby": "rev-h" },
          h("h2", { id: "rev-h" }, bi("复核记录", "Reviews")),
          table(bi("复核", "Reviews"), [bi("结论", "Decision"), bi("理由", "Reason"), bi("复核人", "Reviewer"), bi("时间", "At"), bi("原状态", "Was")],
            flag.reviews.map((r) => [label("reviewDecision", r.decision), r.reason, r.reviewerName, when(r.at), label("flagStatus", r.previousStatus)]), bi("尚未复核。", "Not reviewed yet.")),
        ),
        hasRole("SUPERVISOR") ? reviewForm(flag, (n) => render(n)) : null,
      ];
      setTimeout(() => {
        const view = new GraphView(graph, (n) =>
          replace(nodeInfo, h("h3", {}, kind(n.kind), "：", n.name ?? n.id), facts(visibleProperties(n.properties).map(([k, v]): [string, string] => [k, v]))),
        );
        view.add(flag.evidence.nodes, flag.evidence.edges);
        view.markBanned(beijingToday());
        void view.layout();
      }, 0); // once `fill` has put the container in the page
      return parts;
    });
  render();
}
