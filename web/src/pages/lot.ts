// The lot check at qualification review: one verdict for the lot at the top (who may take
// part, who needs review and why), then every bidder with its decision, its flags and its
// Art. 18 conflicts side by side (ineligible and flagged bidders first), the lot, its bid
// screens, and the check record. A check is filed only when the purchaser asks for it; the
// result is kept for the tab, so going Back shows it again without filing another record.
import { CHECK_CACHE, gql } from "../api";
import { bi, errorBox, facts, field, fill, h, inlineForm, loading, replace, table } from "../dom";
import { decision, label, money, pairOf, sentence, textOf, when } from "../labels";
import { sharedSections } from "./sections";
import { CHECK_REF_FIELDS, type CheckRef, FLAG_FIELDS, type FlagSummary, type Reason, checkRecordBox, datesRoute, flagsTable, reasonsTable } from "./report";

interface Bidder {
  supplierId: string;
  decision: string;
  reasons: Reason[];
  supplier: { uscc: string; name: string } | null;
}
interface Conflict {
  code: string;
  supplierIds: string[];
  via: string[];
  legalBasis: string;
  message: string;
}
interface LotCheck {
  lotId: string;
  decision: string;
  asOf: string;
  knownAt: string | null;
  bidders: Bidder[];
  conflicts: Conflict[];
  checkRecord: CheckRef;
}
interface LotInfo {
  lotId: string;
  name: string;
  budget: { amount: string; currency: string } | null;
  bidDeadline: string | null;
  project: { name: string; projectId: string; purchaser: { name: string } | null; agency: { name: string } | null } | null;
  bids: { bidId: string; price: { amount: string; currency: string }; submittedAt: string; status: string; supplier: { id: string; uscc: string; name: string } | null }[];
}
interface Screens {
  bids: number;
  coefficientOfVariation: number | null;
  relativeDistance: number | null;
  kurtosis: number | null;
  skewness: number | null;
  spread: number | null;
}
type Verdict = "EXCLUDE" | "REVIEW" | "CLEAR";
interface Row {
  bidder: Bidder;
  name: string;
  flags: FlagSummary[];
  conflicts: Conflict[];
  verdict: Verdict;
}

const LOT = `query($id: ID!) { lot(id: $id) { lotId name budget { amount currency } bidDeadline
  project { projectId name purchaser { name } agency { name } }
  bids { bidId price { amount currency } submittedAt status supplier { id uscc name } } } }`;
const CHECK = `query($id: ID!, $asOf: Date, $knownAt: DateTime) { lotEligibility(lotId: $id, asOf: $asOf, knownAt: $knownAt) {
  lotId decision asOf knownAt bidders { supplierId decision reasons { code decision legalBasis message recordIds until } supplier { uscc name } }
  conflicts { code supplierIds via legalBasis message } checkRecord { ${CHECK_REF_FIELDS} } } }`;
const FLAGS = `query($id: ID!) { lotFlags(lotId: $id) { ran
  screens { bids coefficientOfVariation relativeDistance kurtosis skewness spread }
  flags { ${FLAG_FIELDS} facts } } }`;

const CACHE = CHECK_CACHE;
const RANK: Record<Verdict, number> = { EXCLUDE: 0, REVIEW: 1, CLEAR: 2 };
const num = (x: number | null): string => (x === null ? "—" : x.toFixed(3));
const orgKey = (id: string): string => id.replace(/^org:/, "");

/** The check filed for this lot and these dates in this tab, if any (cleared at sign-out). */
function cached(key: string): LotCheck | null {
  const raw = sessionStorage.getItem(CACHE + key);
  return raw ? (JSON.parse(raw) as LotCheck) : null;
}

function rows(check: LotCheck, flags: FlagSummary[]): Row[] {
  const live = flags.filter((f) => f.status !== "DISMISSED");
  const made = check.bidders.map((b): Row => {
    const id = orgKey(b.supplierId);
    const own = live.filter((f) => f.supplierIds.some((s) => orgKey(s) === id));
    const conflicts = check.conflicts.filter((c) => c.supplierIds.some((s) => orgKey(s) === id));
    const verdict: Verdict =
      b.decision === "INELIGIBLE" ? "EXCLUDE" : b.decision === "REVIEW" || own.length > 0 || conflicts.length > 0 ? "REVIEW" : "CLEAR";
    return { bidder: b, name: b.supplier?.name ?? b.supplierId, flags: own, conflicts, verdict };
  });
  // ineligible first, then those needing review (most flags first), then the clear ones
  return made.sort((a, b) => RANK[a.verdict] - RANK[b.verdict] || b.flags.length - a.flags.length || a.name.localeCompare(b.name, "zh-CN"));
}

function verdictBadge(v: Verdict): HTMLSpanElement {
  const el = label("verdict", v);
  el.classList.add("badge", `verdict-${v.toLowerCase()}`);
  el.dataset.verdict = v;
  return el;
}

/** Why a bidder is where it is, in a few words: reason labels, flag patterns, conflicts. */
function why(row: Row): string {
  const parts = [
    ...row.bidder.reasons.map((r) => pairOf("reason", r.code)[0] ?? r.code),
    ...row.flags.map((f) => `${pairOf("pattern", f.pattern)[0]}（${Math.round(f.confidence * 100)}%）`),
    ...(row.conflicts.length && !row.bidder.reasons.length ? ["第十八条关联关系"] : []),
  ];
  return [...new Set(parts)].join("、");
}

function verdictPanel(all: Row[], check: LotCheck): HTMLElement {
  const by = (v: Verdict): Row[] => all.filter((r) => r.verdict === v);
  const [exclude, review, clear] = [by("EXCLUDE"), by("REVIEW"), by("CLEAR")];
  const headline =
    exclude.length + review.length === 0
      ? bi(`全部 ${all.length} 家投标人可参加`, `All ${all.length} bidders may take part`)
      : bi(
          `${exclude.length} 家不得参加，${review.length} 家需复核，${clear.length} 家可参加`,
          `${exclude.length} may not take part, ${review.length} need review, ${clear.length} may take part`,
        );
  const group = (v: Verdict, list: Row[]): HTMLElement | null =>
    list.length === 0
      ? null
      : h(
          "div",
          { class: `verdict-group verdict-group-${v.toLowerCase()}` },
          h("h3", {}, verdictBadge(v), ` ${list.length}`),
          h("ul", {}, list.map((r) => h("li", {}, h("strong", {}, r.name), v === "CLEAR" ? "" : `：${why(r)}`))),
        );
  return h(
    "section",
    { class: `card verdict verdict-${(exclude.length ? "EXCLUDE" : review.length ? "REVIEW" : "CLEAR").toLowerCase()}`, "data-testid": "lot-verdict", "aria-labelledby": "verdict-h" },
    h("h2", { id: "verdict-h" }, bi("审查结论", "Verdict"), "：", headline),
    h("p", { class: "hint" }, bi(`按 ${check.asOf} 的法律状态${check.knownAt ? `，已知截至 ${when(check.knownAt)}` : ""}`, `as of ${check.asOf}`), " · ", bi("整体", "Overall"), " ", decision(check.decision)),
    group("EXCLUDE", exclude),
    group("REVIEW", review),
    group("CLEAR", clear),
  );
}

function bidderFlags(flags: FlagSummary[]): HTMLElement | null {
  if (flags.length === 0) return null;
  return table(
    bi("涉及该投标人的预警", "Flags about this bidder"),
    [bi("模式", "Pattern"), bi("置信度", "Confidence"), bi("状态", "Status"), bi("法律依据", "Legal basis")],
    flags.map((f) => [
      h("a", { href: `#/flags/${f.id}`, "data-testid": "bidder-flag" }, label("pattern", f.pattern)),
      `${Math.round(f.confidence * 100)}%`,
      label("flagStatus", f.status),
      f.legalBasis,
    ]),
    "",
  );
}

function bidderRow(row: Row, names: Map<string, string>): HTMLElement {
  const b = row.bidder;
  const clean = b.reasons.length === 0 && row.flags.length === 0 && row.conflicts.length === 0;
  return h(
    "li",
    { class: `card inner bidder verdict-${row.verdict.toLowerCase()}`, "data-testid": "bidder", "data-verdict": row.verdict },
    h(
      "h3",
      {},
      b.supplier ? h("a", { href: `#/report/${b.supplier.uscc}` }, b.supplier.name) : b.supplierId,
      " ",
      verdictBadge(row.verdict),
      " ",
      h("span", { class: "hint" }, bi("资格", "Eligibility"), " ", decision(b.decision)),
    ),
    clean ? h("p", { class: "empty" }, bi("无不利记录、无预警。", "No adverse records, no flags.")) : null,
    b.reasons.length ? reasonsTable(b.reasons) : null,
    bidderFlags(row.flags),
    row.conflicts.length
      ? table(
          bi("第十八条关联关系", "Art. 18 conflicts"),
          [bi("与", "With"), bi("说明", "Finding"), bi("法律依据", "Legal basis")],
          row.conflicts.map((c) => [
            c.supplierIds.filter((s) => orgKey(s) !== orgKey(b.supplierId)).map((s) => names.get(orgKey(s)) ?? s).join("、"),
            sentence(c.message),
            c.legalBasis,
          ]),
          "",
        )
      : null,
  );
}

export function lotPage(main: HTMLElement, arg: string): void {
  const run = arg.endsWith("/check");
  const [lotId = "", asOf = "", knownRaw = ""] = (run ? arg.slice(0, -"/check".length) : arg).split("@");
  const knownAt = decodeURIComponent(knownRaw);
  const here = datesRoute(`#/lot/${encodeURIComponent(lotId)}`, asOf, knownAt);
  const key = `${lotId}@${asOf}@${knownAt}`;
  const idInput = h("input", { id: "lot-id", name: "lot-id", required: true, value: lotId, autocomplete: "off", maxlength: 200 });
  const dateInput = h("input", { id: "as-of", name: "as-of", type: "date", value: asOf });
  const knownInput = h("input", { id: "known-at", name: "known-at", type: "datetime-local", value: knownAt });
  const form = inlineForm(
    [
      field(idInput, "标段编号", "Lot id"),
      field(dateInput, "审查日期（默认投标截止日）", "As of (default the bid deadline)"),
      field(knownInput, "已知截至（可选，北京时间）", "Known at (optional, Beijing time)"),
    ],
    "审查",
    "Check",
    () => {
      const id = encodeURIComponent(idInput.value.trim());
      location.hash = `${datesRoute(`#/lot/${id}`, dateInput.value, knownInput.value)}/check`;
    },
  );
  form.classList.add("no-print");
  main.append(h("h1", {}, bi("标段资格审查", "Lot check")), form);
  if (!lotId) {
    idInput.focus();
    return;
  }
  if (run) history.replaceState(null, "", here); // Back returns to the result, not to a new check

  const summary = h("p", { class: "lot-summary", "data-testid": "lot-summary" }, loading());
  const checkBody = h("div", { "data-testid": "lot-check" }, loading());
  const info = h("section", { class: "card", "aria-labelledby": "lot-h" }, h("h2", { id: "lot-h" }, bi("标段与投标", "Lot and bids")));
  const infoBody = h("div", {}, loading());
  info.append(infoBody);
  const flagSec = h("section", { class: "card", "aria-labelledby": "lotflags-h" }, h("h2", { id: "lotflags-h" }, bi("预警与报价筛查", "Flags and bid screens")));
  const flagBody = h("div", {}, loading());
  flagSec.append(flagBody);
  main.append(summary, checkBody, info, flagSec);

  const lot = gql<{ lot: LotInfo | null }>(LOT, { id: lotId }).then((d) => d.lot);
  const flags = lot.then((found) =>
    found ? gql<{ lotFlags: { ran: boolean; screens: Screens | null; flags: (FlagSummary & { facts?: Record<string, unknown> })[] } }>(FLAGS, { id: lotId }).then((d) => d.lotFlags) : null,
  );

  const fileCheck = async (): Promise<LotCheck> => {
    const { lotEligibility } = await gql<{ lotEligibility: LotCheck }>(CHECK, { id: lotId, asOf: asOf || null, knownAt: knownAt || null });
    sessionStorage.setItem(CACHE + key, JSON.stringify(lotEligibility));
    return lotEligibility;
  };

  const showCheck = async (check: LotCheck, fresh: boolean): Promise<void> => {
    const lotFlags = await flags;
    const all = rows(check, lotFlags?.flags ?? []);
    const names = new Map(all.map((r) => [orgKey(r.bidder.supplierId), r.name]));
    const again = h("button", { type: "button", class: "secondary no-print", "data-testid": "run-again" }, bi("重新审查（另行归档）", "Check again (files a new record)"));
    again.addEventListener("click", () => {
      location.hash = `${here}/check`;
    });
    replace(
      checkBody,
      verdictPanel(all, check),
      h(
        "section",
        { class: "card", "aria-labelledby": "bidders-h" },
        h("h2", { id: "bidders-h" }, bi("投标人", "Bidders"), h("span", { class: "hint" }, ` ${all.length}`)),
        h("ul", { class: "bidders" }, all.map((r) => bidderRow(r, names))),
        checkRecordBox(check.checkRecord),
        h(
          "p",
          { class: "actions", "data-testid": "check-filed" },
          fresh
            ? bi("本次审查已归档。", "This check has been filed.")
            : bi("这是本窗口此前归档的审查结果，未重新归档。", "This is the check filed earlier in this tab; nothing new was filed."),
          again,
        ),
      ),
    );
  };

  const askToRun = (): void => {
    const button = h("button", { type: "button", "data-testid": "run-check" }, bi("审查并归档", "Run the check and file it"));
    button.addEventListener("click", () => {
      location.hash = `${here}/check`;
    });
    replace(
      checkBody,
      h(
        "section",
        { class: "card", "data-testid": "check-not-run" },
        h("h2", {}, bi("资格审查", "Qualification check")),
        h("p", {}, bi("审查会生成一条查询记录（归档凭证）。", "Running the check files a check record for the procurement file.")),
        button,
      ),
    );
  };

  void (async () => {
    try {
      const found = await lot;
      if (!found) {
        // one message for the whole page, and nothing filed
        replace(summary);
        info.remove();
        flagSec.remove();
        replace(checkBody, h("div", { class: "error", role: "alert", "data-testid": "not-found" }, h("strong", {}, textOf("message", "lot_not_found")), `：${lotId}`));
        return;
      }
      replace(
        summary,
        h("strong", {}, found.name),
        ` · ${found.project ? `${found.project.name}（${found.project.projectId}）` : "—"} · `,
        bi("采购人", "Purchaser"),
        ` ${found.project?.purchaser?.name ?? "—"} · `,
        bi("投标截止", "Bid deadline"),
        ` ${when(found.bidDeadline)}`,
      );
      const earlier = run ? null : cached(key);
      if (earlier) await showCheck(earlier, false);
      else if (run) {
        replace(checkBody, loading());
        await showCheck(await fileCheck(), true);
      } else askToRun();
    } catch (error) {
      replace(checkBody, errorBox(error));
    }
  })();

  void fill(infoBody, async () => {
    const found = await lot;
    if (!found) return null;
    return [
      facts([
        [bi("名称", "Name"), found.name],
        [bi("标段编号", "Lot id"), h("code", {}, found.lotId)],
        [bi("项目", "Project"), found.project ? `${found.project.name}（${found.project.projectId}）` : "—"],
        [bi("采购人", "Purchaser"), found.project?.purchaser?.name ?? "—"],
        [bi("代理机构", "Agency"), found.project?.agency?.name ?? "—"],
        [bi("预算", "Budget"), money(found.budget)],
        [bi("投标截止", "Bid deadline"), when(found.bidDeadline)],
      ]),
      table(
        bi("投标", "Bids"),
        [bi("投标人", "Bidder"), bi("报价", "Price"), bi("递交时间", "Submitted"), bi("状态", "Status")],
        found.bids.map((b) => [
          b.supplier ? h("a", { href: `#/report/${b.supplier.uscc}` }, b.supplier.name) : "—",
          money(b.price),
          when(b.submittedAt),
          label("bidStatus", b.status),
        ]),
        bi("没有投标。", "No bids."),
      ),
    ];
  });

  void fill(flagBody, async () => {
    const [found, lotFlags] = await Promise.all([lot, flags]);
    if (!found || !lotFlags) return null;
    const names = new Map(found.bids.flatMap((b) => (b.supplier ? [[orgKey(b.supplier.id), b.supplier.name] as [string, string]] : [])));
    const s = lotFlags.screens;
    return [
      flagsTable(lotFlags.flags, bi("本标段预警", "Flags of this lot"), names),
      // mixed-up bid documents: which sections the bidders share, and where
      lotFlags.flags.filter((f) => f.status !== "DISMISSED").map((f) => sharedSections(f.facts, names)),
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

