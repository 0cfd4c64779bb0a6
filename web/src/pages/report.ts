// The credit report a purchaser files: score and grade with the explanation as a timeline,
// current eligibility with reasons and legal basis, open and confirmed flags, and the check
// record (id and SHA-256) that the A4 printout carries. A supplier check is filed only when the
// user asks for it ("#/report/USCC/check"); the result is kept for the tab, so returning to the
// page shows it again without filing another record (as the lot check does).
import { CHECK_CACHE, gql, session } from "../api";
import { bi, errorBox, facts, field, fill, h, inlineForm, loading, replace, table } from "../dom";
import { day, decision, flagStatus, label, money, pairOf, region, sentence, when } from "../labels";

interface Contribution {
  recordId: string;
  points: string;
  basis: string;
  countedFrom: string;
  countedUntil: string | null;
  reason: string;
}
interface Profile {
  score: string;
  base: string;
  grade: string;
  asOf: string;
  knownAt: string | null;
  policyVersion: string;
  cappedBy: string[];
  explanation: Contribution[];
}
export interface Reason {
  code: string;
  decision: string;
  legalBasis: string;
  message: string;
  recordIds: string[];
  until: string | null;
}
export interface CheckRef {
  id: string;
  contentHash: string;
  requestedAt: string;
  algorithm: string | null;
  keyId: string | null;
  signature: string | null;
  logIndex: number | null;
}
/** The check-record fields every page asks for (the printout shows the signature). */
export const CHECK_REF_FIELDS = "id contentHash requestedAt algorithm keyId signature logIndex";
interface Eligibility {
  decision: string;
  asOf: string;
  knownAt: string | null;
  policyVersion: string;
  reasons: Reason[];
  checkRecord: CheckRef;
}
export interface FlagSummary {
  id: string;
  pattern: string;
  title: string;
  status: string;
  confidence: number;
  legalBasis: string;
  message: string;
  lotId: string | null;
  supplierIds: string[];
  firstSeen: string;
}
interface Org {
  id: string;
  uscc: string;
  name: string;
  roles: string[];
  region: string | null;
  registeredOn: string | null;
  address: string | null;
  violations: {
    violationId: string;
    decisionNumber: string;
    category: string;
    severity: string;
    authority: string;
    basis: string;
    decidedOn: string;
    banEnd: string | null;
    status: string;
    fine: { amount: string; currency: string } | null;
  }[];
  listings: { listingId: string; list: string; authority: string; listedOn: string; validUntil: string | null; retractedOn: string | null }[];
}

const ORG = `query($u: String!) { organization(uscc: $u) {
  id uscc name roles region registeredOn address
  violations { violationId decisionNumber category severity authority basis decidedOn banEnd status fine { amount currency } }
  listings { listingId list authority listedOn validUntil retractedOn } } }`;
const PROFILE = `query($u: String!, $asOf: Date, $knownAt: DateTime) { creditProfile(uscc: $u, asOf: $asOf, knownAt: $knownAt) {
  score base grade asOf knownAt policyVersion cappedBy
  explanation { recordId points basis countedFrom countedUntil reason } } }`;
const ELIGIBILITY = `query($u: String!, $asOf: Date, $knownAt: DateTime) { supplierEligibility(uscc: $u, asOf: $asOf, knownAt: $knownAt) {
  decision asOf knownAt policyVersion reasons { code decision legalBasis message recordIds until }
  checkRecord { ${CHECK_REF_FIELDS} } } }`;
export const FLAG_FIELDS = "id pattern title status confidence legalBasis message lotId supplierIds firstSeen";
const FLAGS = `query($u: String!) { flags(filter: { supplierUscc: $u }, first: 100) { nodes { ${FLAG_FIELDS} } } }`;

export function reasonsTable(reasons: Reason[]): HTMLElement {
  return table(
    bi("理由", "Reasons"),
    [bi("结论", "Decision"), bi("说明", "Reason"), bi("法律依据", "Legal basis"), bi("有效至", "Until"), bi("依据记录", "Records")],
    reasons.map((r) => [decision(r.decision), h("span", {}, h("strong", {}, label("reason", r.code)), h("br", {}), sentence(r.message)), r.legalBasis, day(r.until), r.recordIds.join(", ") || "—"]),
    bi("无不利记录。", "No adverse records."),
  );
}

export function checkRecordBox(ref: CheckRef): HTMLElement {
  return h(
    "section",
    { class: "check-record", "aria-labelledby": "check-h", "data-testid": "check-record" },
    h("h2", { id: "check-h" }, bi("查询记录（归档凭证）", "Check record (keep with the procurement file)")),
    facts([
      [bi("记录编号", "Record id"), h("code", { "data-testid": "check-id" }, ref.id)],
      [bi("内容哈希 SHA-256", "Content hash"), h("code", { class: "hash" }, ref.contentHash)],
      [bi("查询时间", "Checked at"), when(ref.requestedAt)],
      ...signatureFacts(ref),
    ]),
  );
}

/** The SM2 signature beside the id and hash: key id and algorithm to find the public key at
 * /.well-known/credit-check-keys, the signature in hex (wrapped on the A4 page). */
function signatureFacts(ref: CheckRef): Parameters<typeof facts>[0] {
  if (!ref.signature) return [[bi("电子签名", "Signature"), bi("未签名（签名功能启用前的记录）", "unsigned (filed before signing)")]];
  return [
    [bi("签名算法", "Algorithm"), h("code", {}, ref.algorithm ?? "")],
    [bi("签名密钥", "Key id"), h("code", { "data-testid": "check-key-id" }, ref.keyId ?? "")],
    [bi("日志序号", "Log index"), String(ref.logIndex ?? "—")],
    [bi("电子签名（十六进制）", "Signature (hex)"), h("code", { class: "hash signature", "data-testid": "check-signature" }, ref.signature)],
  ];
}

export function flagsTable(flags: FlagSummary[], caption: Node | string, names?: Map<string, string>): HTMLElement {
  const named = (f: FlagSummary): string =>
    f.supplierIds.map((id) => names?.get(id.replace(/^org:/, "")) ?? id.replace(/^org:/, "")).join("、") || "—";
  return table(
    caption,
    [bi("模式", "Pattern"), ...(names ? [bi("涉及供应商", "Suppliers")] : []), bi("状态", "Status"), bi("置信度", "Confidence"), bi("说明", "Finding"), bi("法律依据", "Legal basis"), bi("标段", "Lot")],
    flags.map((f) => [
      h("a", { href: `#/flags/${f.id}` }, label("pattern", f.pattern), h("span", { class: "hint" }, ` ${f.title}`)),
      ...(names ? [named(f)] : []),
      flagStatus(f.status),
      `${Math.round(f.confidence * 100)}%`,
      sentence(f.message),
      f.legalBasis,
      f.lotId ? h("a", { href: `#/lot/${f.lotId}` }, f.lotId.replace(/^lot:/, "")) : "—",
    ]),
    bi("无预警。", "No flags."),
  );
}

/** "supplier.ban_grade_cap" or "supplier.network.<rule>" as the catalogue says it. */
function capOf(code: string): [string, string] {
  const rule = code.split(".").slice(1).join(".");
  if (rule.startsWith("network.")) {
    const [zh, en] = pairOf("cap", "network");
    return [zh, `${en} ${rule.slice(8)}`];
  }
  const [zh, en] = pairOf("cap", rule);
  return en ? [zh, en] : [code, ""];
}

function timeline(items: Contribution[]): HTMLElement {
  if (items.length === 0) return h("p", { class: "empty" }, bi("没有计分记录，按基础分计。", "No contributing records: the base score applies."));
  const sorted = [...items].sort((a, b) => b.countedFrom.localeCompare(a.countedFrom));
  return h(
    "ol",
    { class: "timeline", "aria-label": "计分记录 Contributing records" },
    sorted.map((c) => {
      const negative = c.points.trim().startsWith("-");
      return h(
        "li",
        { class: negative ? "minus" : "plus" },
        h("p", { class: "when" }, `${day(c.countedFrom)} → ${c.countedUntil ? day(c.countedUntil) : "持续 ongoing"}`),
        h("p", { class: "points" }, h("strong", {}, `${negative ? "" : "+"}${c.points}`), " ", bi("分", "points"), " · ", sentence(c.reason)),
        h("p", { class: "basis" }, bi("依据", "Basis"), "：", c.basis),
        h("p", { class: "record" }, bi("记录", "Record"), "：", h("code", {}, c.recordId)),
      );
    }),
  );
}

function section(id: string, zh: string, en: string): [HTMLElement, HTMLElement] {
  const body = h("div", {}, loading());
  return [h("section", { "aria-labelledby": id, class: "card" }, h("h2", { id }, bi(zh, en)), body), body];
}

/** "As of" (the legal state that day, from everything known now) and "known at" (only what had
 * been received by then, to reproduce a past answer), carried in the route after "@". */
export function datesForm(
  asOf: string,
  knownAt: string,
  go: (asOf: string, knownAt: string) => void,
): HTMLFormElement {
  const asOfInput = h("input", { id: "as-of", name: "as-of", type: "date", value: asOf });
  const knownInput = h("input", { id: "known-at", name: "known-at", type: "datetime-local", value: knownAt });
  return inlineForm(
    [
      field(asOfInput, "计算日期（该日的法律状态，默认今天）", "As of (the legal state that day; default today)"),
      field(knownInput, "已知截至（仅当时已收到的记录，北京时间）", "Known at (only what was received by then, China time)"),
    ],
    "按日期查看",
    "Show as of",
    () => go(asOfInput.value, knownInput.value),
  );
}

export function datesRoute(base: string, asOf: string, knownAt: string): string {
  return `${base}${asOf || knownAt ? `@${asOf}` : ""}${knownAt ? `@${encodeURIComponent(knownAt)}` : ""}`;
}

/** Every printed page's footer, in the page's bottom margin (CSS page-margin boxes), so it can
 * never sit on the content: the check record's id and hash, and the page number. */
export function printFooter(text: string): void {
  const quoted = `"${text.replace(/[\\"]/g, "\\$&").replace(/\n/g, " ")}"`;
  let style = document.getElementById("print-footer");
  if (!style) {
    style = h("style", { id: "print-footer" });
    document.head.append(style);
  }
  style.textContent = `@media print { @page { @bottom-left { content: ${quoted}; } } }`;
  window.addEventListener("hashchange", () => style?.remove(), { once: true });
}

const REPORT_CACHE = `${CHECK_CACHE}report:`; // cleared at sign-out with the lot checks

export function reportPage(main: HTMLElement, arg: string): void {
  const run = arg.endsWith("/check");
  const [uscc = "", asOf = "", knownRaw = ""] = (run ? arg.slice(0, -"/check".length) : arg).split("@");
  const knownAt = decodeURIComponent(knownRaw);
  const here = datesRoute(`#/report/${uscc}`, asOf, knownAt);
  const key = REPORT_CACHE + `${uscc}@${asOf}@${knownAt}`;
  if (run) history.replaceState(null, "", here); // Back returns to the result, not to a new check
  const dates = { asOf: asOf || null, knownAt: knownAt || null };
  if (!uscc) {
    main.append(h("h1", {}, bi("信用报告", "Credit report")), h("p", {}, h("a", { href: "#/search" }, bi("先查询供应商。", "Find a supplier first."))));
    return;
  }
  const title = h("h1", {}, bi("信用报告", "Credit report"));
  const who = h("div", {}, loading());
  const [scoreSec, scoreBody] = section("score-h", "信用评分", "Score and grade");
  const [timeSec, timeBody] = section("timeline-h", "评分说明", "How the score is made");
  const [eligSec, eligBody] = section("elig-h", asOf ? "该日参与资格" : "当前参与资格", asOf ? "Eligibility on the day" : "Eligibility today");
  const [flagSec, flagBody] = section("flags-h", "预警（待复核与已确认）", "Flags (open and confirmed)");
  const [recSec, recBody] = section("records-h", "违法记录与名单", "Violations and listings");
  const printed = h("p", { class: "print-only printed" });
  const pdf = h("button", { type: "button", "data-testid": "download-pdf" }, bi("下载 PDF", "Download PDF"));
  const print = h("button", { type: "button", class: "secondary" }, bi("打印", "Print"));
  const tools = h(
    "div",
    { class: "actions no-print" },
    pdf,
    print,
    h("span", { class: "hint" }, "“下载 PDF”打开 A4 打印，选择“另存为 PDF”。Choose “Save as PDF” in the print dialog."),
  );
  eligSec.classList.add("lead");
  const dateForm = datesForm(asOf, knownAt, (a, k) => {
    location.hash = datesRoute(`#/report/${uscc}`, a, k);
  });
  dateForm.classList.add("no-print");
  // The printout leads with the subject, the verdict, its reasons and basis and the check
  // record; the score and its timeline follow.
  main.append(title, who, tools, dateForm, printed, eligSec, scoreSec, timeSec, flagSec, recSec);

  let checkId = "";
  const printNow = (): void => {
    const s = session();
    printed.textContent = `打印时间 Printed ${when(new Date().toISOString())} · ${s?.name ?? ""}`;
    const before = document.title;
    document.title = `信用报告-${uscc}${checkId ? `-${checkId}` : ""}`; // the PDF's file name
    window.print();
    document.title = before;
  };
  pdf.addEventListener("click", printNow);
  print.addEventListener("click", printNow);

  const org = gql<{ organization: Org | null }>(ORG, { u: uscc }).then(({ organization: o }) => {
    if (!o) throw new Error(`没有统一社会信用代码为 ${uscc} 的单位 No organisation with this USCC`);
    replace(title, bi("信用报告", "Credit report"), "：", o.name);
    return o;
  });
  // An invalid or unknown USCC is one message, the print buttons off, and no check filed.
  org.catch((error: unknown) => {
    pdf.disabled = true;
    print.disabled = true;
    replace(main, title, h("div", { "data-testid": "report-error" }, errorBox(error)));
  });
  const profile = org.then(() => gql<{ creditProfile: Profile }>(PROFILE, { u: uscc, ...dates })).then((d) => d.creditProfile);

  void fill(who, async () => {
    const o = await org;
    return facts([
      [bi("统一社会信用代码", "USCC"), h("code", {}, o.uscc)],
      [bi("角色", "Roles"), o.roles.map((r) => label("role", r))],
      [bi("地区", "Region"), o.region ? h("span", { title: o.region, "data-testid": "region" }, bi(...region(o.region))) : "—"],
      [bi("成立日期", "Registered"), day(o.registeredOn)],
      [bi("地址", "Address"), o.address ?? "—"],
    ]);
  });
  void fill(recBody, async () => {
    const o = await org;
    return [
      table(
        bi("违法记录", "Violations"),
        [bi("决定书文号", "Decision no."), bi("类别", "Category"), bi("严重程度", "Severity"), bi("机关", "Authority"), bi("依据", "Basis"), bi("决定日期", "Decided"), bi("禁止参加至", "Ban until"), bi("罚款", "Fine"), bi("状态", "Status")],
        o.violations.map((v) => [v.decisionNumber, label("category", v.category), label("severity", v.severity), v.authority, v.basis, day(v.decidedOn), day(v.banEnd), money(v.fine), label("recordStatus", v.status)]),
        bi("无违法记录。", "No violations recorded."),
      ),
      table(
        bi("外部名单", "External lists"),
        [bi("名单", "List"), bi("机关", "Authority"), bi("列入日期", "Listed"), bi("有效至", "Valid until"), bi("撤销日期", "Retracted")],
        o.listings.map((l) => [label("list", l.list), l.authority, day(l.listedOn), day(l.validUntil), day(l.retractedOn)]),
        bi("未列入外部名单。", "On no external list."),
      ),
    ];
  });
  void fill(scoreBody, async () => {
    const p = await profile;
    return h(
      "div",
      { class: "score" },
      h("p", { class: `grade grade-${p.grade.toLowerCase()}`, "data-testid": "grade" }, bi("等级", "Grade"), " ", h("strong", {}, p.grade)),
      h("p", { class: "points-total", "data-testid": "score" }, bi("分数", "Score"), " ", h("strong", {}, p.score)),
      facts([
        [bi("基础分", "Base"), p.base],
        [bi("计算日期", "As of"), p.asOf],
        [bi("已知截至", "Known at"), p.knownAt ? when(p.knownAt) : bi("现在已知的全部记录", "everything known now")],
        [bi("评分政策版本", "Policy version"), p.policyVersion],
        [bi("封顶规则", "Capped by"), p.cappedBy.length ? p.cappedBy.map((c) => h("span", { title: c }, bi(...capOf(c)), " ")) : "—"],
      ]),
    );
  });
  void fill(timeBody, async () => timeline((await profile).explanation));

  const showCheck = (e: Eligibility, fresh: boolean): HTMLElement[] => {
    checkId = e.checkRecord.id;
    pdf.disabled = false;
    print.disabled = false;
    const sig = e.checkRecord.keyId ? ` · ${e.checkRecord.algorithm} ${e.checkRecord.keyId}` : "";
    printFooter(`查询记录 Check record ${e.checkRecord.id} · SHA-256 ${e.checkRecord.contentHash}${sig}`);
    const again = h("button", { type: "button", class: "secondary no-print", "data-testid": "run-again" }, bi("重新查询（另行归档）", "Check again (files a new record)"));
    again.addEventListener("click", () => (location.hash = `${here}/check`));
    return [
      h("p", { class: "decision-line", "data-testid": "eligibility" }, bi("结论", "Decision"), "：", decision(e.decision), ` （${e.asOf}${e.knownAt ? ` · 已知截至 known at ${when(e.knownAt)}` : ""}）`),
      reasonsTable(e.reasons),
      checkRecordBox(e.checkRecord),
      h(
        "p",
        { class: "actions no-print", "data-testid": "check-filed" },
        fresh
          ? bi("本次查询已归档。", "This check has been filed.")
          : bi("这是本窗口此前归档的查询结果，未重新归档。", "This is the check filed earlier in this tab; nothing new was filed."),
        again,
      ),
    ];
  };
  const askToRun = (): HTMLElement => {
    const button = h("button", { type: "button", "data-testid": "run-check" }, bi("查询参与资格并归档", "Check eligibility and file the record"));
    button.addEventListener("click", () => (location.hash = `${here}/check`));
    pdf.disabled = true; // the printout a purchaser files carries a check record
    print.disabled = true;
    return h(
      "div",
      { "data-testid": "check-not-run" },
      h("p", {}, bi("查询会生成一条查询记录（归档凭证），打印件以其为准。", "Checking files a check record for the procurement file; the printout carries it.")),
      button,
    );
  };

  void fill(eligBody, async () => {
    await org;
    const raw = run ? null : sessionStorage.getItem(key);
    if (raw) return showCheck(JSON.parse(raw) as Eligibility, false);
    if (!run) return askToRun();
    const { supplierEligibility: e } = await gql<{ supplierEligibility: Eligibility }>(ELIGIBILITY, { u: uscc, ...dates });
    sessionStorage.setItem(key, JSON.stringify(e));
    return showCheck(e, true);
  });

  void fill(flagBody, async () => {
    await org;
    const { flags } = await gql<{ flags: { nodes: FlagSummary[] } }>(FLAGS, { u: uscc });
    const shown = flags.nodes.filter((f) => f.status !== "DISMISSED");
    return flagsTable(shown, bi("预警", "Flags"));
  });
}
