"""The legal texts the flags cite (Chinese first, then English), defined once."""

from __future__ import annotations

_ORDER87 = "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第三十七条"
_ORDER87_EN = "MOF Order No. 87 of 2017, Art. 37"

ART18 = (
    "《中华人民共和国政府采购法实施条例》第十八条第一款：单位负责人为同一人或者存在直接控股、管理关系的"
    "不同供应商，不得参加同一合同项下的政府采购活动 — Implementing Regulations Art. 18 para 1: "
    "suppliers whose responsible person is the same person, or between which there is a direct "
    "holding or management relationship, may not take part in the same contract (lot)"
)
ART37_1 = (
    f"{_ORDER87}第（一）项：不同投标人的投标文件由同一单位或者个人编制 — {_ORDER87_EN} item 1: "
    "bid documents of different bidders prepared by the same unit or person"
)
ART37_2 = (
    f"{_ORDER87}第（二）项：不同投标人委托同一单位或者个人办理投标事宜 — {_ORDER87_EN} item 2: "
    "different bidders entrust the same unit or person with bidding matters"
)
ART37_3 = (
    f"{_ORDER87}第（三）项：不同投标人的投标文件载明的项目管理成员或者联系人员为同一人 — "
    f"{_ORDER87_EN} item 3: the project-management member or contact person named in "
    "different bids is the same person"
)
ART37_4 = (
    f"{_ORDER87}第（四）项：不同投标人的投标文件异常一致或者投标报价呈规律性差异 — "
    f"{_ORDER87_EN} item 4: bid documents are abnormally consistent, or bid prices show "
    "regular differences"
)
ART37_6 = (
    f"{_ORDER87}第（六）项：不同投标人的投标保证金从同一单位或者个人的账户转出 — "
    f"{_ORDER87_EN} item 6: bid deposits of different bidders are paid from the same unit's "
    "or person's account"
)
ART74 = (
    "《中华人民共和国政府采购法实施条例》第七十四条：供应商之间事先约定由某一特定供应商中标、成交，"
    "或者事先约定一致退出、放弃投标等恶意串通情形 — Implementing Regulations Art. 74: suppliers "
    "agreeing in advance who wins, or agreeing that some withdraw or do not bid, is malicious "
    "collusion"
)
ART74_BUYER = (
    "《中华人民共和国政府采购法实施条例》第七十四条第（七）项：供应商与采购人或者采购代理机构之间、"
    "采购人或者采购代理机构与供应商之间恶意串通 — Implementing Regulations Art. 74 item 7: "
    "collusion between a supplier and the purchaser or procurement agency"
)
ART9 = (
    "《中华人民共和国政府采购法实施条例》第九条：评审专家等相关人员与供应商有下列利害关系之一的应当回避："
    "参加采购活动前3年内与供应商存在劳动关系，或者担任供应商的董事、监事，或者是供应商的控股股东或者"
    "实际控制人；与供应商的法定代表人或者负责人有夫妻、直系血亲、三代以内旁系血亲或者近姻亲关系 — "
    "Implementing Regulations Art. 9: a reviewer must withdraw who, towards a bidder, was its "
    "employee, director, supervisor, controlling shareholder or actual controller within the "
    "3 years before, or is the spouse, lineal relative, collateral relative within three "
    "generations or close in-law of its legal representative or responsible person"
)
ART77_BAN = (
    "《中华人民共和国政府采购法》第七十七条、财库〔2016〕125号：被禁止参加政府采购活动的供应商在禁止期限内"
    "不得参加，其法定代表人或者控制人另设企业参加的应予核查 — Government Procurement Law Art. 77 "
    "and Caiku [2016] No. 125: a banned supplier may not take part while banned; a supplier "
    "set up or run by the people behind it is checked for evasion of the ban"
)
SCREENS = (
    "统计筛查指标（非法定情形），用于发现《政府采购货物和服务招标投标管理办法》第三十七条第（四）项"
    "及《实施条例》第七十四条所列情形的线索 — statistical screen (not a statutory ground): a "
    "lead towards Order 87 Art. 37 item 4 and Implementing Regulations Art. 74; never evidence "
    "on its own"
)
DEVICE = (
    f"{_ORDER87}第（一）项、第（四）项：投标文件由同一单位或者个人编制、投标文件异常一致（同一设备MAC或IP"
    f"地址、同一文档作者、同一文件） — {_ORDER87_EN} items 1 and 4: bid files created on the "
    "same device (same MAC or IP address, same document author, the same file)"
)
