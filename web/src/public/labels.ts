// Chinese first, English beside, for the codes the public records carry.
export const VIOLATION: Record<string, [string, string]> = {
  FALSE_MATERIALS: ["提供虚假材料", "False materials"],
  BRIBERY: ["行贿", "Bribery"],
  MALICIOUS_COLLUSION: ["恶意串通", "Malicious collusion"],
  FALSE_COMPLAINT: ["虚假投诉", "False complaint"],
  REFUSED_CONTRACT: ["拒绝签订合同", "Refused to sign the contract"],
  BREACH_OF_CONTRACT: ["违约", "Breach of contract"],
  UNAUTHORISED_SUBCONTRACT: ["违规分包", "Unauthorised subcontracting"],
  QUALITY_FAILURE: ["质量不合格", "Quality failure"],
  OBSTRUCTED_INSPECTION: ["拒绝检查", "Obstructed inspection"],
  CRIMINAL_OFFENCE: ["刑事犯罪", "Criminal offence"],
  BUSINESS_SUSPENDED: ["责令停产停业", "Business suspended"],
  LICENCE_REVOKED: ["吊销许可证", "Licence revoked"],
  TAX_VIOLATION: ["税收违法", "Tax violation"],
  EXPERT_FAILED_RECUSAL: ["评审专家未回避", "Expert failed to withdraw"],
  EXPERT_LEAKED_INFORMATION: ["评审专家泄露信息", "Expert leaked information"],
  EXPERT_SOLICITED_BENEFITS: ["评审专家收受利益", "Expert solicited benefits"],
  EXPERT_IRREGULAR_REVIEW: ["评审专家违规评审", "Irregular review"],
  AGENCY_IRREGULAR_PROCEDURE: ["代理机构违规", "Agency irregular procedure"],
  OTHER: ["其他", "Other"],
};

export const PENALTY: Record<string, [string, string]> = {
  WARNING: ["警告", "Warning"],
  FINE: ["罚款", "Fine"],
  CONFISCATION: ["没收违法所得", "Confiscation"],
  PROCUREMENT_BAN: ["禁止参加政府采购活动", "Procurement ban"],
  BUSINESS_SUSPENSION: ["责令停产停业", "Business suspension"],
  LICENCE_REVOCATION: ["吊销许可证件", "Licence revocation"],
  CRIMINAL_PENALTY: ["刑事处罚", "Criminal penalty"],
  REVIEW_BAN: ["禁止参加评审活动", "Review ban"],
  QUALIFICATION_LOWERED: ["降低资质等级", "Qualification lowered"],
  RESTRICTED_BUSINESS: ["限制开展生产经营活动", "Restricted business"],
  ORDERED_CLOSURE: ["责令关闭", "Ordered closure"],
  PRACTICE_BAN: ["限制从业", "Practice ban"],
  AGENCY_BAN: ["禁止代理政府采购业务", "Agency ban"],
};

export const ROLE: Record<string, [string, string]> = {
  supplier: ["供应商", "Supplier"],
  agency: ["采购代理机构", "Agency"],
  expert: ["评审专家", "Review expert"],
};

export const LIST: Record<string, [string, string]> = {
  penalty: ["行政处罚", "Administrative penalty"],
  serious_dishonesty: ["严重违法失信名单", "Serious-dishonesty list"],
};

export const WITHDRAWN: Record<string, [string, string]> = {
  publication_ended: ["公示期已满，已撤下", "The publication period has ended; taken down"],
  repaired: ["已信用修复，终止公示", "Credit repaired; publication ended"],
  overturned: ["处罚决定已撤销，已撤回", "The decision was overturned; withdrawn"],
  retracted: ["已移出名单", "Taken off the list"],
};
