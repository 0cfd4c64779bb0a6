"""Reference tables of the demo market: places, names, trades, items, legal bases."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from decimal import Decimal
from functools import cache
from itertools import accumulate
from typing import Any, TypeVar

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from credit.domain.records import (
    RECORD_TYPES,
    Kinship,
    ProcurementCategory,
    ProjectService,
    ViolationCategory,
)

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
