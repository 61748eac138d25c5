"""The demo's notices, projects and outcomes: content only; `demo_projects` makes the rows.

After each decision comes the part that earns trust (seed 003): the autumn round's result
is publicly noticed and a neighbour of 759弄 objects to where the charging piles go (the
piles are moved 1.5 m, the objection is answered and not upheld); plans paid outside a
round and the two lifts' owners' decisions are noticed for seven days; then the funded
ideas are built. 长宁路225弄's roof is done with its 金钥匙 page, the parking of its
building works is credited to 大唐's eight free spaces, 益民公寓4号楼's lift is being
replaced with its 30% subsidy, and the smoke alarms cost a little more than planned, which
staff explained.

Days are days after BASE, as in `proposals.demo_data`. A notice's `finished` day is the
day its ideas move to funded; an outcome's `day` is the day its idea moves to done.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ObjectionSeed:
    author: str  # "r14": the community's fourteenth resident
    idea: str
    day: float
    reason: str
    answered: float | None = None  # None: still waiting for staff's answer
    answer: str = ""
    upheld: bool = False


@dataclass(frozen=True)
class NoticeSeed:
    community: str
    kind: str  # round, plan, decision
    ideas: tuple[str, ...]
    day: float  # opened (just after the ideas reached `noticed`)
    finished: float
    title: str
    round: str = ""  # key in rounds/demo_round_data
    decision: str = ""  # key in owners/demo_owner_data
    objections: tuple[ObjectionSeed, ...] = ()
    days: int = 7
    posted: bool = False  # staff attached a photo of the poster on the 公告栏


@dataclass(frozen=True)
class MilestoneSeed:
    day: float
    title: str
    text: str
    status: str = "done"
    photo: str = ""  # a scene of proposals.demo_pictures.SCENES


@dataclass(frozen=True)
class SpendSeed:
    day: float
    yuan: int
    payee: str
    purpose: str
    source: str
    receipt: bool = True
    overspend_reason: str = ""


@dataclass(frozen=True)
class ProjectSeed:
    idea: str
    responsible_kind: str
    responsible_name: str
    progress: int
    partners: tuple[tuple[str, str], ...] = ()
    milestones: tuple[MilestoneSeed, ...] = ()
    spending: tuple[SpendSeed, ...] = ()


@dataclass(frozen=True)
class OutcomeSeed:
    idea: str
    day: float
    title: str
    summary: str
    before: str  # scenes
    after: str
    ratings: tuple[int, int, int, int, int]  # how many residents gave 1 … 5
    comments: tuple[tuple[str, str], ...] = ()


NOTICES = (
    NoticeSeed(
        "gaorong", "round", ("charging", "square", "smoke-alarms"), 28.15, 35.2,
        "2026年秋季微更新预算投票结果公示", round="autumn", posted=True,
        objections=(ObjectionSeed(
            "r14", "charging", 29.4,
            "充电桩装在弄堂东侧围墙边，离我家厨房窗户不到两米。几十辆电瓶车一起充电，万一起火怎么办？"
            "能不能换个位置？",
            31.2,
            "感谢您的意见。居委会已请曹家渡消防站和物业到现场查看：充电桩为充满自动断电型，每组配烟感"
            "和灭火器；安装位置整体向西移1.5米，与住户窗户保持3米以上距离。调整后的方案仍在原预算内。"
            "异议不成立，项目按调整后的位置实施。"),)),
    NoticeSeed("gaorong", "plan", ("clinic-room",), 33.05, 41.0,
               "睦邻活动室添置医疗便民服务设备公示"),
    NoticeSeed("wanhang", "plan", ("roof",), 23.05, 31.0, "长宁路225弄屋面修缮项目公示"),
    NoticeSeed("wanhang", "plan", ("parking",), 30.05, 37.1, "屋面施工期间临时停车方案公示"),
    NoticeSeed("yeqing", "decision", ("lift-4",), 78.1, 85.1, "益民公寓4号楼更换电梯公示",
               decision="yeqing-lift"),
    NoticeSeed("hepinghuayuan", "decision", ("lifts-d",), 50.1, 57.2,
               "D座补充筹集维修基金、更换三部电梯公示", decision="d-fund"),
    NoticeSeed("hepinghuayuan", "plan", ("mooncakes",), 9.05, 16.1, "D座中秋月饼制作活动公示"),
)

# Open now: the benches reached `noticed` two days before the demo is seeded (`day` counts
# from the seeding, an objection's from the opening; `finished` is unused: it is open).
# One objection waits for staff's answer, so a visitor logged in as `staff` can give it.
OPEN_NOTICE = NoticeSeed(
    "gaorong", "plan", ("benches",), -2.0, 0.0, "睦邻小广场增设带靠背长椅公示",
    objections=(ObjectionSeed(
        "r16", "benches", 1.4,
        "长椅放在东侧树荫下挺好，就是离羽毛球场地太近，打球的孩子容易撞上。能不能往里挪一点，"
        "再在长椅和场地之间留一条过道？"),))
OPEN_NOTICE_REASON = "长椅由共建单位捐赠，不占用预算，进入公示。"

LIFT_COMPANY = "沪联电梯工程有限公司"

PROJECTS = (
    ProjectSeed(
        "charging", "residents_committee", "高荣居民区居委会、物业", 100,
        partners=(("759弄志愿者队伍", "排查非机动车，清理23辆废弃车"),
                  ("曹家渡消防站", "现场查看充电桩位置，讲解用电安全")),
        milestones=(
            MilestoneSeed(37.5, "清理废弃非机动车", "志愿者排查弄堂里的非机动车，清理出23辆以往租客遗留的"
                          "废弃车，腾出东侧围墙边的空间。", photo="charging"),
            MilestoneSeed(44.0, "充电桩安装", "40个充电桩在西移1.5米后的位置安装完毕，配好烟感和灭火器。"),
            MilestoneSeed(55.0, "通电验收", "供电和消防验收合格，充电桩扫码即可使用，充满自动断电。"),
        ),
        spending=(
            SpendSeed(39.0, 40_800, "曹家渡电气安装工程队", "40个充电桩设备", "round_budget"),
            SpendSeed(46.0, 21_500, "曹家渡电气安装工程队", "线路改造及安装", "round_budget"),
            SpendSeed(54.0, 4_200, "静安消防器材经营部", "烟感报警器和灭火器", "round_budget"),
        )),
    ProjectSeed(
        "square", "property", "物业（施工）、居委会（监督）", 100,
        partners=(("共建单位", "资助社区卫生站门口非机动车停车区域2万元"),
                  ("万航渡路小学、余姚路幼儿园的家长们", "一起议定羽毛球场地和跳绳区域")),
        milestones=(
            MilestoneSeed(41.0, "铲除旧塑胶地面", "旧地面全部铲除，施工期间小朋友们到睦邻活动室门口玩耍。",
                          photo="square"),
            MilestoneSeed(52.0, "铺设新塑胶地面", "新塑胶面层铺设完成，养护一周。"),
            MilestoneSeed(61.0, "划线与停车区域", "羽毛球场地和跳绳区域划线，卫生站门口停车区域投入使用。"),
        ),
        spending=(
            SpendSeed(42.0, 18_000, "物业", "铲除旧地面及垃圾清运", "round_budget"),
            SpendSeed(50.0, 96_000, "静安体育设施工程有限公司", "塑胶面层材料及铺设", "round_budget"),
            SpendSeed(60.0, 6_500, "静安体育设施工程有限公司", "羽毛球场地、跳绳区域划线", "round_budget"),
            SpendSeed(61.0, 19_200, "物业", "卫生站门口停车区域地面及划线", "partner"),
        )),
    ProjectSeed(
        "smoke-alarms", "residents_committee", "高荣居民区居委会、物业", 100,
        partners=(("结对志愿者", "陪同安装人员逐户上门，教老人认报警声和指示灯"),),
        milestones=(
            MilestoneSeed(38.0, "逐户上门安装", "志愿者陪安装人员逐户上门，36户独居老人家中装好报警器。"),
            MilestoneSeed(45.0, "新增两户", "摸排中又发现两户新近独居的老人，一并装上。"),
        ),
        spending=(
            SpendSeed(37.5, 18_000, "申城消防科技有限公司", "36套联网烟雾报警器", "round_budget"),
            SpendSeed(38.0, 4_000, "申城消防科技有限公司", "一年联网服务费（36户）", "round_budget"),
            SpendSeed(45.0, 1_100, "申城消防科技有限公司", "新增2套报警器及服务费", "round_budget",
                      overspend_reason="摸排时新增两户独居老人，报警器不能等到下一轮再装。超出的1,100元"
                      "已在议事会上说明，由居委会在冬季预算中列明。"),
        )),
    ProjectSeed("clinic-room", "residents_committee", "高荣居民区居委会", 20,
                partners=(("共建单位", "捐赠电子血压计2台、血糖仪2台"),
                          ("社区卫生服务中心", "每月两次派医生到活动室坐诊")),
                milestones=(MilestoneSeed(48.0, "设备到货、调试", "血压计、血糖仪和折叠理疗床到货后"
                                          "调试，请社区医生教志愿者使用。", status="planned"),)),
    ProjectSeed(
        "roof", "partner", "静安区房屋管理中心（牵头）", 100,
        partners=(("静安区房屋管理中心", "屋面修缮专项资金118万元，牵头查勘和施工"),
                  ("大唐（上海）能源开发有限公司", "施工期间为车主提供8个免费车位")),
        milestones=(
            MilestoneSeed(45.0, "搭设脚手架", "5个楼组的脚手架搭设完成，车辆按临时停车方案停放。"),
            MilestoneSeed(53.0, "拆除旧屋面", "旧瓦和腐烂的屋面板全部拆除，当天完成临时防雨。",
                          photo="roof"),
            MilestoneSeed(63.0, "防水层与新瓦", "铺设两道防水层，盖上新瓦。"),
            MilestoneSeed(70.0, "更换雨水管", "5个楼组的雨水管全部换新。"),
            MilestoneSeed(74.0, "居民验收", "顶楼住户代表上屋面验收，连下两场雨，家里不再漏水。"),
        ),
        spending=(
            SpendSeed(45.0, 96_000, "静安房屋修缮工程有限公司", "脚手架搭设与拆除", "subsidy"),
            SpendSeed(55.0, 512_000, "静安房屋修缮工程有限公司", "屋面材料（防水卷材、瓦）", "subsidy"),
            SpendSeed(66.0, 430_000, "静安房屋修缮工程有限公司", "屋面施工人工", "subsidy"),
            SpendSeed(71.0, 71_400, "静安房屋修缮工程有限公司", "雨水管更换", "subsidy"),
            SpendSeed(74.5, 54_000, "上海静工建设监理有限公司", "施工监理", "subsidy"),
        )),
    ProjectSeed(
        "parking", "residents_committee", "居民区党总支、业委会、楼组长", 80,
        partners=(("大唐（上海）能源开发有限公司", "8个免费车位，施工期约3个月"),
                  ("金融街停车场", "8个收费车位"), ("弄堂智囊团", "车主们自己商量分配方案")),
        milestones=(
            MilestoneSeed(44.0, "分配车位、签订协议", "16位车主按上下班时间自选车位，签订临时停车协议和停车公约。"),
            MilestoneSeed(76.0, "施工结束，车辆回到弄堂", "屋面完工、脚手架拆除，车辆陆续停回弄堂。"),
        ),
        spending=(
            SpendSeed(45.0, 4_800, "金融街停车场", "8个车位第一个月停车费（停大唐的车主补贴）", "residents"),
            SpendSeed(75.0, 4_800, "金融街停车场", "8个车位第二个月停车费（停大唐的车主补贴）", "residents"),
        )),
    ProjectSeed(
        "lift-4", "owners_committee", "4号楼青春合伙人、物业", 40,
        partners=(("青春合伙人", "联系三家电梯公司，组织居民面对面座谈、选定"),
                  (LIFT_COMPANY, "拆除旧梯、安装新梯，五方通话和应急呼叫")),
        milestones=(
            MilestoneSeed(86.0, "签订更换合同", "与居民选定的电梯公司签订合同，30%补贴款到位。"),
            MilestoneSeed(89.0, "拆除旧电梯", "旧电梯拆除，井道整修。施工期间志愿者帮老人上下楼。",
                          photo="lift"),
            MilestoneSeed(96.0, "新电梯安装", "导轨和轿厢安装中，预计两周完成。", status="in_progress"),
            MilestoneSeed(110.0, "检测验收", "特种设备检测机构验收，合格后投入使用。", status="planned"),
        ),
        spending=(
            SpendSeed(86.5, 345_000, LIFT_COMPANY, "合同预付款（电梯更换补贴30%）", "subsidy"),
            SpendSeed(89.5, 38_000, LIFT_COMPANY, "旧梯拆除及井道整修", "maintenance_fund"),
        )),
    ProjectSeed(
        "lifts-d", "property", "电梯改造小组、物业", 55,
        partners=(("D座业主志愿者", "施工期间在一楼大厅值守，帮老人上下楼"),),
        milestones=(
            MilestoneSeed(60.0, "第一部电梯拆除", "第一部电梯开始拆除，其余两部轮流运行。"),
            MilestoneSeed(76.0, "第一部新电梯投入使用", "第一部新电梯验收合格，投入使用。", photo="lift"),
            MilestoneSeed(82.0, "第二部电梯更换", "第二部电梯拆除，新梯安装中。", status="in_progress"),
            MilestoneSeed(105.0, "第三部电梯更换", "第二部完工后开始。", status="planned"),
        ),
        spending=(
            SpendSeed(58.0, 268_500, LIFT_COMPANY, "合同预付款（30%）", "maintenance_fund"),
            SpendSeed(77.0, 209_000, LIFT_COMPANY, "第一部电梯到货及安装款", "maintenance_fund"),
        )),
    ProjectSeed(
        "mooncakes", "residents_committee", "D座楼组长、志愿者", 100,
        partners=(("共建单位", "面粉、馅料和模具"),),
        milestones=(MilestoneSeed(24.25, "一起做月饼", "40多位居民和老人在一楼大厅一起做月饼。",
                                  photo="party"),),
        spending=(SpendSeed(23.0, 580, "社区便利店", "月饼盒和包装袋", "residents"),)),
)

OUTCOMES = (
    OutcomeSeed(
        "smoke-alarms", 47.2, "独居老人家的“数字哨兵”",
        "36户独居老人家里都装上了联网烟雾报警器，摸排中又发现的两户也一并装上。报警信息同时发给物业、"
        "居委会和结对志愿者。上周一位老人煮粥忘了关火，报警器一响，物业和结对志愿者几分钟就到了门口。",
        "party", "party", (0, 0, 2, 9, 21),
        (("r21", "我妈一个人住，装了这个我上班安心多了。"), ("r33", "志愿者上门教得很耐心，老人都记住了。"))),
    OutcomeSeed(
        "charging", 56.2, "759弄的40个充电桩",
        "40个充电桩投入使用，非机动车统一在弄堂东侧充电、停放。志愿者清理出23辆废弃车；根据公示期间"
        "邻居的意见，充电桩整体西移1.5米，离住户窗户3米以上。弄堂里再也没人拉飞线，居民也不用再看着"
        "推进楼里充电的车提心吊胆。",
        "charging", "charging", (0, 1, 3, 11, 24),
        (("r02", "弄堂里清爽多了，晚上回来也有地方充电。"), ("r14", "位置挪过以后我家窗口安心了，谢谢居委会。"))),
    OutcomeSeed(
        "square", 62.3, "孩子们的睦邻小广场",
        "崭新的塑胶地面铺好了，羽毛球场地和跳绳区域划好了线，社区卫生站门口的非机动车停车区域也投入"
        "使用。这个金点子是小朋友们提的，方案也是和小朋友、家长们一起议出来的。",
        "square", "square", (0, 0, 2, 8, 30),
        (("r01", "孩子们放学就去跳绳，再也不怕绊倒了。"), ("r41", "卫生站门口终于能推轮椅进去了。"))),
    OutcomeSeed(
        "roof", 75.0, "长宁路225弄：外面下大雨，里面不再下小雨",
        "5个楼组的屋面整体翻修，铺了两道防水层、换了新瓦，雨水管全部换新。施工三个月里，车主们的临时"
        "停车方案让16辆车都有了去处。顶楼住户代表上屋面验收后，连下两场大雨，家里不再漏水。",
        "roof", "roof", (0, 0, 1, 5, 14),
        (("r02", "脸盆水桶终于收起来了。"), ("r01", "感谢大唐提供的车位，施工期间停车没犯愁。"))),
    OutcomeSeed(
        "mooncakes", 26.0, "D座的中秋月饼",
        "中秋节下午，40多位居民和独居老人在一楼大厅一起做月饼，志愿者上门接送行动不便的老人。做好的"
        "月饼送到了每一位独居老人家里。",
        "party", "party", (0, 0, 1, 6, 17),
        (("r03", "老人们说好多年没这么热闹地过中秋了。"),)),
)
