// The lot check at qualification review: every bidder with its decision and reasons, the
// Art. 18 conflicts between them, the lot's flags and bid screens, and the check record.
import { gql } from "../api";
import { bi, facts, field, inlineForm, fill, h, loading, table } from "../dom";
import { day, decision, money } from "../labels";
import { CHECK_REF_FIELDS, type CheckRef, FLAG_FIELDS, type FlagSummary, type Reason, checkRecordBox, datesRoute, flagsTable, reasonsTable } from "./report";

interface Bidder {
  supplierId: string;
  decision: string;
  reasons: Reason[];
  supplier: { uscc: string; name: string } | null;
}
interface LotCheck {
  lotId: string;
  decision: string;
  asOf: string;
  knownAt: string | null;
  bidders: Bidder[];
  conflicts: { code: string; supplierIds: string[]; via: string[]; legalBasis: string; message: string }[];
  checkRecord: CheckRef;
}
interface LotInfo {
  lotId: string;
  name: string;
  budget: { amount: string; currency: string } | null;
  bidDeadline: string | null;
  project: { name: string; projectId: string; purchaser: { name: string } | null; agency: { name: string } | null } | null;
  bids: { bidId: string; price: { amount: string; currency: string }; submittedAt: string; status: string; supplier: { uscc: string; name: string } | null }[];
}
interface Screens {
  bids: number;
  coefficientOfVariation: number | null;
  relativeDistance: number | null;
  kurtosis: number | null;
  skewness: number | null;
  spread: number | null;
}

const LOT = `query($id: ID!) { lot(id: $id) { lotId name budget { amount currency } bidDeadline
  project { projectId name purchaser { name } agency { name } }
  bids { bidId price { amount currency } submittedAt status supplier { uscc name } } } }`;
const CHECK = `query($id: ID!, $asOf: Date, $knownAt: DateTime) { lotEligibility(lotId: $id, asOf: $asOf, knownAt: $knownAt) {
  lotId decision asOf knownAt bidders { supplierId decision reasons { code decision legalBasis message recordIds until } supplier { uscc name } }
  conflicts { code supplierIds via legalBasis message } checkRecord { ${CHECK_REF_FIELDS} } } }`;
const FLAGS = `query($id: ID!) { lotFlags(lotId: $id) { ran
  screens { bids coefficientOfVariation relativeDistance kurtosis skewness spread }
  flags { ${FLAG_FIELDS} } } }`;

const num = (x: number | null): string => (x === null ? "—" : x.toFixed(3));

export function lotPage(main: HTMLElement, arg: string): void {
  const [lotId = "", asOf = "", knownRaw = ""] = arg.split("@");
  const knownAt = decodeURIComponent(knownRaw);
  const idInput = h("input", { id: "lot-id", name: "lot-id", required: true, value: lotId, autocomplete: "off" });
  const dateInput = h("input", { id: "as-of", name: "as-of", type: "date", value: asOf });
  const knownInput = h("input", { id: "known-at", name: "known-at", type: "datetime-local", value: knownAt });
  const form = inlineForm(
    [
      field(idInput, "标段编号", "Lot id"),
      field(dateInput, "审查日期（默认投标截止日）", "As of (default the bid deadline)"),
      field(knownInput, "已知截至（可选，北京时间）", "Known at (optional, China time)"),
    ],
    "审查",
    "Check",
    () => {
      const id = encodeURIComponent(idInput.value.trim());
      location.hash = datesRoute(`#/lot/${id}`, dateInput.value, knownInput.value);
    },
  );
  main.append(h("h1", {}, bi("标段资格审查", "Lot check")), form);
  if (!lotId) {
    idInput.focus();
    return;
  }
  const info = h("section", { class: "card", "aria-labelledby": "lot-h" }, h("h2", { id: "lot-h" }, bi("标段", "Lot")));
  const infoBody = h("div", {}, loading());
  info.append(infoBody);
  const check = h("section", { class: "card", "aria-labelledby": "bidders-h" }, h("h2", { id: "bidders-h" }, bi("投标人资格", "Bidders")));
  const checkBody = h("div", { "data-testid": "lot-check" }, loading());
  check.append(checkBody);
  const flagSec = h("section", { class: "card", "aria-labelledby": "lotflags-h" }, h("h2", { id: "lotflags-h" }, bi("预警与报价筛查", "Flags and bid screens")));
  const flagBody = h("div", {}, loading());
  flagSec.append(flagBody);
  main.append(info, check, flagSec);

  void fill(infoBody, async () => {
    const { lot } = await gql<{ lot: LotInfo | null }>(LOT, { id: lotId });
    if (!lot) throw new Error(`没有编号为 ${lotId} 的标段 No lot with this id`);
    return [
      facts([
        [bi("名称", "Name"), lot.name],
        [bi("项目", "Project"), lot.project ? `${lot.project.name}（${lot.project.projectId}）` : "—"],
        [bi("采购人", "Purchaser"), lot.project?.purchaser?.name ?? "—"],
        [bi("代理机构", "Agency"), lot.project?.agency?.name ?? "—"],
        [bi("预算", "Budget"), money(lot.budget)],
        [bi("投标截止", "Bid deadline"), lot.bidDeadline ?? "—"],
      ]),
      table(
        bi("投标", "Bids"),
        [bi("投标人", "Bidder"), bi("报价", "Price"), bi("递交时间", "Submitted"), bi("状态", "Status")],
        lot.bids.map((b) => [
          b.supplier ? h("a", { href: `#/report/${b.supplier.uscc}` }, b.supplier.name) : "—",
          money(b.price),
          b.submittedAt,
          b.status,
        ]),
        bi("没有投标。", "No bids."),
      ),
    ];
  });

  void fill(checkBody, async () => {
    const { lotEligibility: c } = await gql<{ lotEligibility: LotCheck }>(CHECK, {
      id: lotId,
      asOf: asOf || null,
      knownAt: knownAt || null,
    });
    const names = new Map(c.bidders.map((b) => [b.supplierId, b.supplier?.name ?? b.supplierId]));
    return [
      h("p", { class: "decision-line" }, bi("整体结论", "Overall"), "：", decision(c.decision), ` （${day(c.asOf)}${c.knownAt ? ` · 已知截至 known at ${c.knownAt}` : ""}）`),
      h(
        "ul",
        { class: "bidders" },
        c.bidders.map((b) =>
          h(
            "li",
            { class: "card inner", "data-testid": "bidder" },
            h(
              "h3",
              {},
              b.supplier ? h("a", { href: `#/report/${b.supplier.uscc}` }, b.supplier.name) : b.supplierId,
              " ",
              decision(b.decision),
            ),
            reasonsTable(b.reasons),
          ),
        ),
      ),
      h("h3", {}, bi("关联关系冲突（实施条例第十八条）", "Participation conflicts (Regs Art. 18)")),
      table(
        bi("冲突", "Conflicts"),
        [bi("供应商", "Suppliers"), bi("说明", "Finding"), bi("经由", "Via"), bi("法律依据", "Legal basis")],
        c.conflicts.map((x) => [x.supplierIds.map((id) => names.get(id) ?? id).join("、"), x.message, x.via.join(", ") || "—", x.legalBasis]),
        bi("投标人之间未发现第十八条冲突。", "No Art. 18 conflicts among the bidders."),
      ),
      checkRecordBox(c.checkRecord),
    ];
  });

  void fill(flagBody, async () => {
    const { lotFlags } = await gql<{ lotFlags: { ran: boolean; screens: Screens | null; flags: FlagSummary[] } }>(FLAGS, { id: lotId });
    const s = lotFlags.screens;
    return [
      flagsTable(lotFlags.flags, bi("本标段预警", "Flags of this lot")),
      h("h3", {}, bi("报价统计筛查", "Bid screens")),
      s
        ? facts([
            [bi("有效投标数", "Bids"), String(s.bids)],
            [bi("变异系数", "Coefficient of variation"), num(s.coefficientOfVariation)],
            [bi("相对距离", "Relative distance"), num(s.relativeDistance)],
            [bi("峰度", "Kurtosis"), num(s.kurtosis)],
            [bi("偏度", "Skewness"), num(s.skewness)],
            [bi("极差", "Spread"), num(s.spread)],
          ])
        : h("p", { class: "empty" }, bi("投标不足，无法筛查。", "Too few bids to screen.")),
    ];
  });
}
