"""A synthetic Chinese government-procurement market, for demos, load tests and detector tests.

`generate` builds suppliers, agencies, purchasers, people, experts, projects, bids and credit
records in the record format of `credit.domain.records`, with a few collusion, conflict and
recusal patterns planted so the detectors have something to find. Everything is drawn from one
`random.Random(seed)` and dated against the fixed `TODAY`, so a seed always yields the same
records. Identifiers are synthetic but pass the real checks (GB 32100 with its GB 11714
organisation code, GB 11643); network and mail values come from reserved ranges (CGNAT
addresses, locally administered MACs, the `.example` domain).
"""

from __future__ import annotations

import calendar
import json
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import cache, cached_property
from itertools import accumulate, count
from typing import Any, TypeVar

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from credit.domain.records import (
    RECORD_TYPES,
    Acceptance,
    BidStatus,
    ComplaintOutcome,
    DeviceKind,
    ExternalList,
    GroupKind,
    Kinship,
    OrgRole,
    PenaltyType,
    ProcurementCategory,
    ProcurementMethod,
    ProjectService,
    RecordStatus,
    Severity,
    TieKind,
    ViolationCategory,
)
from credit.markets.identifiers import USCC_ALPHABET, identity_number
from credit.markets.identifiers import uscc as make_uscc

JsonRecord = dict[str, Any]
Ref = dict[str, str]
_T = TypeVar("_T")

TODAY = date(2026, 11, 1)
SOURCE = "demo"
_CST = timezone(timedelta(hours=8))
_FIRST_PUBLICATION = date(2021, 1, 4)
_LAST_PUBLICATION = date(2026, 10, 20)
_MA_CODES_FROM = date(2015, 10, 1)  # new registrations got "MA..." organisation codes
_DIGITS = "0123456789"
_CENT = Decimal("0.01")
_LARGE_FINE = Decimal(2_000_000)  # a "relatively large fine" (Regs Art. 19) starts here
_ORDER = RECORD_TYPES  # dependency order, as the intake writes

GOODS, WORKS, SERVICES = (
    ProcurementCategory.GOODS,
    ProcurementCategory.WORKS,
    ProcurementCategory.SERVICES,
)
VC = ViolationCategory


# --- reference tables -------------------------------------------------------------------


@dataclass(frozen=True)
class _City:
    name: str
    abbr: str  # city prefix of decision numbers: 杭 in 杭财采罚〔2024〕3号
    province: str
    prov_abbr: str  # province prefix of case numbers: 浙 in （2024）浙0106刑初12号
    area_code: str
    weight: int
    districts: tuple[tuple[str, str], ...]  # (region code, district): seats and birthplaces
    counties: tuple[str, ...]  # older region codes, birthplaces of people born before 1983

    @property
    def full(self) -> str:
        return f"{self.name}市"

    @property
    def address_prefix(self) -> str:
        return self.full if self.province == self.full else self.province + self.full


# name, abbreviations, area code, weight, then districts (code+name) and older county codes (*)
_CITY_TABLE = """
北京 京 北京市 京 010 5 110101东城区 110105朝阳区 110108海淀区
上海 沪 上海市 沪 021 5 310101黄浦区 310104徐汇区 310115浦东新区
天津 津 天津市 津 022 3 120101和平区 120104南开区
重庆 渝 重庆市 渝 023 3 500103渝中区 500106沙坪坝区
杭州 杭 浙江省 浙 0571 6 330102上城区 330106西湖区 330108滨江区 *330122 *330127
宁波 甬 浙江省 浙 0574 3 330203海曙区 330212鄞州区
温州 温 浙江省 浙 0577 2 330302鹿城区 330304瓯海区
南京 宁 江苏省 苏 025 4 320102玄武区 320106鼓楼区 320115江宁区
苏州 苏 江苏省 苏 0512 3 320505虎丘区 320508姑苏区
广州 穗 广东省 粤 020 5 440103荔湾区 440106天河区
深圳 深 广东省 粤 0755 5 440303罗湖区 440304福田区 440305南山区
成都 蓉 四川省 川 028 4 510104锦江区 510107武侯区 *510121
武汉 汉 湖北省 鄂 027 4 420102江岸区 420106武昌区
西安 西 陕西省 陕 029 3 610102新城区 610113雁塔区
长沙 长 湖南省 湘 0731 3 430102芙蓉区 430104岳麓区 *430121
郑州 郑 河南省 豫 0371 3 410102中原区 410105金水区
济南 济 山东省 鲁 0531 2 370102历下区
青岛 青 山东省 鲁 0532 2 370202市南区
合肥 合 安徽省 皖 0551 3 340102瑶海区 340104蜀山区 *340121
福州 榕 福建省 闽 0591 2 350102鼓楼区 *350121
厦门 厦 福建省 闽 0592 2 350203思明区
昆明 昆 云南省 云 0871 2 530102五华区 *530124
南宁 邕 广西壮族自治区 桂 0771 2 450102兴宁区
沈阳 沈 辽宁省 辽 024 2 210102和平区
哈尔滨 哈 黑龙江省 黑 0451 2 230102道里区
石家庄 石 河北省 冀 0311 2 130102长安区
太原 并 山西省 晋 0351 2 140105小店区 *140121
南昌 洪 江西省 赣 0791 2 360102东湖区 *360121
贵阳 筑 贵州省 黔 0851 2 520102南明区
兰州 兰 甘肃省 甘 0931 1 620102城关区 *620121
"""


def _city(line: str) -> _City:
    name, abbr, province, prov_abbr, area, weight, *places = line.split()
    districts = tuple((p[:6], p[6:]) for p in places if not p.startswith("*"))
    counties = tuple(p[1:] for p in places if p.startswith("*"))
    return _City(name, abbr, province, prov_abbr, area, int(weight), districts, counties)


_CITIES = tuple(_city(line) for line in _CITY_TABLE.strip().splitlines())
_CITY_WEIGHTS = list(accumulate(c.weight for c in _CITIES))


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_BRAND_CHARS = (
    "鼎盛恒泰华信中建宏远金达新创天成瑞祥永安博通广和联合"
    "兴隆嘉禾弘毅优品君诚正德汇丰众力卓越明辉银河海峰九州"
)
_INDUSTRIES: dict[ProcurementCategory, tuple[str, ...]] = {
    GOODS: _words("医疗器械 办公设备 电子科技 教学设备 家具 仪器设备 汽车销售 网络科技"),
    WORKS: _words(
        "建设工程 建筑工程 市政工程 装饰工程 园林绿化工程 水利水电工程 电力工程 安装工程"
    ),
    SERVICES: _words("信息技术 物业管理 软件 保安服务 餐饮管理 财务咨询 环境卫生管理 数据服务"),
}
# consultancies whose services bar them from the project's other lots (Regs Art. 18 para. 2)
_CONSULTANCIES = (
    ("建筑设计", ProjectService.OVERALL_DESIGN),
    ("工程咨询", ProjectService.SPECIFICATION),
    ("项目管理", ProjectService.PROJECT_MANAGEMENT),
    ("工程监理", ProjectService.SUPERVISION),
    ("检测技术", ProjectService.TESTING),
)
_SUFFIXES = _words("有限公司 有限责任公司 股份有限公司 集团有限公司")
_SUFFIX_WEIGHTS = (70, 15, 10, 5)
_AGENCY_KINDS = _words("招标代理有限公司 工程咨询有限公司 项目管理有限公司 采购咨询服务有限公司")
_ORGANS = _words(
    "财政局 教育局 卫生健康委员会 公安局 交通运输局 住房和城乡建设局 生态环境局 民政局 "
    "人力资源和社会保障局 水利局 农业农村局 文化广电旅游局 城市管理局 机关事务管理局"
)
_MEDICAL_UNITS = _words("第一人民医院 第二人民医院 中医院 妇幼保健院 疾病预防控制中心")
_SCHOOL_UNITS = _words("第一中学 实验小学 职业技术学院")
_OTHER_UNITS = _words("图书馆 博物馆 大数据中心")
_ROADS = _words(
    "人民路 解放路 中山路 建设路 文三路 科技路 长江路 和平路 学院路 新华路 创业大道 "
    "滨江大道 环城北路 东风路 天府大道 高新大道"
)


def _item(line: str) -> tuple[str, str, str, tuple[str, ...]]:
    item, specialty, audience, *lots = line.split()
    return item, specialty, audience, tuple(lots)


# item, expert specialty, audience (which purchasers buy it), then the lots it splits into
_ITEMS: dict[ProcurementCategory, tuple[tuple[str, str, str, tuple[str, ...]], ...]] = {
    category: tuple(_item(line) for line in table.strip().splitlines())
    for category, table in (
        (
            GOODS,
            """
医疗设备 医疗设备 medical 彩色多普勒超声诊断仪 全自动生化分析仪 数字化X射线摄影系统 麻醉机
信息化设备 计算机及网络设备 all 服务器 核心交换机 台式计算机 存储设备 网络安全设备
办公家具 家具 all 办公桌椅 文件柜 会议桌椅
教学设备 教学仪器 school 交互式智能平板 理化生实验室设备 录播系统
公务用车 车辆 all 新能源轿车 多功能商务车
办公设备 办公设备 all 多功能一体机 投影仪 打印机
""",
        ),
        (
            WORKS,
            """
校舍维修改造工程 房屋建筑工程 school 土建工程 安装工程 屋面防水工程
业务用房改造工程 房屋建筑工程 all 土建工程 安装工程 智能化工程
道路提升改造工程 市政工程 organ 道路工程 排水工程 路灯照明工程
河道综合整治工程 水利工程 organ 河道清淤工程 护岸工程 闸站改造工程
办公楼装修改造工程 装饰装修工程 all 装饰装修工程 消防改造工程
公园绿化提升工程 园林绿化 organ 绿化工程 景观工程
配电增容改造工程 电力工程 all 配电工程 电缆敷设工程
""",
        ),
        (
            SERVICES,
            """
物业管理服务 物业服务 all 保洁服务 安保服务 设施设备维护服务
信息系统运维服务 信息化服务 all 系统运维服务 网络安全服务 软件开发服务
财务审计服务 审计与财务 all 年度财务审计 专项资金审计
法律顾问服务 法律服务 organ 常年法律顾问
工程造价咨询服务 造价咨询 all 造价咨询 全过程跟踪审计
食堂餐饮服务 餐饮服务 all 食堂托管服务 食材配送服务
""",
        ),
    )
}
_POLICY_SPECIALTY = "政府采购政策法规"
_BUDGET_RANGE = {
    GOODS: (50_000, 5_000_000),
    WORKS: (400_000, 50_000_000),
    SERVICES: (50_000, 3_000_000),
}
_ACCEPTANCE_DAYS = {GOODS: (30, 120), WORKS: (120, 540), SERVICES: (180, 365)}

_SURNAMES = (  # the commonest first, drawn with falling weights
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖"
    "田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付"
    "方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
)
_SURNAME_WEIGHTS = list(accumulate(1 / (i + 1) ** 0.7 for i in range(len(_SURNAMES))))
_MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林峰建国志文海东亮成晨"
_FEMALE_CHARS = "芳娜敏静丽艳娟霞燕玲婷雪琳洁颖倩慧丹萍红梅莉兰月晶蕾琴妍佳欣怡悦"
_BANK_PREFIXES = ("1202", "3301", "4400", "6228", "3100", "1100", "5101", "3205")

_COMPLAINT_GROUNDS = (
    "中标供应商提供的业绩证明材料涉嫌虚假",
    "采购文件设置的资格条件具有倾向性，排斥潜在供应商",
    "评标委员会未按照招标文件规定的评分标准进行评审",
    "中标供应商与其他投标人存在关联关系，涉嫌串通投标",
    "中标供应商报价明显低于成本，可能影响合同履行",
    "采购代理机构未在法定期限内答复质疑",
)
_EXPERT_COMMENTS = _words("评审认真负责，意见表述清晰 评审意见表述不完整 未按时到达评审现场")
_AGENCY_COMMENTS = _words("组织规范，文件编制质量高 答疑不及时 采购文件存在多处错漏")

_ART77 = "《中华人民共和国政府采购法》第七十七条第一款"
_ART72 = "《中华人民共和国政府采购法实施条例》第七十二条第一款"
_ART75 = "《中华人民共和国政府采购法实施条例》第七十五条"
_BASIS: dict[ViolationCategory, str] = {
    VC.FALSE_MATERIALS: f"{_ART77}第（一）项：提供虚假材料谋取中标、成交",
    VC.BRIBERY: f"{_ART77}第（四）项：向采购人、采购代理机构行贿或者提供其他不正当利益",
    VC.MALICIOUS_COLLUSION: f"{_ART77}第（三）项：与其他供应商恶意串通；"
    "《中华人民共和国政府采购法实施条例》第七十四条",
    VC.FALSE_COMPLAINT: "《中华人民共和国政府采购法实施条例》第七十三条；"
    "《政府采购质疑和投诉办法》（财政部令第94号）第三十七条：捏造事实、提供虚假材料进行投诉",
    VC.REFUSED_CONTRACT: f"{_ART72}第（一）项：中标后无正当理由拒不与采购人签订政府采购合同；"
    f"{_ART77}",
    VC.BREACH_OF_CONTRACT: f"{_ART72}第（六）项：擅自变更、中止或者终止政府采购合同；{_ART77}",
    VC.UNAUTHORISED_SUBCONTRACT: f"{_ART72}第（四）项：将政府采购合同转包；"
    "《中华人民共和国政府采购法》第四十八条",
    VC.QUALITY_FAILURE: f"{_ART72}第（五）项：提供假冒伪劣产品；{_ART77}",
    VC.OBSTRUCTED_INSPECTION: f"{_ART77}第（六）项：拒绝有关部门监督检查或者提供虚假情况",
    VC.CRIMINAL_OFFENCE: "《中华人民共和国刑法》第二百二十三条、第二百三十一条：串通投标罪",
    VC.BUSINESS_SUSPENDED: "《中华人民共和国环境保护法》第六十条：超标排放污染物，情节严重，"
    "责令停业整治",
    VC.LICENCE_REVOKED: "《中华人民共和国市场主体登记管理条例》第四十四条：提交虚假材料取得市场主体"
    "登记，情节严重",
    VC.TAX_VIOLATION: "《中华人民共和国税收征收管理法》第六十三条第一款：偷税",
    VC.EXPERT_FAILED_RECUSAL: f"{_ART75}第一款；《政府采购评审专家管理办法》（财库〔2016〕198号）"
    "第二十九条：应当回避而未回避",
    VC.EXPERT_LEAKED_INFORMATION: f"{_ART75}第一款：泄露评审文件、评审情况",
    VC.EXPERT_SOLICITED_BENEFITS: f"{_ART75}第三款：收受供应商贿赂或者获取其他不正当利益",
    VC.EXPERT_IRREGULAR_REVIEW: f"{_ART75}第一款：未按照采购文件规定的评审程序、评审方法和评审标准"
    "进行独立评审",
    VC.AGENCY_IRREGULAR_PROCEDURE: "《中华人民共和国政府采购法》第七十一条第（三）项、第七十八条；"
    "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第七十八条：以不合理的条件对供应商实行"
    "差别待遇或者歧视待遇",
    VC.OTHER: f"{_ART77}第（二）项：采取不正当手段诋毁、排挤其他供应商",
}
_COLLUSION_BASIS = {  # the Order 87 Art. 37 item each planted pattern amounts to
    "deposit": "；《政府采购货物和服务招标投标管理办法》（财政部令第87号）第三十七条第（六）项："
    "不同投标人的投标保证金从同一单位或者个人的账户转出",
    "device": "；《政府采购货物和服务招标投标管理办法》（财政部令第87号）第三十七条第（四）项："
    "不同投标人的投标文件异常一致",
    "contact": "；《政府采购货物和服务招标投标管理办法》（财政部令第87号）第三十七条第（三）项："
    "不同投标人的投标文件载明的项目管理成员或者联系人员为同一人",
    "progression": "；《政府采购货物和服务招标投标管理办法》（财政部令第87号）"
    "第三十七条第（四）项：不同投标人的投标报价呈规律性差异",
}
# weights of the categories beyond the guaranteed two of each
_VIOLATION_WEIGHTS: dict[ViolationCategory, int] = {
    VC.FALSE_MATERIALS: 18,
    VC.BRIBERY: 3,
    VC.MALICIOUS_COLLUSION: 4,
    VC.FALSE_COMPLAINT: 2,
    VC.REFUSED_CONTRACT: 4,
    VC.BREACH_OF_CONTRACT: 7,
    VC.UNAUTHORISED_SUBCONTRACT: 4,
    VC.QUALITY_FAILURE: 5,
    VC.OBSTRUCTED_INSPECTION: 2,
    VC.CRIMINAL_OFFENCE: 3,
    VC.BUSINESS_SUSPENDED: 3,
    VC.LICENCE_REVOKED: 3,
    VC.TAX_VIOLATION: 8,
    VC.EXPERT_FAILED_RECUSAL: 3,
    VC.EXPERT_LEAKED_INFORMATION: 2,
    VC.EXPERT_SOLICITED_BENEFITS: 2,
    VC.EXPERT_IRREGULAR_REVIEW: 4,
    VC.AGENCY_IRREGULAR_PROCEDURE: 5,
    VC.OTHER: 4,
}
_ON_BID = (
    VC.FALSE_MATERIALS,
    VC.BRIBERY,
    VC.MALICIOUS_COLLUSION,
    VC.OBSTRUCTED_INSPECTION,
    VC.OTHER,
)
_ON_CONTRACT = (VC.BREACH_OF_CONTRACT, VC.UNAUTHORISED_SUBCONTRACT, VC.QUALITY_FAILURE)
_ON_REVIEW = (
    VC.EXPERT_FAILED_RECUSAL,
    VC.EXPERT_LEAKED_INFORMATION,
    VC.EXPERT_SOLICITED_BENEFITS,
    VC.EXPERT_IRREGULAR_REVIEW,
)
# planted collusion patterns; every ring gets one (cycled) and sometimes a second one
_PATTERNS = (
    "legal_rep",
    "deposit",
    "ip",
    "progression",
    "device",
    "contact",
    "holding",
    "kin",
    "group",
    "rotation",
    "purchaser",
)
_OUTER_KIN = (Kinship.SIBLING, Kinship.IN_LAW, Kinship.COLLATERAL_THIRD_DEGREE)
_RECUSAL_PLANTS = ("former_employee", "relative", "former_director", "employer", "stale_employee")


@cache
def _born_there(region: str, year: int) -> bool:
    """stdnum rejects a birthplace code that did not exist in the birth year."""
    try:
        ric.get_birth_place(f"{region}{year}01010000")
    except ValidationError:
        return False
    return True


@cache
def _birth_regions(city: _City, year: int) -> tuple[str, ...]:
    """Region codes a person from `city` born in `year` can carry, else anywhere valid then."""
    local = tuple(
        code
        for code in (*(d for d, _ in city.districts), *city.counties)
        if _born_there(code, year)
    )
    if local:
        return local
    return tuple(
        code
        for other in _CITIES
        for code in (*(d for d, _ in other.districts), *other.counties)
        if _born_there(code, year)
    )


def _money(amount: Decimal) -> dict[str, str]:
    return {"amount": f"{amount.quantize(_CENT)}", "currency": "CNY"}


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _record(kind: str, fields: JsonRecord) -> JsonRecord:
    """A record dict without empty optional fields, stamped with the demo source."""
    body = {k: v for k, v in fields.items() if v is not None and v != []}
    return {"type": kind, **body, "source": SOURCE}


# --- the market's own bookkeeping (never emitted as such) -----------------------------------


@dataclass(eq=False)
class _Person:
    id_number: str
    name: str
    surname: str
    male: bool
    birth: date
    city: _City
    mobile: str
    record: JsonRecord

    @property
    def ref(self) -> Ref:
        return {"person": self.id_number}


@dataclass(eq=False)
class _Org:
    uscc: str
    name: str
    brand: str
    city: _City
    region: str
    registered_on: date
    phone: str
    account: str
    record: JsonRecord
    category: ProcurementCategory | None = None
    service: ProjectService | None = None
    public: bool = False
    audience: str = "organ"
    ip: str = ""
    mac: str = ""
    author: str = ""
    legal_rep: _Person | None = None
    head: _Person | None = None
    staff: list[_Person] = field(default_factory=list)
    parent: _Org | None = None

    @property
    def ref(self) -> Ref:
        return {"org": self.uscc}

    @property
    def contact(self) -> _Person:
        person = self.staff[0] if self.staff else self.legal_rep or self.head
        assert person is not None  # every party gets a legal rep or a head before bidding
        return person


@dataclass(eq=False)
class _Ring:
    """Suppliers that bid together and take turns winning; `patterns` say what gives them away."""

    members: list[_Org]
    patterns: tuple[str, ...]
    lots: list[_Lot] = field(default_factory=list)
    fingerprint: str = ""


@dataclass(eq=False)
class _Project:
    id: str
    name: str
    purchaser: _Org
    agency: _Org | None
    method: ProcurementMethod
    category: ProcurementCategory
    specialty: str
    published: date
    lots: list[_Lot] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class _Bid:
    id: str
    supplier: _Org
    members: list[_Org]
    price: Decimal
    status: BidStatus
    submitted: datetime


@dataclass(eq=False, slots=True)
class _Lot:
    id: str
    project: _Project
    budget: Decimal
    deadline: datetime
    ring: _Ring | None = None
    ring_winner: _Org | None = None
    extra_bidders: list[_Org] = field(default_factory=list)
    bids: list[_Bid] = field(default_factory=list)
    award: _Award | None = None
    panel: list[_Person] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class _Award:
    id: str
    lot: _Lot
    bid: _Bid
    awarded_on: date
    contract: _Contract | None = None


@dataclass(eq=False, slots=True)
class _Contract:
    id: str
    signed_on: date
    amount: Decimal
    acceptance: Acceptance
    accepted_on: date | None


class _Pool:
    """Suppliers to draw bidders from, weighted by how active each one is."""

    def __init__(self, orgs: list[_Org], weights: list[float]) -> None:
        self.orgs = orgs
        self.cumulative = list(accumulate(weights))

    def draw(self, rng: random.Random) -> _Org:
        return rng.choices(self.orgs, cum_weights=self.cumulative)[0]


# --- the generator --------------------------------------------------------------------------


class _Market:
    """Builds the whole market in memory (records refer back and forth), then hands it out."""

    def __init__(
        self, suppliers: int, seed: int, personal_contacts: bool, bids: int | None = None
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        self.size = suppliers
        self.bids = bids
        self.personal_contacts = personal_contacts
        self.out: dict[str, list[JsonRecord | str]] = {kind: [] for kind in _ORDER}
        self.taken: set[str] = set()  # identifiers, names and contact values already issued
        self.counters: dict[str, int] = {}
        self.tie_keys: set[str] = set()
        self.suppliers: list[_Org] = []
        self.agencies: list[_Org] = []
        self.purchasers: list[_Org] = []
        self.experts: list[_Person] = []
        self.business_groups: list[list[_Org]] = []
        self.rings: list[_Ring] = []
        self.projects: list[_Project] = []
        self.lots: list[_Lot] = []
        self.awards: list[_Award] = []
        self.refused: list[_Award] = []
        self.reviews: list[tuple[str, _Person, _Lot]] = []
        self.recusal_reviews: list[tuple[str, _Person, _Lot]] = []
        self.consortia: list[_Bid] = []
        self.complaints: list[tuple[JsonRecord, _Lot, _Org]] = []
        self.false_complaints: list[tuple[JsonRecord, _Lot, _Org]] = []
        self.violations: list[tuple[JsonRecord, _Org | None]] = []
        self.penalised: set[_Org | _Person] = set()  # agencies and experts, rated lower
        self.activity: dict[_Org, float] = {}  # how often a supplier bids
        self.pools: dict[tuple[ProcurementCategory, str], _Pool] = {}  # by trade and province
        self.grouped: set[_Org] = set()  # parents and subsidiaries of business groups
        self.shared_rep: dict[_Org, _Org] = {}  # supplier -> the one whose legal rep it shares
        self.specialties: dict[str, list[_Person]] = {}  # experts by specialty
        self.renamed: set[_Person] = set()  # people given a relative's family name
        self.spouses: dict[_Person, _Person] = {}  # legal rep -> spouse and co-owner

    # -- small helpers -------------------------------------------------------------------

    def _keep(self, kind: str, record: JsonRecord) -> None:
        """Keep a record that is final once made as its JSON text: a fifth of the memory of
        the dict, which matters for the millions of bids and reviews of a large market."""
        self.out[kind].append(json.dumps(record, ensure_ascii=False))

    def _day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def _next(self, counter: str, step: int = 1) -> int:
        """Next number of a running sequence; a step above 1 leaves realistic gaps."""
        value = self.counters.get(counter, 0) + self.rng.randint(1, step)
        self.counters[counter] = value
        return value

    def _unique(self, make: Any) -> str:
        while True:
            value: str = make()
            if value not in self.taken:
                self.taken.add(value)
                return value

    def _loguniform(self, low: float, high: float) -> float:
        return math.exp(self.rng.uniform(math.log(low), math.log(high)))

    def _city(self) -> _City:
        return self.rng.choices(_CITIES, cum_weights=_CITY_WEIGHTS)[0]

    def _sample(self, items: Sequence[_T], k: int) -> list[_T]:
        return self.rng.sample(list(items), min(k, len(items)))

    def _tie(self, kind: TieKind, source: Ref, target: Ref, **extra: Any) -> None:
        start = extra.get("valid_from")
        key = f"{kind}|{next(iter(source.values()))}|{next(iter(target.values()))}|{start}"
        if key in self.tie_keys:
            return
        self.tie_keys.add(key)
        fields: JsonRecord = {"kind": kind, "from": source, "to": target}
        for name, value in extra.items():
            fields[name] = value.isoformat() if isinstance(value, date) else value
        self._keep("tie", _record("tie", fields))

    # -- identifiers ---------------------------------------------------------------------

    def _uscc(self, kind: str, region: str, registered: date) -> str:
        """18 characters: kind, region, GB 11714 organisation code, GB 32100 check character."""

        def make() -> str:
            if kind == "91" and registered >= _MA_CODES_FROM:
                body = "MA" + "".join(self.rng.choices(USCC_ALPHABET, k=6))
            else:
                body = "".join(self.rng.choices(_DIGITS, k=8))
            return make_uscc(kind, region, body)

        return self._unique(make)

    def _person(
        self,
        city: _City,
        born: tuple[int, int],
        male: bool | None = None,
        expert: JsonRecord | None = None,
    ) -> _Person:
        """A person with a GB 11643 identity number: birthplace, birth date, sex, check digit."""
        rng = self.rng
        is_male = rng.random() < 0.65 if male is None else male
        birth = date(rng.randint(*born), 1, 1) + timedelta(days=rng.randrange(365))

        def make() -> str:
            region = rng.choice(_birth_regions(city, birth.year))
            sequence = rng.randrange(500) * 2 + 1 if is_male else rng.randrange(1, 500) * 2
            return identity_number(region, birth, sequence)

        number = self._unique(make)
        family = rng.choices(_SURNAMES, cum_weights=_SURNAME_WEIGHTS)[0]
        chars = _MALE_CHARS if is_male else _FEMALE_CHARS
        name = family + "".join(rng.choices(chars, k=rng.choice((1, 2, 2))))
        mobile = self._unique(lambda: f"1{rng.choice('3589')}{rng.randrange(10**9):09d}")
        contact = self.personal_contacts
        record = _record(
            "person",
            {
                "id_number": number,
                "name": name,
                "phones": [mobile] if contact else None,
                "emails": [f"p{len(self.out['person']) + 1:06d}@mail.example"] if contact else None,
                "expert": expert,
            },
        )
        self.out["person"].append(record)
        return _Person(number, name, family, is_male, birth, city, mobile, record)

    # -- organisations -------------------------------------------------------------------

    def _org(
        self,
        kind: str,
        name: str,
        brand: str,
        city: _City,
        roles: list[OrgRole],
        registered: date,
    ) -> _Org:
        rng = self.rng
        region, district = rng.choice(city.districts)
        code = self._uscc(kind, region, registered)
        phone = self._unique(
            lambda: f"{city.area_code}-{rng.randint(2, 8)}{rng.randrange(10**7):07d}"
        )
        account = self._unique(lambda: rng.choice(_BANK_PREFIXES) + f"{rng.randrange(10**15):015d}")
        address = f"{city.address_prefix}{district}{rng.choice(_ROADS)}{rng.randint(1, 999)}号"
        record = _record(
            "organization",
            {
                "uscc": code,
                "name": name,
                "roles": roles,
                "region": region,
                "registered_on": registered.isoformat(),
                "address": address,
                "phones": [phone],
                "emails": [f"office@{code.lower()}.example"],
                "bank_accounts": [account],
            },
        )
        self.out["organization"].append(record)
        org = _Org(code, name, brand, city, region, registered, phone, account, record)
        org.ip = self._unique(
            lambda: f"100.{rng.randint(64, 127)}.{rng.randrange(256)}.{rng.randint(1, 254)}"
        )
        org.mac = self._unique(
            lambda: "-".join(
                [
                    f"{rng.randrange(64) << 2 | 2:02X}",
                    *(f"{rng.randrange(256):02X}" for _ in "12345"),
                ]
            )
        )
        return org

    def _company_name(self, city: _City, trade: str, suffix: str) -> tuple[str, str]:
        def make() -> str:
            return city.name + "".join(self.rng.sample(_BRAND_CHARS, 2)) + trade + suffix

        name = self._unique(make)
        return name, name[len(city.name) : len(city.name) + 2]

    def _make_suppliers(self) -> None:
        rng = self.rng
        for _ in range(self.size):
            city = self._city()
            category = rng.choices((GOODS, WORKS, SERVICES), weights=(45, 25, 30))[0]
            service = None
            trade = rng.choice(_INDUSTRIES[category])
            if category is SERVICES and rng.random() < 0.15:
                trade, service = rng.choice(_CONSULTANCIES)
            suffix = rng.choices(_SUFFIXES, weights=_SUFFIX_WEIGHTS)[0]
            name, brand = self._company_name(city, trade, suffix)
            registered = self._day(date(1996, 1, 1), date(2020, 6, 30))
            org = self._org("91", name, brand, city, [OrgRole.SUPPLIER], registered)
            org.category, org.service = category, service
            self.suppliers.append(org)
            self.activity[org] = min(rng.paretovariate(1.3), 30.0)

    def _make_agencies(self) -> None:
        rng = self.rng
        for i in range(max(2, self.size // 30)):
            city = _CITIES[i % len(_CITIES)] if i < len(_CITIES) else self._city()
            registered = self._day(date(1998, 1, 1), date(2015, 12, 31))
            if i < len(_CITIES) // 3:  # a few cities run a central procurement centre
                name, kind, brand = f"{city.full}政府采购中心", "12", city.name
            else:
                kind = "91"
                name, brand = self._company_name(city, "", rng.choice(_AGENCY_KINDS))
            org = self._org(kind, name, brand, city, [OrgRole.AGENCY], registered)
            org.public = kind == "12"
            self.agencies.append(org)

    def _make_purchasers(self) -> None:
        rng = self.rng
        for _ in range(max(3, self.size // 15)):
            for attempt in count():
                city = self._city()
                roll = rng.random()
                if roll < 0.45:
                    unit, kind, audience = rng.choice(_ORGANS), "11", "organ"
                elif roll < 0.7:
                    unit, kind, audience = rng.choice(_MEDICAL_UNITS), "12", "medical"
                elif roll < 0.9:
                    unit, kind, audience = rng.choice(_SCHOOL_UNITS), "12", "school"
                else:
                    unit, kind, audience = rng.choice(_OTHER_UNITS), "12", "organ"
                district = rng.choice(city.districts)[1] if rng.random() < 0.4 else ""
                if district and unit == "卫生健康委员会":
                    unit = "卫生健康局"
                name = f"{city.full}{district}{unit}"
                if attempt > 30:  # a large market has used up the named units: number them
                    unit = "中学" if audience == "school" else "人民医院"
                    kind, audience = "12", "school" if audience == "school" else "medical"
                    name = f"{city.full}{district}第{self._next(city.name + district + unit)}{unit}"
                if name not in self.taken:
                    self.taken.add(name)
                    break
            registered = self._day(date(1990, 1, 1), date(2005, 12, 31))
            org = self._org(kind, name, city.name, city, [OrgRole.PURCHASER], registered)
            org.public, org.audience = kind == "12", audience
            self.purchasers.append(org)

    def _index_suppliers(self) -> None:
        by_category: dict[tuple[ProcurementCategory, str], list[_Org]] = {}
        for org in self.suppliers:
            assert org.category is not None
            by_category.setdefault((org.category, ""), []).append(org)
            by_category.setdefault((org.category, org.city.province), []).append(org)
        self.pools = {
            key: _Pool(orgs, [self.activity[o] for o in orgs]) for key, orgs in by_category.items()
        }

    def _draw(
        self, category: ProcurementCategory, province: str, count: int, exclude: list[_Org]
    ) -> list[_Org]:
        """Bidders for a lot: mostly local firms, the busier ones more often."""
        taken = set(exclude)
        chosen: list[_Org] = []
        local = self.pools.get((category, province))
        national = self.pools[(category, "")]
        for _ in range(count * 30):
            if len(chosen) >= count:
                break
            pool = local if local and self.rng.random() < 0.7 else national
            org = pool.draw(self.rng)
            if org not in taken:
                taken.add(org)
                chosen.append(org)
        return chosen

    # -- groups and rings ----------------------------------------------------------------

    def _group(self, name: str, kind: GroupKind, members: list[_Org], since: date) -> str:
        group_id = f"GRP-{len(self.out['group']) + 1:05d}"
        self.out["group"].append(_record("group", {"id": group_id, "name": name, "kind": kind}))
        for org in members:
            self._tie(TieKind.MEMBER_OF, org.ref, {"group": group_id}, valid_from=since)
        return group_id

    def _make_business_groups(self) -> None:
        """Parents holding subsidiaries in the same trade (a direct holding, Regs Art. 18)."""
        rng = self.rng
        parents = [o for o in self.suppliers if o.name.endswith("集团有限公司")]
        for parent in self._sample(parents, max(2, self.size // 300)):
            if parent in self.grouped:
                continue
            peers = [
                o
                for o in self.pools[(parent.category or GOODS, parent.city.province)].orgs
                if o not in self.grouped and o is not parent
            ]
            subsidiaries = self._sample(peers, rng.randint(2, 4))
            if len(subsidiaries) < 2:
                continue
            for sub in subsidiaries:
                sub.parent = parent
            members = [parent, *subsidiaries]
            self.grouped.update(members)
            self.business_groups.append(members)
            since = max(o.registered_on for o in members)
            self._group(f"{parent.brand}集团", GroupKind.GROUP, members, since)

    def _make_rings(self) -> None:
        """Plant colluding rings; each cycles through `_PATTERNS` so every pattern is present."""
        rng = self.rng
        ringed: set[_Org] = set()
        free = [o for o in self.suppliers if o not in self.grouped]
        for i in range(max(len(_PATTERNS), self.size // 100)):
            pattern = _PATTERNS[i % len(_PATTERNS)]
            patterns: tuple[str, ...] = (pattern,)
            if pattern not in ("purchaser", "rotation") and rng.random() < 0.3:
                extra = rng.choice(("deposit", "ip", "device", "contact", "progression"))
                patterns = tuple(dict.fromkeys((pattern, extra)))
            members: list[_Org]
            if pattern == "group":
                groups = [g for g in self.business_groups if not ringed.intersection(g)]
                if not groups:
                    continue
                members = self._sample(rng.choice(groups), rng.randint(2, 3))
            else:
                candidates = [o for o in free if o not in ringed]
                if not candidates:
                    break
                seed = rng.choice(candidates)
                size = 1 if pattern == "purchaser" else rng.choice((2, 2, 3, 3, 4))
                peers = [
                    o
                    for o in self.pools[(seed.category or GOODS, seed.city.province)].orgs
                    if o not in ringed and o not in self.grouped and o is not seed
                ]
                members = [seed, *self._sample(peers, size - 1)]
                if len(members) < min(size, 2):
                    continue
            ringed.update(members)
            if pattern == "legal_rep":  # one boss behind two "competitors" at one address
                self.shared_rep[members[1]] = members[0]
                members[1].record["address"] = members[0].record["address"]
            elif pattern == "holding":
                members[1].parent = members[0]
            self.rings.append(_Ring(members, patterns))

    # -- people and the ties that bind them ----------------------------------------------

    def _adult_in(self, year: int) -> tuple[int, int]:
        return (1955, max(1956, min(2000, year - 22)))

    def _make_people(self) -> None:
        """Legal reps, unit heads, staff and spouses: about 1.2 people per supplier."""
        rng = self.rng
        reps_by_city: dict[str, list[_Person]] = {}
        for org in self.suppliers:
            if org in self.shared_rep:
                continue
            known = [
                p
                for p in reps_by_city.get(org.city.name, [])[-50:]
                if p.birth.year <= org.registered_on.year - 22
            ]
            if known and rng.random() < 0.03:  # some bosses run a second company
                org.legal_rep = rng.choice(known)
            else:
                org.legal_rep = self._person(org.city, self._adult_in(org.registered_on.year))
                reps_by_city.setdefault(org.city.name, []).append(org.legal_rep)
        for org, twin in self.shared_rep.items():
            org.legal_rep = twin.legal_rep
        for org in self.agencies:
            person = self._person(org.city, self._adult_in(2000))
            if org.public:
                org.head = person
                self._tie(TieKind.RESPONSIBLE_FOR, person.ref, org.ref)
            else:
                org.legal_rep = person
                self._tie(TieKind.LEGAL_REP_OF, person.ref, org.ref, valid_from=org.registered_on)
        for org in self.purchasers:
            if rng.random() < 0.5:
                org.head = self._person(org.city, self._adult_in(2010))
                self._tie(TieKind.RESPONSIBLE_FOR, org.head.ref, org.ref)
        left = max(0, round(1.2 * self.size) - len(self.out["person"]))
        self._make_staff(left - left // 3)
        spouses = left // 3
        for org in self.suppliers:
            spouses -= self._corporate_ties(org, spouses > 0)
        self._ring_ties()
        self._family_ties()
        for org in self.suppliers:
            org.author = "Administrator" if rng.random() < 0.06 else org.contact.name

    def _make_staff(self, count: int) -> None:
        """Employees (bid contacts, directors, supervisors), some with an earlier employer."""
        rng = self.rng
        everyone = _Pool(self.suppliers, [self.activity[o] for o in self.suppliers])
        for _ in range(count):
            org = everyone.draw(rng)
            person = self._person(org.city, (1965, 2000))
            adult = date(person.birth.year + 22, 7, 1)
            start = self._day(max(org.registered_on, adult), TODAY - timedelta(days=60))
            org.staff.append(person)
            if rng.random() < 0.25 and start - adult > timedelta(days=800):
                previous = rng.choice(self.pools[(org.category or GOODS, org.city.province)].orgs)
                first = self._day(max(previous.registered_on, adult), start - timedelta(days=400))
                if previous is not org and first < start:
                    self._tie(
                        TieKind.EMPLOYED_BY,
                        person.ref,
                        previous.ref,
                        valid_from=first,
                        valid_to=max(first, start - timedelta(days=rng.randint(1, 60))),
                    )
            self._tie(TieKind.EMPLOYED_BY, person.ref, org.ref, valid_from=start)

    def _corporate_ties(self, org: _Org, spouse_allowed: bool) -> int:
        """Legal rep, owners, controller, directors and supervisor of one supplier.

        Returns how many spouses were created, so the caller can keep to its people budget.
        """
        rng = self.rng
        rep = org.legal_rep
        assert rep is not None
        since = org.registered_on
        created = 0
        self._tie(TieKind.LEGAL_REP_OF, rep.ref, org.ref, valid_from=since)
        if org.parent is not None:
            share = rng.choice((40, 51, 60, 70, 80, 100))
            self._tie(
                TieKind.OWNS, org.parent.ref, org.ref, share=f"{share / 100:.2f}", valid_from=since
            )
            control = TieKind.CONTROLS if share > 50 else TieKind.MANAGES
            self._tie(control, org.parent.ref, org.ref, valid_from=since)
            holder: _Person | None = rep
        else:
            share = rng.choice((100, 100, 100, 90, 80, 70, 60, 51, 50))
            self._tie(TieKind.OWNS, rep.ref, org.ref, share=f"{share / 100:.2f}", valid_from=since)
            if share > 50:
                self._tie(TieKind.CONTROLS, rep.ref, org.ref, valid_from=since)
            holder = None
            roll = rng.random()
            if share < 100 and rep in self.spouses:
                holder = self.spouses[rep]
            elif share < 100 and spouse_allowed and roll < 0.5:  # a husband-and-wife firm
                holder = self._person(
                    rep.city,
                    (max(1955, rep.birth.year - 4), min(2000, rep.birth.year + 4)),
                    male=not rep.male,
                )
                self.spouses[rep] = holder
                self._tie(TieKind.RELATIVE_OF, rep.ref, holder.ref, kinship=Kinship.SPOUSE)
                created = 1
            elif share < 100 and org.staff:
                holder = org.staff[-1]
            elif share < 100:
                holder = rng.choice(self.pools[(org.category or GOODS, "")].orgs).legal_rep
        if share < 100 and holder is not None and (holder is not rep or org.parent):
            self._tie(
                TieKind.OWNS,
                holder.ref,
                org.ref,
                share=f"{(100 - share) / 100:.2f}",
                valid_from=since,
            )
        if rng.random() < 0.6:
            self._tie(TieKind.DIRECTOR_OF, rep.ref, org.ref, valid_from=since)
        if org.name.endswith(("股份有限公司", "集团有限公司")):
            for person in org.staff[:2]:
                self._tie(TieKind.DIRECTOR_OF, person.ref, org.ref, valid_from=since)
        if org.staff and rng.random() < 0.4:
            self._tie(TieKind.SUPERVISOR_OF, org.staff[-1].ref, org.ref, valid_from=since)
        return created

    def _relate(self, person: _Person, relative: _Person, kinship: Kinship) -> None:
        """`person` is the `kinship` of `relative`; siblings and a father's child share a name."""
        if kinship is Kinship.SIBLING and person.surname != relative.surname:
            if person in self.renamed:  # already named after other kin: a cousin, then
                kinship = Kinship.COLLATERAL_THIRD_DEGREE
            else:
                self._rename(person, relative.surname)
        elif kinship is Kinship.PARENT and person.male and relative not in self.renamed:
            self._rename(relative, person.surname)
        self._tie(TieKind.RELATIVE_OF, person.ref, relative.ref, kinship=kinship)

    def _rename(self, person: _Person, surname: str) -> None:
        person.name = surname + person.name[len(person.surname) :]
        person.surname = surname
        person.record["name"] = person.name
        self.renamed.add(person)

    def _family_ties(self) -> None:
        """Parents and grown children running firms in the same city."""
        rng = self.rng
        reps: dict[str, list[_Person]] = {}
        for org in self.suppliers:
            if org.legal_rep is not None:
                reps.setdefault(org.city.name, []).append(org.legal_rep)
        cities = [name for name, people in reps.items() if len(people) > 1]
        pairs = 0
        for _ in range(self.size):
            if pairs >= max(2, self.size // 150) or not cities:
                break
            pair = self._sample(reps[rng.choice(cities)], 2)
            elder, younger = sorted(pair, key=lambda p: p.birth)
            if younger.birth.year - elder.birth.year >= 22 and younger not in self.renamed:
                self._relate(elder, younger, Kinship.PARENT)
                pairs += 1

    def _ring_ties(self) -> None:
        """Siblings as legal reps of a `kin` ring: one family behind both bidders."""
        for ring in self.rings:
            if "kin" in ring.patterns:
                first, second = (m.legal_rep for m in ring.members[:2])
                assert first is not None and second is not None
                self._relate(second, first, Kinship.SIBLING)

    def _make_associations(self) -> None:
        """Trade associations (Regs Art. 74: members bidding on the association's instruction)."""
        rng = self.rng
        labels = {GOODS: "医疗器械行业协会", WORKS: "建筑业协会", SERVICES: "软件行业协会"}
        for _ in range(max(2, self.size // 500)):
            city = self._city()
            category = rng.choice((GOODS, WORKS, SERVICES))
            name = f"{city.province}{labels[category]}"
            if name in self.taken:
                continue
            self.taken.add(name)
            pool = self.pools.get((category, city.province))
            if pool is None:
                continue
            members = self._sample(pool.orgs, rng.randint(10, 60))
            since = max(o.registered_on for o in members)
            self._group(name, GroupKind.ASSOCIATION, members, since)

    def _make_experts(self) -> None:
        """Review experts with specialties; some work for a hospital, school or supplier."""
        rng = self.rng
        public = [o for o in self.purchasers if o.public]
        for i in range(max(12, self.size // 10)):
            category = (GOODS, WORKS, SERVICES)[i % 3]
            fields = sorted({it[1] for it in _ITEMS[category]})
            specialties = self._sample(fields, rng.choice((1, 2, 2, 3)))
            if rng.random() < 0.15:
                specialties.append(_POLICY_SPECIALTY)
            profile: JsonRecord = {"specialties": specialties, "active": True}
            person = self._person(self._city(), (1955, 1990), expert=profile)
            roll = rng.random()
            if roll < 0.55 and public:
                profile["employer"] = rng.choice(public).uscc
            elif roll < 0.65:
                employer = rng.choice(self.pools[(category, "")].orgs)
                profile["employer"] = employer.uscc
                adult = date(person.birth.year + 23, 9, 1)
                since = self._day(max(employer.registered_on, adult), date(2022, 1, 1))
                self._tie(TieKind.EMPLOYED_BY, person.ref, employer.ref, valid_from=since)
            self.experts.append(person)
            for specialty in specialties:
                self.specialties.setdefault(specialty, []).append(person)

    # -- procurement -----------------------------------------------------------------------

    def _budget(self, category: ProcurementCategory) -> Decimal:
        low, high = _BUDGET_RANGE[category]
        if category is WORKS and self.rng.random() < 0.02:  # the odd new hospital wing
            return Decimal(round(self._loguniform(1e8, 5e8), -4))
        return Decimal(round(self._loguniform(low, high), -3))

    def _method(
        self, category: ProcurementCategory, budget: Decimal, lots: int
    ) -> ProcurementMethod:
        if category is WORKS and budget >= 4_000_000:  # works of this size must be tendered
            return ProcurementMethod.OPEN_TENDERING
        methods = [
            ProcurementMethod.OPEN_TENDERING,
            ProcurementMethod.COMPETITIVE_CONSULTATION,
            ProcurementMethod.COMPETITIVE_NEGOTIATION,
            ProcurementMethod.SELECTIVE_TENDERING,
            ProcurementMethod.FRAMEWORK,
        ]
        weights = [50, 22, 10, 4, 3]
        if category is GOODS:
            methods.append(ProcurementMethod.REQUEST_FOR_QUOTATION)
            weights.append(12)
        if category is not WORKS and lots == 1:
            methods.append(ProcurementMethod.SINGLE_SOURCE)
            weights.append(6)
        return self.rng.choices(methods, weights=weights)[0]

    def _project_count(self) -> int:
        """About 0.6 projects a supplier; with a bid target, as many as give that many bids."""
        if self.bids is None:
            return max(12, self.size * 3 // 5)
        return max(12, round(self.bids / _BIDS_PER_PROJECT))

    def _make_projects(self) -> None:
        rng = self.rng
        buyers = _Pool(self.purchasers, [rng.paretovariate(1.5) for _ in self.purchasers])
        for n in range(self._project_count()):
            purchaser = buyers.draw(rng)
            category = rng.choices((GOODS, WORKS, SERVICES), weights=(45, 20, 35))[0]
            items = [it for it in _ITEMS[category] if it[2] in ("all", purchaser.audience)]
            item, specialty, _, lot_items = rng.choice(items)
            published = self._day(_FIRST_PUBLICATION, _LAST_PUBLICATION)
            chosen = self._sample(lot_items, rng.choices((1, 2, 3), weights=(60, 25, 15))[0])
            budgets = [self._budget(category) for _ in chosen]
            method = self._method(category, sum(budgets, Decimal(0)), len(chosen))
            agency = None
            if rng.random() < 0.85:
                local = [a for a in self.agencies if a.city is purchaser.city]
                agency = rng.choice(local if local and rng.random() < 0.8 else self.agencies)
            if category is WORKS:
                name = f"{purchaser.name}{item}"
            else:
                name = f"{purchaser.name}{published.year}年{item}采购项目"
            project_id = f"ZFCG-{published.year}-{n + 1:05d}"
            project = _Project(
                project_id, name, purchaser, agency, method, category, specialty, published
            )
            self.projects.append(project)
            self._keep(
                "project",
                _record(
                    "project",
                    {
                        "id": project_id,
                        "name": name,
                        "purchaser": purchaser.uscc,
                        "agency": agency.uscc if agency else None,
                        "ocid": f"ocds-demo01-{project_id}" if rng.random() < 0.4 else None,
                        "method": method,
                        "category": category,
                        "budget": _money(sum(budgets, Decimal(0))),
                        "published_on": published.isoformat(),
                    },
                ),
            )
            tendered = method in (
                ProcurementMethod.OPEN_TENDERING,
                ProcurementMethod.SELECTIVE_TENDERING,
            )
            for k, (lot_item, budget) in enumerate(zip(chosen, budgets, strict=True), start=1):
                days = rng.randint(20, 35) if tendered else rng.randint(5, 15)
                deadline = datetime.combine(published + timedelta(days=days), time(9, 30), _CST)
                lot = _Lot(f"{project_id}-{k}", project, budget, deadline)
                project.lots.append(lot)
                self.lots.append(lot)
                self._keep(
                    "lot",
                    _record(
                        "lot",
                        {
                            "id": lot.id,
                            "project": project_id,
                            "name": f"包{k}：{lot_item}",
                            "budget": _money(budget),
                            "bid_deadline": deadline.isoformat(),
                        },
                    ),
                )

    def _assign_ring_lots(self) -> None:
        """Each ring shares out a few lots of its trade, taking turns as the winner."""
        rng = self.rng
        closed = [
            lot
            for lot in self.lots
            if lot.deadline.date() <= TODAY - timedelta(days=30)
            and lot.project.method is not ProcurementMethod.SINGLE_SOURCE
        ]
        by_province: dict[tuple[ProcurementCategory, str], list[_Lot]] = {}
        for lot in closed:  # local lots in their original order, so a ring needs no full scan
            key = (lot.project.category, lot.project.purchaser.city.province)
            by_province.setdefault(key, []).append(lot)
        for ring in self.rings:
            lead = ring.members[0]
            assert lead.category is not None
            local_lots = by_province.get((lead.category, lead.city.province), [])
            local = [lot for lot in local_lots if lot.ring is None]
            if "purchaser" in ring.patterns or len(local) < 6:
                fitting = [
                    lot
                    for lot in closed
                    if lot.ring is None and lot.project.category is lead.category
                ]
            if "purchaser" in ring.patterns:  # a unit head's relative keeps winning there
                counts: dict[_Org, int] = {}
                for lot in fitting:
                    if lot.project.purchaser.head is not None:
                        buyer = lot.project.purchaser
                        counts[buyer] = counts.get(buyer, 0) + 1
                if not counts:
                    continue
                buyer = max(counts, key=lambda b: counts[b])
                fitting = [lot for lot in fitting if lot.project.purchaser is buyer]
                assert buyer.head is not None and lead.legal_rep is not None
                self._relate(buyer.head, lead.legal_rep, rng.choice(_OUTER_KIN))
            elif len(local) >= 6:
                fitting = local
            for i, lot in enumerate(
                sorted(self._sample(fitting, rng.randint(3, 6)), key=lambda lt: lt.deadline)
            ):
                lot.ring, lot.ring_winner = ring, ring.members[i % len(ring.members)]
                ring.lots.append(lot)

    def _plant_services(self) -> None:
        """Consultancies that designed or supervised a project; some then bid on it (Art. 18)."""
        rng = self.rng
        consultancies = [o for o in self.suppliers if o.service is not None]
        closed = [p for p in self.projects if p.lots[0].deadline.date() <= TODAY]
        if not consultancies:
            return
        for i, project in enumerate(self._sample(closed, max(3, len(self.projects) // 40))):
            provider = rng.choice(consultancies)
            since = project.published - timedelta(days=rng.randint(30, 240))
            self._tie(
                TieKind.PROVIDED_SERVICE,
                provider.ref,
                {"project": project.id},
                service=provider.service,
                valid_from=since,
            )
            if i % 3 == 0:
                rng.choice(project.lots).extra_bidders.append(provider)

    def _price(self, amount: float, cents: bool) -> Decimal:
        if cents:
            return Decimal(round(amount * 100)) / 100
        return Decimal(round(amount, -2))

    def _make_bids(self) -> None:
        for lot in self.lots:
            if lot.deadline.date() > TODAY:
                continue  # bids are opened at the deadline; this lot is still open
            project = lot.project
            if project.method is ProcurementMethod.SINGLE_SOURCE:
                count = 1
            else:
                count = self.rng.choices(range(3, 9), weights=(14, 20, 20, 16, 15, 15))[0]
                if self.bids is not None and self.rng.random() < _CROWDED_SHARE:
                    count = self.rng.randint(20, 30)  # a popular open tender draws a crowd
            ring = lot.ring.members if lot.ring else []
            bidders = [*ring, *(o for o in lot.extra_bidders if o not in ring)]
            province = project.purchaser.city.province
            bidders += self._draw(project.category, province, count - len(bidders), bidders)
            self._lot_bids(lot, bidders)

    def _lot_bids(self, lot: _Lot, bidders: list[_Org]) -> None:
        """Prices, times and bid files for one lot; a ring's bids carry its tell-tale signs."""
        rng = self.rng
        budget = float(lot.budget)
        ring = lot.ring
        prices: dict[_Org, Decimal] = {}
        floor = 0.0  # outsiders of a ring lot bid above the ring's winner
        if ring is not None and lot.ring_winner is not None:
            base = budget * rng.uniform(0.93, 0.97)  # a ring wins dearer than a real contest
            floor = base * rng.uniform(1.01, 1.03)
            others = [m for m in ring.members if m is not lot.ring_winner]
            rng.shuffle(others)
            headroom = (budget * 0.998 - base) / len(ring.members)
            step = Decimal(round(headroom * rng.uniform(0.4, 1.0), -2))
            prices[lot.ring_winner] = self._price(base, cents=False)
            for k, member in enumerate(others, start=1):
                if "progression" in ring.patterns:  # regular differences, Art. 37 (4)
                    prices[member] = prices[lot.ring_winner] + step * k
                else:  # cover bids just above the designated winner
                    cover = min(base * rng.uniform(1.01, 1.05), budget * rng.uniform(0.99, 0.998))
                    prices[member] = self._price(cover, cents=False)
            ring.fingerprint = f"{rng.getrandbits(128):032x}"
        ringed = set(prices)
        start = lot.deadline - timedelta(minutes=rng.randint(60, 48 * 60))
        taken = list(bidders)
        drafts: list[tuple[datetime, _Org, JsonRecord, list[_Org]]] = []
        for org in bidders:
            status = BidStatus.VALID
            if org not in ringed:
                ratio = min(1.04, max(0.7, rng.gauss(0.91, 0.05)))
                prices[org] = self._price(max(budget * ratio, floor), cents=rng.random() < 0.25)
                roll = rng.random()
                if prices[org] > lot.budget or roll < 0.04:
                    status = BidStatus.DISQUALIFIED
                elif roll < 0.06:
                    status = BidStatus.WITHDRAWN
            contact = org.contact
            submitted = lot.deadline - timedelta(minutes=rng.randint(30, 10 * 24 * 60))
            devices = [{"kind": DeviceKind.IP, "value": org.ip}]
            if rng.random() < 0.7:
                devices.append({"kind": DeviceKind.MAC, "value": org.mac})
            if rng.random() < 0.6:
                devices.append({"kind": DeviceKind.AUTHOR, "value": org.author})
            record: JsonRecord = {
                "supplier": org.uscc,
                "price": _money(prices[org]),
                "status": status,
                "preparer": contact.ref if rng.random() < 0.3 else None,
                "agent": contact.ref if rng.random() < 0.5 else None,
                "contact": contact.ref,
                "contact_phone": contact.mobile if self.personal_contacts else org.phone,
                "deposit_account": org.account if rng.random() < 0.9 else None,
                "devices": devices,
                "file_fingerprint": f"{rng.getrandbits(128):032x}",
            }
            members: list[_Org] = []
            if ring is not None and org in ringed:
                submitted = self._ring_bid(record, ring, start)
            elif (
                lot.project.category is not GOODS
                and lot.budget >= 1_000_000
                and rng.random() < 0.05
            ):
                members = self._draw(lot.project.category, "", rng.randint(1, 2), taken)
                taken += members
                record["consortium_members"] = [m.uscc for m in members]
            drafts.append((submitted, org, record, members))
        drafts.sort(key=lambda d: d[0])
        for j, (submitted, org, fields, members) in enumerate(drafts, start=1):
            record = _record(
                "bid",
                {
                    "id": f"{lot.id}-B{j:02d}",
                    "lot": lot.id,
                    **fields,
                    "submitted_at": submitted.isoformat(),
                },
            )
            bid = _Bid(record["id"], org, members, prices[org], fields["status"], submitted)
            lot.bids.append(bid)
            self._keep("bid", record)
            if members:
                self.consortia.append(bid)
                name = f"{org.name}等联合体（{lot.id}）"
                self._group(name, GroupKind.CONSORTIUM, [org, *members], submitted.date())

    def _ring_bid(self, record: JsonRecord, ring: _Ring, start: datetime) -> datetime:
        """Overwrite a ring member's bid with what the ring shares; return its submission time."""
        rng = self.rng
        lead, patterns = ring.members[0], ring.patterns
        if "deposit" in patterns:  # Order 87 Art. 37 (6): deposits from one account
            record["deposit_account"] = lead.account
        if "ip" in patterns:
            record["devices"] = [{"kind": DeviceKind.IP, "value": lead.ip}, *record["devices"][1:]]
        if "device" in patterns:  # Art. 37 (1)/(4): one machine, one author, one file
            record["devices"] = [
                record["devices"][0],
                {"kind": DeviceKind.MAC, "value": lead.mac},
                {"kind": DeviceKind.AUTHOR, "value": lead.author},
            ]
            record["preparer"] = lead.contact.ref
            record["file_fingerprint"] = ring.fingerprint
        if "contact" in patterns:  # Art. 37 (3): one contact person for several bidders
            record["contact"] = record["agent"] = lead.contact.ref
            record["contact_phone"] = lead.contact.mobile if self.personal_contacts else lead.phone
        if "ip" in patterns or "device" in patterns:  # one machine, one sitting
            return start + timedelta(minutes=rng.randint(2, 25))
        return start - timedelta(minutes=rng.randint(0, 7 * 24 * 60))

    def _make_awards(self) -> None:
        """Lowest valid bid wins, usually; too few valid bids and the lot fails."""
        rng = self.rng
        for lot in self.lots:
            valid = sorted(
                (b for b in lot.bids if b.status is BidStatus.VALID), key=lambda b: b.price
            )
            single = lot.project.method is ProcurementMethod.SINGLE_SOURCE
            if not valid or (len(valid) < 3 and not single):
                continue
            if lot.ring_winner is not None:
                bid = next(b for b in valid if b.supplier is lot.ring_winner)
            else:
                bid = valid[1] if len(valid) > 1 and rng.random() < 0.15 else valid[0]
            awarded = lot.deadline.date() + timedelta(days=rng.randint(2, 10))
            if awarded > TODAY:
                continue
            lot.award = _Award(f"{lot.id}-AW", lot, bid, awarded)
            self.awards.append(lot.award)
            self._keep(
                "award",
                _record(
                    "award",
                    {
                        "id": lot.award.id,
                        "lot": lot.id,
                        "bid": bid.id,
                        "supplier": bid.supplier.uscc,
                        "amount": _money(bid.price),
                        "awarded_on": awarded.isoformat(),
                    },
                ),
            )

    def _make_contracts(self) -> None:
        """Contracts within 30 days of the award; a few winners refuse to sign."""
        rng = self.rng
        old = [a for a in self.awards if a.awarded_on <= TODAY - timedelta(days=60)]
        self.refused = self._sample(old, max(1, len(self.awards) // 60))
        refused = set(self.refused)
        for award in self.awards:
            signed = award.awarded_on + timedelta(days=rng.randint(5, 28))
            if award in refused or signed > TODAY:
                continue
            amount = award.bid.price
            if rng.random() < 0.06:  # a supplementary agreement, at most 10% more
                amount = (amount * Decimal(1 + rng.uniform(0.01, 0.1))).quantize(_CENT)
            low, high = _ACCEPTANCE_DAYS[award.lot.project.category]
            accepted = signed + timedelta(days=rng.randint(low, high))
            acceptance = Acceptance.FAILED if rng.random() < 0.04 else Acceptance.PASSED
            if accepted > TODAY:
                acceptance = Acceptance.PENDING
            done = accepted if acceptance is not Acceptance.PENDING else None
            award.contract = _Contract(f"{award.lot.id}-CT", signed, amount, acceptance, done)
            self._keep(
                "contract",
                _record(
                    "contract",
                    {
                        "id": award.contract.id,
                        "award": award.id,
                        "signed_on": signed.isoformat(),
                        "amount": _money(amount),
                        "acceptance": acceptance,
                        "accepted_on": done.isoformat() if done else None,
                    },
                ),
            )

    def _make_reviews(self) -> None:
        """Panels of 3 or 5 experts of the lot's specialty; then plant recusal conflicts."""
        rng = self.rng
        for lot in self.lots:
            if not lot.bids:
                continue
            project = lot.project
            tendered = project.method in (
                ProcurementMethod.OPEN_TENDERING,
                ProcurementMethod.SELECTIVE_TENDERING,
            )
            size = 5 if tendered else 3
            fitting = self.specialties.get(project.specialty, [])
            panel = self._sample(fitting, size)
            while len(panel) < size:
                expert = rng.choice(self.experts)
                if expert not in panel:
                    panel.append(expert)
            lot.panel = panel
        self._plant_recusals()
        for lot in self.lots:
            for k, expert in enumerate(lot.panel, start=1):
                review_id = f"{lot.id}-RV{k}"
                self.reviews.append((review_id, expert, lot))
                self._keep(
                    "review",
                    _record(
                        "review",
                        {
                            "id": review_id,
                            "expert": expert.id_number,
                            "lot": lot.id,
                            "reviewed_on": lot.deadline.date().isoformat(),
                            "chair": k == 1,
                        },
                    ),
                )

    def _plant_recusals(self) -> None:
        """Experts on a panel judging a bidder they are tied to (Regs Art. 9); one stale tie."""
        rng = self.rng
        lots = [lot for lot in self.lots if lot.award is not None and len(lot.panel) > 1]
        planted = 0
        for _ in range(len(lots)):
            if planted >= max(len(_RECUSAL_PLANTS), len(self.experts) // 20) or not lots:
                break
            kind = _RECUSAL_PLANTS[planted % len(_RECUSAL_PLANTS)]
            lot = rng.choice(lots)
            assert lot.award is not None
            supplier = lot.award.bid.supplier
            expert = rng.choice(self.experts)
            reviewed = lot.deadline.date()
            adult = date(expert.birth.year + 22, 7, 1)
            since = max(supplier.registered_on, adult)
            if expert in lot.panel or reviewed - since < timedelta(days=6 * 365):
                continue
            if kind == "relative":
                rep = supplier.legal_rep
                assert rep is not None
                self._relate(expert, rep, rng.choice(_OUTER_KIN))
            elif kind == "employer":
                expert.record["expert"]["employer"] = supplier.uscc
                self._tie(TieKind.EMPLOYED_BY, expert.ref, supplier.ref, valid_from=since)
            else:
                ended = timedelta(days=rng.randint(60, 900))  # within the three years
                if kind == "stale_employee":
                    ended = timedelta(days=rng.randint(4 * 365, 5 * 365))
                tie = TieKind.DIRECTOR_OF if kind == "former_director" else TieKind.EMPLOYED_BY
                self._tie(
                    tie,
                    expert.ref,
                    supplier.ref,
                    valid_from=since,
                    valid_to=max(since, reviewed - ended),
                )
            lot.panel[-1] = expert
            if kind != "stale_employee":
                self.recusal_reviews.append((f"{lot.id}-RV{len(lot.panel)}", expert, lot))
            planted += 1

    # -- credit records ------------------------------------------------------------------

    def _make_complaints(self) -> None:
        """Losing bidders complain about some awards; a few complaints prove false."""
        rng = self.rng
        for lot in self.lots:
            award = lot.award
            if award is None or rng.random() >= 0.05:
                continue
            losers = [b.supplier for b in lot.bids if b is not award.bid]
            filed = award.awarded_on + timedelta(days=rng.randint(8, 25))
            if not losers or filed > TODAY:
                continue
            complainant = rng.choice(losers)
            decided = filed + timedelta(days=rng.randint(20, 45))
            outcome = ComplaintOutcome.PENDING
            if decided <= TODAY:
                outcome = rng.choices(
                    (
                        ComplaintOutcome.UPHELD,
                        ComplaintOutcome.REJECTED,
                        ComplaintOutcome.FALSE_OR_MALICIOUS,
                    ),
                    weights=(22, 68, 10),
                )[0]
            record = _record(
                "complaint",
                {
                    "id": "",
                    "complainant": complainant.uscc,
                    "lot": lot.id,
                    "filed_on": filed.isoformat(),
                    "grounds": rng.choice(_COMPLAINT_GROUNDS),
                    "outcome": outcome,
                    "decided_on": decided.isoformat() if decided <= TODAY else None,
                },
            )
            self.complaints.append((record, lot, complainant))
        decided_ones = [c for c in self.complaints if "decided_on" in c[0]]
        if decided_ones and not any(
            c[0]["outcome"] is ComplaintOutcome.FALSE_OR_MALICIOUS for c in decided_ones
        ):
            decided_ones[0][0]["outcome"] = ComplaintOutcome.FALSE_OR_MALICIOUS
        self.complaints.sort(key=lambda c: str(c[0]["filed_on"]))
        for i, (record, _, _) in enumerate(self.complaints, start=1):
            record["id"] = f"TS-{i:05d}"
            self.out["complaint"].append(record)

    def _authority(self, kind: str, city: _City, year: int) -> tuple[str, str]:
        """Who decides, and the decision-number template (`{n}` filled in date order)."""
        rng = self.rng
        if kind == "tax":
            return f"国家税务总局{city.full}税务局稽查局", f"{city.abbr}税稽罚〔{year}〕{{n}}号"
        if kind == "market":
            return f"{city.full}市场监督管理局", f"{city.abbr}市监处罚〔{year}〕{{n}}号"
        if kind == "environment":
            return f"{city.full}生态环境局", f"{city.abbr}环罚〔{year}〕{{n}}号"
        if kind == "court":
            region, district = rng.choice(city.districts)
            return (
                f"{city.full}{district}人民法院",
                f"（{year}）{city.prov_abbr}{region[2:]}刑初{{n}}号",
            )
        roll = rng.random()
        if roll < 0.06:
            return "财政部", f"财库处〔{year}〕{{n}}号"
        if roll < 0.18 and city.province != city.full:
            return f"{city.province}财政厅", f"{city.prov_abbr}财采监〔{year}〕{{n}}号"
        return f"{city.full}财政局", f"{city.abbr}财采罚〔{year}〕{{n}}号"

    def _status(
        self, category: ViolationCategory, decided: date, ban_end: date | None
    ) -> tuple[RecordStatus, date | None]:
        """Most records stay active; some are repaired, overturned or under appeal."""
        rng = self.rng
        roll = rng.random()
        if category is VC.CRIMINAL_OFFENCE:
            return RecordStatus.ACTIVE, None
        if roll < 0.12 and category is not VC.LICENCE_REVOKED:
            # credit repair once the ban, or a minimum publication period, is over
            earliest = max(ban_end or decided, decided + timedelta(days=180))
            status, when = RecordStatus.REPAIRED, earliest + timedelta(days=rng.randint(1, 240))
        elif roll < 0.18:
            status, when = RecordStatus.OVERTURNED, decided + timedelta(days=rng.randint(30, 300))
        elif roll < 0.4 and decided >= TODAY - timedelta(days=400):
            status, when = RecordStatus.UNDER_APPEAL, decided + timedelta(days=rng.randint(5, 60))
        else:
            return RecordStatus.ACTIVE, None
        if when > TODAY:
            return RecordStatus.ACTIVE, None
        return status, when

    def _violation(
        self,
        category: ViolationCategory,
        subject: _Org | _Person,
        city: _City,
        decided: date,
        *,
        penalties: list[PenaltyType],
        severity: Severity,
        content: str,
        fine: Decimal | None = None,
        ban_months: int = 0,
        authority: str = "finance",
        basis: str = "",
        lot: _Lot | None = None,
        project: _Project | None = None,
    ) -> None:
        rng = self.rng
        name, template = self._authority(authority, city, decided.year)
        ban_start = ban_end = None
        if ban_months:
            ban_start = decided + timedelta(days=rng.choice((0, 0, 0, 5, 10)))
            ban_end = _add_months(ban_start, ban_months) - timedelta(days=1)
        if fine is not None and fine >= _LARGE_FINE:
            severity = Severity.MAJOR
        status, status_date = self._status(category, decided, ban_end)
        publication_end = None
        if category is not VC.CRIMINAL_OFFENCE:  # judgments are published by the courts
            months = 12 if severity is Severity.GENERAL else 36
            publication_end = (
                status_date
                if status is RecordStatus.REPAIRED
                else (ban_end or _add_months(decided, months))
            )
        project = lot.project if lot else project
        record = _record(
            "violation",
            {
                "id": "",
                "subject": subject.ref,
                "category": category,
                "severity": severity,
                "decision_number": template,
                "authority": name,
                "basis": basis or _BASIS[category],
                "penalty_types": penalties,
                "penalty_content": content,
                "fine": _money(fine) if fine is not None else None,
                "decided_on": decided.isoformat(),
                "ban_start": ban_start.isoformat() if ban_start else None,
                "ban_end": ban_end.isoformat() if ban_end else None,
                "publication_end": publication_end.isoformat() if publication_end else None,
                "status": status,
                "status_date": status_date.isoformat() if status_date else None,
                "project": project.id if project else None,
                "lot": lot.id if lot else None,
            },
        )
        self.violations.append((record, subject if isinstance(subject, _Org) else None))
        if "expert" in subject.record and ban_end and ban_end >= TODAY:
            subject.record["expert"]["active"] = status is RecordStatus.OVERTURNED
        if category is VC.AGENCY_IRREGULAR_PROCEDURE or category in _ON_REVIEW:
            self.penalised.add(subject)

    def _after(self, day: date, low: int, high: int) -> date | None:
        """A decision `low`..`high` days after an event, or None if it would lie in the future."""
        decided = day + timedelta(days=self.rng.randint(low, high))
        return decided if decided < TODAY else None

    def _fine_and_ban(
        self,
        category: ViolationCategory,
        subject: _Org,
        lot: _Lot,
        decided: date,
        amount: Decimal,
        months: int,
        basis: str = "",
        gain: Decimal | None = None,
    ) -> None:
        """Law Art. 77: a fine of 5 to 10 per mille of the amount, listing, a 1-3 year ban."""
        permille = self.rng.randint(5, 10)
        fine = (amount * permille / 1000).quantize(_CENT)
        penalties = [PenaltyType.FINE, PenaltyType.PROCUREMENT_BAN]
        content = (
            f"罚款人民币{fine:,.2f}元（采购金额千分之{_CN_DIGITS[permille]}）；{_ban_text(months)}"
        )
        if gain is not None:
            penalties.append(PenaltyType.CONFISCATION)
            content += f"；没收违法所得人民币{gain:,.2f}元"
        self._violation(
            category,
            subject,
            lot.project.purchaser.city,
            decided,
            penalties=penalties,
            severity=Severity.SERIOUS,
            fine=fine,
            ban_months=months,
            content=content,
            basis=basis,
            lot=lot,
        )

    def _make_violations(self) -> None:
        """Every category at least twice, then a weighted mix; caught rings first."""
        rng = self.rng
        if not self.awards:
            return
        self.false_complaints = [
            c for c in self.complaints if c[0]["outcome"] is ComplaintOutcome.FALSE_OR_MALICIOUS
        ]
        self._caught_rings()
        plan = [category for category in VC for _ in range(2)]
        extra = max(0, max(2 * len(VC), self.size // 10) - len(plan) - len(self.violations))
        plan += rng.choices(
            list(_VIOLATION_WEIGHTS), weights=list(_VIOLATION_WEIGHTS.values()), k=extra
        )
        for category in plan:
            if category in _ON_BID:
                self._bid_violation(category)
            elif category in _ON_CONTRACT:
                self._contract_violation(category)
            elif category in _ON_REVIEW:
                self._expert_violation(category)
            elif category is VC.REFUSED_CONTRACT:
                self._refusal_violation()
            elif category is VC.FALSE_COMPLAINT:
                self._complaint_violation()
            elif category is VC.AGENCY_IRREGULAR_PROCEDURE:
                self._agency_violation()
            else:
                self._entity_violation(category)
        self.violations.sort(key=lambda v: str(v[0]["decided_on"]))
        for i, (record, _) in enumerate(self.violations, start=1):
            record["id"] = f"WF-{i:05d}"
            template = record["decision_number"]
            record["decision_number"] = template.format(n=self._next(template, step=6))
            self.out["violation"].append(record)

    def _caught_rings(self) -> None:
        """Every third ring was found out: each member punished for one of the ring's lots."""
        for ring in self.rings[::3]:
            for lot in ring.lots:
                decided = self._after(lot.award.awarded_on, 60, 300) if lot.award else None
                if lot.award is None or decided is None:
                    continue
                basis = _BASIS[VC.MALICIOUS_COLLUSION] + next(
                    (
                        text
                        for key, text in _COLLUSION_BASIS.items()
                        if key in ring.patterns or (key == "device" and "ip" in ring.patterns)
                    ),
                    "",
                )
                for member in ring.members:
                    months = self.rng.choice((24, 36))
                    self._fine_and_ban(
                        VC.MALICIOUS_COLLUSION,
                        member,
                        lot,
                        decided,
                        lot.award.bid.price,
                        months,
                        basis,
                    )
                break

    def _bid_violation(self, category: ViolationCategory) -> None:
        rng = self.rng
        for _ in range(50):
            award = rng.choice(self.awards)
            decided = self._after(award.awarded_on, 45, 300)
            if decided is not None:
                break
        else:
            return
        bid = award.bid if rng.random() < 0.6 else rng.choice(award.lot.bids)
        months = rng.choice((12, 12, 18, 24, 36))
        gain = None
        if bid is award.bid and category in (VC.FALSE_MATERIALS, VC.BRIBERY) and rng.random() < 0.3:
            gain = (bid.price * Decimal(rng.uniform(0.02, 0.08))).quantize(_CENT)
        self._fine_and_ban(
            category, bid.supplier, award.lot, decided, award.bid.price, months, gain=gain
        )

    @cached_property
    def _signed_awards(self) -> list[_Award]:
        """Awards with a contract (fixed once contracts are made; cached, as each of the
        thousands of violations of a large market draws from it)."""
        return [a for a in self.awards if a.contract is not None]

    @cached_property
    def _failed_awards(self) -> list[_Award]:
        return [
            a
            for a in self._signed_awards
            if a.contract and a.contract.acceptance is Acceptance.FAILED
        ]

    @cached_property
    def _agency_projects(self) -> list[_Project]:
        return [p for p in self.projects if p.agency and any(lot.award for lot in p.lots)]

    def _contract_violation(self, category: ViolationCategory) -> None:
        rng = self.rng
        signed, failed = self._signed_awards, self._failed_awards
        pool = failed if category is VC.QUALITY_FAILURE and failed else signed
        for _ in range(50):
            award = rng.choice(pool)
            contract = award.contract
            assert contract is not None
            event = contract.accepted_on or contract.signed_on + timedelta(
                days=rng.randint(60, 300)
            )
            decided = self._after(event, 20, 120)
            if decided is not None:
                break
        else:
            return
        supplier = award.bid.supplier
        if category is VC.BREACH_OF_CONTRACT and rng.random() < 0.5:  # mitigated: a warning
            self._violation(
                category,
                supplier,
                award.lot.project.purchaser.city,
                decided,
                penalties=[PenaltyType.WARNING],
                severity=Severity.GENERAL,
                content="警告",
                lot=award.lot,
            )
            return
        months = rng.choice((12, 18, 24, 36))
        self._fine_and_ban(category, supplier, award.lot, decided, contract.amount, months)

    def _refusal_violation(self) -> None:
        rng = self.rng
        award = self.refused.pop(0) if self.refused else rng.choice(self.awards)
        decided = self._after(award.awarded_on, 40, 200)
        if decided is None:
            return
        months = rng.choice((12, 24))
        self._fine_and_ban(
            VC.REFUSED_CONTRACT, award.bid.supplier, award.lot, decided, award.bid.price, months
        )

    def _complaint_violation(self) -> None:
        rng = self.rng
        pool = self.false_complaints or self.complaints
        if not pool:
            return
        record, lot, complainant = pool.pop(0) if self.false_complaints else rng.choice(pool)
        decided = self._after(
            date.fromisoformat(record.get("decided_on") or record["filed_on"]), 10, 60
        )
        if decided is None:
            return
        months = rng.choice((12, 24, 36))
        self._violation(
            VC.FALSE_COMPLAINT,
            complainant,
            lot.project.purchaser.city,
            decided,
            penalties=[PenaltyType.PROCUREMENT_BAN],
            severity=Severity.SERIOUS,
            ban_months=months,
            content=_ban_text(months),
            lot=lot,
        )

    def _expert_violation(self, category: ViolationCategory) -> None:
        rng = self.rng
        planted = category is VC.EXPERT_FAILED_RECUSAL and self.recusal_reviews
        pool = self.recusal_reviews if planted else self.reviews
        for _ in range(50):
            _, expert, lot = rng.choice(pool)
            decided = self._after(lot.deadline.date(), 30, 240)
            if decided is not None:
                break
        else:
            return
        low, high = (
            (20_000, 50_000)
            if category in (VC.EXPERT_LEAKED_INFORMATION, VC.EXPERT_SOLICITED_BENEFITS)
            else (2_000, 20_000)
        )
        fine = Decimal(rng.randint(low // 100, high // 100) * 100)
        penalties = [PenaltyType.FINE]
        content = f"罚款人民币{fine:,.2f}元"
        months = 0
        if category is VC.EXPERT_SOLICITED_BENEFITS:
            penalties.append(PenaltyType.CONFISCATION)
            content += f"；没收违法所得人民币{rng.randint(50, 800) * 100:,.2f}元"
        if category in (VC.EXPERT_LEAKED_INFORMATION, VC.EXPERT_SOLICITED_BENEFITS) or (
            rng.random() < 0.4
        ):
            months = rng.choice((12, 24, 36))
            penalties.append(PenaltyType.REVIEW_BAN)
            content += f"；{_SPANS[months]}内禁止参加政府采购评审活动"
        else:
            penalties.insert(0, PenaltyType.WARNING)
            content = f"警告；{content}"
        severity = Severity.SERIOUS if months else Severity.GENERAL
        self._violation(
            category,
            expert,
            lot.project.purchaser.city,
            decided,
            penalties=penalties,
            severity=severity,
            fine=fine,
            ban_months=months,
            content=content,
            lot=lot,
        )

    def _agency_violation(self) -> None:
        rng = self.rng
        pool = self._agency_projects
        for _ in range(50):
            project = rng.choice(pool)
            decided = self._after(project.published, 60, 300)
            if decided is not None and project.agency is not None:
                break
        else:
            return
        fine = Decimal(rng.randint(20, 100) * 1000)
        self._violation(
            VC.AGENCY_IRREGULAR_PROCEDURE,
            project.agency,
            project.purchaser.city,
            decided,
            penalties=[PenaltyType.WARNING, PenaltyType.FINE],
            severity=Severity.GENERAL,
            fine=fine,
            content=f"责令限期改正，警告；罚款人民币{fine:,.2f}元",
            project=project,
        )

    def _entity_violation(self, category: ViolationCategory) -> None:
        """Penalties outside procurement that still count (Regs Art. 19, Caiku [2016] 125)."""
        rng = self.rng
        org = rng.choice(self.suppliers)
        decided = self._day(date(2019, 1, 1), TODAY - timedelta(days=10))
        if category is VC.CRIMINAL_OFFENCE:
            award = rng.choice(self.awards)
            when = self._after(award.awarded_on, 200, 700)
            if when is None:
                return
            supplier = award.bid.supplier
            city = award.lot.project.purchaser.city
            if rng.random() < 0.6:  # the company itself, as a unit crime
                fine = Decimal(rng.randint(20, 300) * 10_000)
                self._violation(
                    category,
                    supplier,
                    city,
                    when,
                    authority="court",
                    penalties=[PenaltyType.CRIMINAL_PENALTY, PenaltyType.FINE],
                    severity=Severity.MAJOR,
                    fine=fine,
                    lot=award.lot,
                    content=f"以串通投标罪判处罚金人民币{fine:,.2f}元",
                )
            else:
                assert supplier.legal_rep is not None
                fine = Decimal(rng.randint(5, 50) * 10_000)
                self._violation(
                    category,
                    supplier.legal_rep,
                    city,
                    when,
                    authority="court",
                    penalties=[PenaltyType.CRIMINAL_PENALTY, PenaltyType.FINE],
                    severity=Severity.MAJOR,
                    fine=fine,
                    lot=award.lot,
                    content=f"以串通投标罪判处有期徒刑{_CN_DIGITS[rng.randint(1, 3)]}年，"
                    f"并处罚金人民币{fine:,.2f}元",
                )
        elif category is VC.BUSINESS_SUSPENDED:
            fine = Decimal(rng.randint(100, 1000) * 1000)
            self._violation(
                category,
                org,
                org.city,
                decided,
                authority="environment",
                penalties=[PenaltyType.BUSINESS_SUSPENSION, PenaltyType.FINE],
                severity=Severity.MAJOR,
                fine=fine,
                content=f"责令停业整治三个月；罚款人民币{fine:,.2f}元",
            )
        elif category is VC.LICENCE_REVOKED:
            fine = Decimal(rng.randint(100, 500) * 1000)
            self._violation(
                category,
                org,
                org.city,
                decided,
                authority="market",
                penalties=[PenaltyType.LICENCE_REVOCATION, PenaltyType.FINE],
                severity=Severity.MAJOR,
                fine=fine,
                content=f"罚款人民币{fine:,.2f}元；吊销营业执照",
            )
        else:  # tax, with fines at and just below the "relatively large" threshold
            fine = self._tax_fine()
            times = rng.choice((Decimal("0.5"), Decimal(1), Decimal(2)))
            severity = Severity.SERIOUS if fine >= 500_000 else Severity.GENERAL
            self._violation(
                category,
                org,
                org.city,
                decided,
                authority="tax",
                penalties=[PenaltyType.FINE],
                severity=severity,
                fine=fine,
                content=f"追缴税款人民币{(fine / times).quantize(_CENT):,.2f}元；"
                f"罚款人民币{fine:,.2f}元（不缴或者少缴税款的{times}倍）",
            )

    def _tax_fine(self) -> Decimal:
        index = self.counters["tax fines"] = self.counters.get("tax fines", 0) + 1
        rng = self.rng
        if index == 1:
            return _LARGE_FINE
        if index == 2:
            return _LARGE_FINE - _CENT
        if index % 4 == 3:
            return Decimal(rng.randint(2_000_001, 8_000_000))
        if index % 4 == 0:
            return Decimal(rng.randint(190_000_000, 199_999_999)) / 100
        return Decimal(rng.randint(30, 1500) * 1000)

    def _make_listings(self) -> None:
        """Entries on the three lists of Caiku [2016] 125 and on other regions' lists."""
        rng = self.rng
        drafts: list[JsonRecord] = []

        def add(
            kind: ExternalList,
            org: _Org,
            authority: str,
            reference: str,
            listed: date,
            until: date | None = None,
            retracted: date | None = None,
        ) -> None:
            drafts.append(
                _record(
                    "external_listing",
                    {
                        "id": "",
                        "list": kind,
                        "subject": org.uscc,
                        "subject_name": org.name,
                        "authority": authority,
                        "reference": reference,
                        "listed_on": listed.isoformat(),
                        "valid_until": until.isoformat() if until else None,
                        "retracted_on": retracted.isoformat() if retracted else None,
                    },
                )
            )

        retracted = False
        for record, org in self.violations:
            if org is None:
                continue
            decided = date.fromisoformat(record["decided_on"])
            status_date = date.fromisoformat(record.get("status_date") or record["decided_on"])
            listed = decided + timedelta(days=rng.randint(0, 7))
            reference, authority = record["decision_number"], record["authority"]
            if record["category"] is VC.TAX_VIOLATION and Decimal(record["fine"]["amount"]) >= (
                1_000_000
            ):
                add(
                    ExternalList.MAJOR_TAX_VIOLATION,
                    org,
                    authority.removesuffix("稽查局"),
                    reference,
                    listed + timedelta(days=20),
                    _add_months(listed, 36),
                )
            if "ban_end" not in record or rng.random() >= 0.7:
                continue
            until = date.fromisoformat(record["ban_end"])
            if record["status"] is RecordStatus.OVERTURNED:
                if retracted or status_date < listed:
                    continue
                add(
                    ExternalList.GP_SERIOUS_DISHONESTY,
                    org,
                    authority,
                    reference,
                    listed,
                    until,
                    retracted=status_date,
                )
                retracted = True
            else:
                if record["status"] is RecordStatus.REPAIRED:
                    until = min(until, status_date)
                add(ExternalList.GP_SERIOUS_DISHONESTY, org, authority, reference, listed, until)
        for _ in range(max(2, self.size // 150)):
            org = rng.choice(self.suppliers)
            listed = self._day(date(2019, 6, 1), TODAY - timedelta(days=5))
            reference = (
                f"（{listed.year}）{org.city.prov_abbr}{org.region[2:4]}执"
                f"{self._next(f'court {org.city.name} {listed.year}', step=40)}号"
            )
            paid = listed + timedelta(days=rng.randint(180, 900)) if rng.random() < 0.4 else None
            add(
                ExternalList.COURT_DISHONEST_DEBTOR,
                org,
                _enforcement_court(org.city),
                reference,
                listed,
                paid,
            )
        for _ in range(max(2, self.size // 200)):
            org = rng.choice(self.suppliers)
            other = rng.choice([c for c in _CITIES if c.province != org.city.province])
            authority = (
                other.full + "财政局"
                if other.province == other.full
                else (other.province + "财政厅")
            )
            listed = self._day(date(2020, 1, 1), TODAY - timedelta(days=5))
            number = self._next(f"region {other.prov_abbr} {listed.year}", step=8)
            add(
                ExternalList.OTHER_REGION_SERIOUS_DISHONESTY,
                org,
                authority,
                f"{other.prov_abbr}财采监〔{listed.year}〕{number}号",
                listed,
                _add_months(listed, rng.choice((12, 24, 36))),
            )
        if self.consortia:  # a listed consortium member: the whole consortium must be refused
            bid = rng.choice(self.consortia)
            member = bid.members[0]
            listed = bid.submitted.date() - timedelta(days=rng.randint(100, 300))
            number = self._next(f"court {member.city.name} {listed.year}", step=40)
            add(
                ExternalList.COURT_DISHONEST_DEBTOR,
                member,
                _enforcement_court(member.city),
                f"（{listed.year}）{member.city.prov_abbr}{member.region[2:4]}执{number}号",
                listed,
            )
        if not retracted:  # a debt paid, the court takes the entry back
            court = next(d for d in drafts if d["list"] is ExternalList.COURT_DISHONEST_DEBTOR)
            listed = date.fromisoformat(court["listed_on"])
            court["retracted_on"] = min(TODAY, listed + timedelta(days=rng.randint(30, 200)))
            court["retracted_on"] = court["retracted_on"].isoformat()
        drafts.sort(key=lambda d: str(d["listed_on"]))
        for i, record in enumerate(drafts, start=1):
            record["id"] = f"EL-{i:05d}"
            self.out["external_listing"].append(record)

    def _score(self, mean: float, spread: float, penalised: bool) -> int:
        return round(min(100.0, max(40.0, self.rng.gauss(mean - 15 * penalised, spread))))

    def _make_evaluations(self) -> None:
        """Purchasers rate agencies after each project; agencies rate some review experts."""
        rng = self.rng
        drafts: list[JsonRecord] = []
        for project in self.projects:
            awarded = [lot.award.awarded_on for lot in project.lots if lot.award]
            if project.agency is None or not awarded:
                continue
            rated = max(awarded) + timedelta(days=rng.randint(15, 90))
            if rated > TODAY:
                continue
            comment = rng.choice(_AGENCY_COMMENTS) if rng.random() < 0.2 else None
            drafts.append(
                _record(
                    "evaluation",
                    {
                        "id": "",
                        "subject": project.agency.ref,
                        "rater": project.purchaser.uscc,
                        "project": project.id,
                        "score": self._score(88, 6, project.agency in self.penalised),
                        "rated_on": rated.isoformat(),
                        "comment": comment,
                    },
                )
            )
        for _, expert, lot in self.reviews:
            rated = lot.deadline.date() + timedelta(days=rng.randint(1, 10))
            if rng.random() >= 0.3 or rated > TODAY:
                continue
            rater = lot.project.agency or lot.project.purchaser
            comment = rng.choice(_EXPERT_COMMENTS) if rng.random() < 0.15 else None
            drafts.append(
                _record(
                    "evaluation",
                    {
                        "id": "",
                        "subject": expert.ref,
                        "rater": rater.uscc,
                        "project": lot.project.id,
                        "score": self._score(87, 7, expert in self.penalised),
                        "rated_on": rated.isoformat(),
                        "comment": comment,
                    },
                )
            )
        drafts.sort(key=lambda d: str(d["rated_on"]))
        for i, record in enumerate(drafts, start=1):
            record["id"] = f"PJ-{i:06d}"
            self._keep("evaluation", record)

    def build(self) -> None:
        self._make_suppliers()
        self._index_suppliers()
        self._make_agencies()
        self._make_purchasers()
        self._make_business_groups()
        self._make_rings()
        self._make_people()
        self._make_associations()
        self._make_experts()
        self._make_projects()
        self._assign_ring_lots()
        self._plant_services()
        self._make_bids()
        self._make_awards()
        self._make_contracts()
        self._make_reviews()
        self._make_complaints()
        self._make_violations()
        self._make_listings()
        self._make_evaluations()


_CN_DIGITS = "零一二三四五六七八九十"
_SPANS = {12: "一年", 18: "一年六个月", 24: "二年", 36: "三年"}


def _enforcement_court(city: _City) -> str:
    """The intermediate court that lists dishonest debtors; municipalities have several."""
    return city.full + ("第一" if city.province == city.full else "") + "中级人民法院"


def _ban_text(months: int) -> str:
    return f"列入不良行为记录名单，{_SPANS[months]}内禁止参加政府采购活动"


MIN_SUPPLIERS = 100
_BIDS_PER_PROJECT = 8.08  # measured: bids per project when a bid target scales the market
_CROWDED_SHARE = 0.01  # with a bid target, lots that draw 20-30 bidders (whole-lot checks)
_EXAMPLE_BUYER = "113301060025091775"  # 杭州市西湖区教育局
_EXAMPLE_WINNER = "913301065892314765"  # 杭州鼎盛建设工程有限公司
_EXAMPLE_LOSER = "91330102MA28KD3Q4H"  # 杭州恒泰建筑工程有限公司
_EXAMPLE_BOSS = "330106198505123417"
_EXAMPLE_EXPERT = "330127196809231524"
_EXAMPLE_LOT = "ZFCG-2024-00017-1"


def generate(
    suppliers: int = 3000,
    seed: int = 20151,
    personal_contacts: bool = False,
    bids: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield a synthetic market as JSON-ready records, parties first and credit records last.

    The same seed always yields the same records (one `random.Random(seed)`, a fixed `TODAY`).
    By default people carry only the synthetic identity number and name the format requires,
    and bids give the company switchboard as contact phone; with `personal_contacts` people
    also get synthetic mobile numbers and mailboxes, and bids give the contact's mobile.
    With `bids` the market runs as many projects as give about that many bids (the benchmark
    scales: 10 bids a supplier instead of about 5), and one lot in a hundred draws 20-30
    bidders. Records are handed out, and dropped, kind by kind, so memory falls as they go.
    """
    if suppliers < MIN_SUPPLIERS:
        raise ValueError(f"the demo market needs at least {MIN_SUPPLIERS} suppliers")
    market = _Market(suppliers, seed, personal_contacts, bids)
    market.build()
    for kind in _ORDER:
        records, market.out[kind] = market.out[kind], []
        records.reverse()
        while records:
            record = records.pop()
            yield json.loads(record) if isinstance(record, str) else record


def example_records() -> list[dict[str, Any]]:
    """One or two records of every type, referring to each other: the format by example.

    A works tender of a district education bureau: two bidders, the lower one wins and
    delivers; the other is found to have filed false materials, is fined and banned, and so
    lands on the procurement list of serious dishonesty.
    """
    project = "ZFCG-2024-00017"
    money = _money(Decimal("4712300"))
    office = {"bank_accounts": ["1202021209900123456"], "phones": ["0571-86012345"]}
    return [
        {"type": "organization", "uscc": _EXAMPLE_BUYER, "name": "杭州市西湖区教育局",
         "roles": ["PURCHASER"], "region": "330106", "registered_on": "1993-07-01",
         "address": "浙江省杭州市西湖区文三路20号"},
        {"type": "organization", "uscc": _EXAMPLE_WINNER, "name": "杭州鼎盛建设工程有限公司",
         "roles": ["SUPPLIER"], "region": "330106", "registered_on": "2012-03-15",
         "address": "浙江省杭州市西湖区天目山路398号", "emails": ["office@dingsheng.example"],
         **office},
        {"type": "organization", "uscc": _EXAMPLE_LOSER, "name": "杭州恒泰建筑工程有限公司",
         "roles": ["SUPPLIER"], "region": "330102", "registered_on": "2017-08-22",
         "phones": ["0571-87654321"], "bank_accounts": ["3301040160009876543"]},
        {"type": "person", "id_number": _EXAMPLE_BOSS, "name": "王建国"},
        {"type": "person", "id_number": _EXAMPLE_EXPERT, "name": "陈丽",
         "expert": {"specialties": ["房屋建筑工程", "造价咨询"], "active": True}},
        {"type": "group", "id": "GRP-00001", "name": "浙江省建筑业协会", "kind": "ASSOCIATION"},
        {"type": "project", "id": project, "name": "杭州市西湖区教育局校舍维修改造工程",
         "purchaser": _EXAMPLE_BUYER, "ocid": f"ocds-demo01-{project}",
         "method": "OPEN_TENDERING", "category": "WORKS",
         "budget": _money(Decimal("4860000")), "published_on": "2024-03-18"},
        {"type": "lot", "id": _EXAMPLE_LOT, "project": project, "name": "包1：土建工程",
         "budget": _money(Decimal("4860000")), "bid_deadline": "2024-04-09T09:30:00+08:00"},
        {"type": "tie", "kind": "LEGAL_REP_OF", "from": {"person": _EXAMPLE_BOSS},
         "to": {"org": _EXAMPLE_WINNER}, "valid_from": "2012-03-15"},
        {"type": "tie", "kind": "MEMBER_OF", "from": {"org": _EXAMPLE_WINNER},
         "to": {"group": "GRP-00001"}, "valid_from": "2015-01-01"},
        {"type": "bid", "id": f"{_EXAMPLE_LOT}-B01", "lot": _EXAMPLE_LOT,
         "supplier": _EXAMPLE_WINNER, "price": money,
         "submitted_at": "2024-04-08T16:05:00+08:00", "contact": {"person": _EXAMPLE_BOSS},
         "contact_phone": "0571-86012345", "deposit_account": "1202021209900123456",
         "devices": [{"kind": "IP", "value": "100.72.18.41"},
                     {"kind": "MAC", "value": "02-1A-4B-7C-9D-E0"},
                     {"kind": "AUTHOR", "value": "王建国"}],
         "file_fingerprint": "9f2c4be1d07a4c35b8e61f0a2d3c7e98"},
        {"type": "bid", "id": f"{_EXAMPLE_LOT}-B02", "lot": _EXAMPLE_LOT,
         "supplier": _EXAMPLE_LOSER, "price": _money(Decimal("4735800")),
         "submitted_at": "2024-04-09T08:41:00+08:00", "contact_phone": "0571-87654321",
         "deposit_account": "3301040160009876543",
         "devices": [{"kind": "IP", "value": "100.97.3.210"}]},
        {"type": "award", "id": f"{_EXAMPLE_LOT}-AW", "lot": _EXAMPLE_LOT,
         "bid": f"{_EXAMPLE_LOT}-B01", "supplier": _EXAMPLE_WINNER, "amount": money,
         "awarded_on": "2024-04-15"},
        {"type": "contract", "id": f"{_EXAMPLE_LOT}-CT", "award": f"{_EXAMPLE_LOT}-AW",
         "signed_on": "2024-04-26", "amount": money, "acceptance": "PASSED",
         "accepted_on": "2024-09-20"},
        {"type": "review", "id": f"{_EXAMPLE_LOT}-RV1", "expert": _EXAMPLE_EXPERT,
         "lot": _EXAMPLE_LOT, "reviewed_on": "2024-04-09", "chair": True},
        {"type": "violation", "id": "WF-00001", "subject": {"org": _EXAMPLE_LOSER},
         "category": "FALSE_MATERIALS", "severity": "SERIOUS",
         "decision_number": "杭财采罚〔2024〕17号", "authority": "杭州市财政局",
         "basis": _BASIS[VC.FALSE_MATERIALS], "penalty_types": ["FINE", "PROCUREMENT_BAN"],
         "penalty_content": f"罚款人民币23,679.00元（采购金额千分之五）；{_ban_text(12)}",
         "fine": _money(Decimal("23679")), "decided_on": "2024-07-02",
         "ban_start": "2024-07-02", "ban_end": "2025-07-01", "publication_end": "2025-07-01",
         "status": "ACTIVE", "project": project, "lot": _EXAMPLE_LOT},
        {"type": "external_listing", "id": "EL-00001", "list": "GP_SERIOUS_DISHONESTY",
         "subject": _EXAMPLE_LOSER, "subject_name": "杭州恒泰建筑工程有限公司",
         "authority": "杭州市财政局", "reference": "杭财采罚〔2024〕17号",
         "listed_on": "2024-07-05", "valid_until": "2025-07-01"},
        {"type": "complaint", "id": "TS-00001", "complainant": _EXAMPLE_LOSER,
         "lot": _EXAMPLE_LOT, "filed_on": "2024-04-25", "grounds": _COMPLAINT_GROUNDS[2],
         "outcome": "REJECTED", "decided_on": "2024-05-28"},
        {"type": "evaluation", "id": "PJ-000001", "subject": {"person": _EXAMPLE_EXPERT},
         "rater": _EXAMPLE_BUYER, "project": project, "score": 92, "rated_on": "2024-04-12",
         "comment": _EXPERT_COMMENTS[0]},
    ]  # fmt: skip
