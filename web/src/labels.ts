// Display names for the API's codes: Chinese first, English beside.
import { bi } from "./dom";

const DECISIONS: Record<string, [string, string]> = {
  ELIGIBLE: ["合格", "Eligible"],
  INELIGIBLE: ["不合格", "Ineligible"],
  REVIEW: ["需人工审查", "Needs review"],
};
const FLAG_STATUS: Record<string, [string, string]> = {
  OPEN: ["待复核", "Open"],
  CONFIRMED: ["已确认", "Confirmed"],
  DISMISSED: ["已排除", "Dismissed"],
};
export const KINDS: Record<string, [string, string]> = {
  org: ["单位", "Organisation"],
  person: ["人员", "Person"],
  project: ["项目", "Project"],
  lot: ["标段", "Lot"],
  bid: ["投标", "Bid"],
  award: ["中标", "Award"],
  contract: ["合同", "Contract"],
  violation: ["违法记录", "Violation"],
  listing: ["名单", "Listing"],
  phone: ["电话", "Phone"],
  email: ["邮箱", "E-mail"],
  address: ["地址", "Address"],
  bankaccount: ["银行账户", "Bank account"],
  device: ["设备", "Device"],
  group: ["集团", "Group"],
  review: ["评审", "Review"],
};

function pair(table: Record<string, [string, string]>, code: string): HTMLSpanElement {
  const [zh, en] = table[code] ?? [code, ""];
  return bi(zh, en);
}

export function decision(code: string): HTMLSpanElement {
  const el = pair(DECISIONS, code);
  el.classList.add("badge", `decision-${code.toLowerCase()}`);
  el.dataset.decision = code;
  return el;
}

export function flagStatus(code: string): HTMLSpanElement {
  const el = pair(FLAG_STATUS, code);
  el.classList.add("badge", `status-${code.toLowerCase()}`);
  return el;
}

export function kind(code: string): HTMLSpanElement {
  return pair(KINDS, code);
}

export function money(m: { amount: string; currency: string } | null | undefined): string {
  if (!m) return "—";
  const value = Number(m.amount);
  const text = Number.isFinite(value)
    ? value.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    : m.amount;
  return `${text} ${m.currency}`;
}

export function day(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : "—";
}
