"""The demo's story: four neighbourhoods from the field reports and the life of their ideas.

Everything here is content; `proposals.demo` turns it into rows. The ideas follow the
articles in /work/shared/seeds (003: 高荣, 万航, 叶庆; 001: 和平花园) and are spread over
every stage. Times are days after BASE, so two seeds give the same story.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from .needs import CostingInput

SEED = 20260901
BASE = datetime(2026, 9, 1, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai
NOTICE_OVER = "公示期满（7天），无异议"


@dataclass(frozen=True)
class BuildingSeed:
    name: str
    floors: int
    per_floor: int
    min_m2: int
    max_m2: int
    first_floor: int = 1
    # When the register's total is known (和平花园 D座: 300,930 yuan at 15 yuan/m²).
    total_centi_m2: int | None = None


@dataclass(frozen=True)
class CommunitySeed:
    slug: str
    name: str
    district: str
    description: str
    buildings: tuple[BuildingSeed, ...]
    residents: int
    named: dict[int, str] = field(default_factory=dict)  # resident number → display name


@dataclass(frozen=True)
class Step:
    """One move on an idea's timeline. A `cause` marks a move a later feature makes."""

    day: float
    to: str
    reason: str
    cause: str = ""
    costing: CostingInput | None = None
    merged_into: str = ""  # key of an idea seeded before this one
    by_author: bool = False


@dataclass(frozen=True)
class IdeaSeed:
    key: str
    community: str
    author: str  # a demo username, or "r07" for the community's seventh resident
    day: float
    title: str
    description: str
    category: str
    building: str = ""
    place: str = ""
    estimate_yuan: int | None = None
    common_parts: bool = False
    supporters: int = 0
    photos: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()


def plan(responsible: str, *sources: tuple[str, int, str]) -> CostingInput:
    """A costing written in whole yuan, its amount the sum of its sources."""
    in_fen = tuple((kind, yuan * 100, note) for kind, yuan, note in sources)
    return CostingInput(sum(a for _k, a, _n in in_fen), responsible, in_fen)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜钟陆汪范金顾毛钱严戴"
GIVEN_NAMES = (
    "建国 秀英 桂英 秀兰 玉兰 志强 海燕 丽华 伟 敏 静 磊 洋 艳 勇 军 杰 娟 涛 明 超 霞 平 刚 "
    "桂芳 文华 国庆 美玲 雪梅 晓东 建华 德明 慧敏 佳怡 子轩 浩然 雨涵 欣怡 俊杰 梓萱 宏伟 春燕 "
    "玉珍 根娣 金宝 小妹 凤英 亚萍 卫东 振华 丽娟 国平 永康 佩芳"
).split()

COMMUNITIES = (
    CommunitySeed(
        "gaorong", "高荣居民区", "静安区 曹家渡街道",
        "高荣居民区与万航渡路小学、余姚路幼儿园相邻，辖高荣小区和建于1930年的新式里弄万航渡路759弄。"
        "由居民区党总支、物业、共建单位、业委会和居民代表组成的“静邻议事厅”，把居民的一个个"
        "“金点子”孵化成解决“急难愁盼”的“金钥匙”：加装电梯、卫生站前的塑胶小广场、睦邻活动室、"
        "一排新上岗的非机动车充电桩……",
        tuple(BuildingSeed(f"高荣小区{n}号楼", 6, 4, 48, 92) for n in range(1, 6))
        + (BuildingSeed("万航渡路759弄", 3, 12, 40, 68),),
        100, {1: "小雨妈妈", 2: "759弄志愿者 老沈", 3: "周阿姨", 4: "3号楼楼组长 钱师傅",
              41: "朱阿婆", 42: "沈老伯", 43: "顾奶奶", 44: "陆老师傅", 45: "金阿姨"}),
    CommunitySeed(
        "wanhang", "万航居民区", "静安区 曹家渡街道",
        "万航居民区长宁路225弄小区共有5个楼组、70户家庭、居民约150人。房屋老化，每逢下雨，"
        "顶楼居民就“外面下大雨，里面下小雨”。居民区党总支把屋面修缮作为书记领跑项目；施工期间的"
        "停车难题，由车主们自发组成的“弄堂智囊团”和共建单位一起想办法。",
        tuple(BuildingSeed(f"长宁路225弄{n}号", 7, 2, 42, 88) for n in range(1, 6)),
        30, {1: "车主 唐女士", 2: "顶楼 孙老伯", 3: "车主 冯先生"}),
    CommunitySeed(
        "yeqing", "叶庆居民区", "静安区 曹家渡街道",
        "叶庆居民区的益民公寓建成于1998年，房龄超过25年，设施设备老旧。业委会暂时“瘫痪”时，"
        "两个楼组中涌现出一支由80后担任主力的志愿者队伍“青春合伙人”：有公司管理者、律师、审计，"
        "也有懂物业的能人。他们和居委会一起，推进2号楼的屋面维修和4号楼的电梯更换。",
        (BuildingSeed("益民公寓2号楼", 18, 4, 65, 135), BuildingSeed("益民公寓4号楼", 25, 4, 65, 140)),
        36, {1: "2号楼顶楼 徐阿姨", 2: "青春合伙人 汪先生", 3: "青春合伙人 吴女士",
             4: "4号楼楼组长 蒋师傅"}),
    CommunitySeed(
        "hepinghuayuan", "和平花园", "杨浦区 四平路街道",
        "和平花园是1996年建成的商品住宅小区。一期D座楼高25层，192户家庭共用三部用了20年的电梯。"
        "经过一年多的楼组协商，D座在3个月内完成192户100%的补充维修基金收取，共300,930元，"
        "三部电梯正在更换。小区还借楼道“微自治”办起亲子运动会、烹饪比赛和花卉种植交流。",
        tuple(BuildingSeed(f"{name}座", 12, 4, 60, 120) for name in "ABC")
        + (BuildingSeed("D座", 24, 8, 70, 140, first_floor=2, total_centi_m2=2_006_200),),
        40, {1: "社区代表 张先生", 2: "电梯改造小组组长 张女士", 3: "二楼党员 何老师",
             4: "低层住户 马先生"}),
)

_GAORONG = (
    IdeaSeed(
        "charging", "gaorong", "r02", 1.0, "万航渡路759弄安装非机动车充电桩",
        "759弄是1930年的新式里弄，110户人家，出租户多。电瓶车没地方充电，不少人从楼上拉电线"
        "“飞线充电”，还有人把车推进楼里充，大家看着提心吊胆。\n建议在弄堂东侧围墙边集中安装"
        "一排充电桩，非机动车统一在一侧充电、停放。",
        "safety", "万航渡路759弄", "弄堂东侧围墙边", 68_000, supporters=30, photos=("charging",),
        steps=(
            Step(3.2, "deliberating", "列入静邻议事厅议题。大家一致认为，应该先从整治飞线充电做起。"),
            Step(17.3, "planned", "议事会商定方案：志愿者先排查非机动车数量，清理以往租客遗留的废弃车，"
                 "腾出空间后安装40个充电桩。",
                 costing=plan("高荣居民区居委会、物业", ("round_budget", 68_000, "40个充电桩及线路"))),
            # 21.0 in a vote, 28.1 public notice: the autumn round (rounds/demo_round_data.py);
            # 35.2 funded when the notice ends, 56.2 done with its 金钥匙 (demo_project_data).
            Step(38.0, "in_progress", "志愿者清理出23辆废弃非机动车，充电桩开始安装。"),
        )),
    IdeaSeed(
        "abandoned-bikes", "gaorong", "r05", 2.1, "清理弄堂里的废弃自行车和电瓶车",
        "弄堂里停着好多没人骑的旧车，轮胎都瘪了，不少是以前租客搬走时留下的，占地方又挡路。"
        "能不能统一清理一下？", "environment", "万航渡路759弄", supporters=8,
        steps=(Step(4.0, "merged", "与“安装非机动车充电桩”一并处理：清理废弃车辆正是安装充电桩的第一步。",
                    merged_into="charging"),)),
    IdeaSeed(
        "square", "gaorong", "r01", 5.0, "小朋友们的心愿：把睦邻小广场修一修",
        "我们放学以后喜欢在睦邻小广场上跳绳、骑车、打羽毛球。可是广场的塑胶地面已经很旧了，好多地方"
        "翘起来、脱落了，下雨天都没法走路，还有小朋友绊倒过。\n我们想要新的塑胶地面，最好能画出"
        "羽毛球场地和跳绳的地方。（小朋友们口述，小雨妈妈代为提交）",
        "children", "", "睦邻小广场（社区卫生站前）", 150_000, supporters=36, photos=("square",),
        steps=(
            Step(7.0, "deliberating", "议事厅专门听取小朋友们的意见，也请小学和幼儿园的家长来议事。"),
            Step(20.0, "planned", "多次议事后确定方案：重铺塑胶地面，划出羽毛球场地和跳绳区域，并在社区"
                 "卫生站门口增加非机动车停车区域。",
                 costing=plan("物业（施工）、居委会（监督）",
                              ("round_budget", 128_000, "重铺塑胶地面，羽毛球场地与跳绳区域划线"),
                              ("partner", 20_000, "共建单位资助卫生站门口停车区域"))),
            # 21.0 in a vote, 28.1 public notice: the autumn round; 35.2 funded, 62.3 done.
            Step(40.0, "in_progress", "旧塑胶地面开始铲除。施工期间，请小朋友们到睦邻活动室门口玩耍。"),
        )),
    IdeaSeed(
        "clinic-parking", "gaorong", "r03", 8.0, "社区卫生站门口的电瓶车停得太乱",
        "去卫生站配药，门口的电瓶车横七竖八，轮椅都推不进去。希望能划一块停车区域。",
        "parking", "", "社区卫生站门口", supporters=6,
        steps=(Step(12.0, "merged", "并入睦邻小广场修缮方案：在卫生站门口增加非机动车停车区域。",
                    merged_into="square"),)),
    IdeaSeed(
        "lift-3", "gaorong", "r04", 10.0, "高荣小区3号楼加装电梯",
        "小区里已经有10台加装电梯投入使用，老人们“直上直下”方便多了。我们3号楼六层，住着不少八十多岁"
        "的老人，有的已经一年多没下过楼。\n希望3号楼也能加装电梯。低层住户担心采光和噪音，我们愿意"
        "继续商量。", "elderly", "高荣小区3号楼", "北侧楼梯间", 850_000, common_parts=True,
        supporters=14, photos=("lift",),
        steps=(
            Step(14.0, "deliberating", "加梯是改建共有部分，需要业主表决。先开楼组会听取低层住户意见。"),
            Step(45.0, "planned", "楼组会形成初步方案：电梯井贴建在北侧楼梯间，自筹部分按楼层分摊。"
                 "下一步进行业主表决（需参与表决的面积和人数都达到四分之三同意）。",
                 costing=plan("加梯自治小组、代建单位", ("subsidy", 280_000, "加装电梯财政补贴"),
                              ("residents", 570_000, "本楼业主按楼层分摊"))),
        )),
    IdeaSeed(
        "clinic-room", "gaorong", "resident", 16.0, "睦邻活动室添置医疗便民服务设备",
        "睦邻活动室隔三差五为老人们安排医疗便民服务，大家都很欢迎。就是设备太少，量个血压要排长队。"
        "能不能添几台血压计、血糖仪？", "elderly", "", "睦邻活动室", 12_000, supporters=21,
        steps=(
            Step(18.0, "deliberating", "社区卫生服务中心愿意每月两次派医生到活动室坐诊。"),
            Step(30.0, "planned", "确定添置清单：电子血压计2台、血糖仪2台、折叠理疗床1张。",
                 costing=plan("高荣居民区居委会", ("partner", 8_000, "共建单位捐赠血压计、血糖仪"),
                              ("subsidy", 4_000, "街道为老服务补贴"))),
            Step(33.0, "noticed", "由共建单位捐赠和街道为老服务补贴出资，不占用预算，进入公示。"),
        )),
    IdeaSeed(
        "stair-lights", "gaorong", "council", 48.0, "楼道灯更换为声控LED灯",
        "1号楼到5号楼的楼道灯很多还是老灯泡，有的常亮费电，有的坏了没人修，晚上老人上下楼很危险。",
        "safety", "", "高荣小区1号楼至5号楼楼道", 18_000, supporters=16,
        steps=(
            Step(52.0, "deliberating", "物业统计：需要更换的楼道灯共120盏。"),
            Step(60.0, "planned", "方案：全部更换为声控LED灯，由物业安装并保修两年。",
                 costing=plan("物业", ("round_budget", 18_000, "120盏声控LED灯及安装"))),
        )),
    IdeaSeed(
        "picture-books", "gaorong", "r08", 50.0, "睦邻活动室增设儿童绘本角",
        "小区里小朋友多，放学后家长还没下班，孩子们没地方去。希望在睦邻活动室里辟一个绘本角，"
        "请志愿者轮流陪读。", "children", "", "睦邻活动室", 9_500, supporters=19,
        steps=(
            Step(55.0, "deliberating", "议事会讨论：活动室下午时段空闲，可以安排。"),
            Step(63.0, "planned", "方案：添置书架、地垫和300本绘本，志愿者排班陪读。",
                 costing=plan("高荣居民区居委会", ("round_budget", 9_500, "书架、地垫、绘本"))),
        )),
    IdeaSeed(
        "paid-parking", "gaorong", "r09", 24.0, "把小区空地改成收费停车场",
        "小区里车越来越多，晚上回来找不到车位。建议把3号楼后面的空地改成收费停车场。",
        "parking", "高荣小区3号楼", "3号楼后空地", supporters=4,
        steps=(
            Step(26.0, "deliberating", "列入议事会议题。"),
            Step(39.0, "not_adopted", "议事会讨论后认为：这块空地是消防通道，也是小朋友活动的地方，改作"
                 "收费停车场存在安全隐患，多数议事员不同意。建议车主关注共建单位的错峰停车资源。"),
        )),
    IdeaSeed(
        "lane-walls", "gaorong", "r10", 15.0, "759弄外墙统一粉刷",
        "弄堂外墙斑驳脱落，和新修的马路很不相称，希望统一粉刷一次。", "environment", "万航渡路759弄", supporters=5,
        steps=(Step(27.0, "withdrawn", "街道已把759弄外立面纳入明年的旧区改造计划，我先撤回，到时再提。",
                    by_author=True),)),
    IdeaSeed(
        "sink", "gaorong", "r07", 66.0, "垃圾厢房旁加装洗手池",
        "每天倒完垃圾手上脏，回家一路要碰好几个门把手。垃圾厢房旁边能不能装一个洗手池？",
        "environment", "", "垃圾厢房", supporters=9,
        steps=(Step(70.0, "deliberating", "列入下次议事会议题，请物业先评估上下水接口。"),)),
    IdeaSeed(
        "benches", "gaorong", "r06", 76.0, "睦邻小广场边加几张带靠背的长椅",
        "小广场修好以后，老人们喜欢坐在边上看孙子孙女跳绳，可是没有地方坐，能不能加几张带靠背的长椅？",
        "elderly", "", "睦邻小广场", 4_500, supporters=12,
        steps=(
            Step(77.0, "deliberating", "议事员到小广场看了位置：靠卫生站一侧有树荫，不挡羽毛球场地。"),
            Step(80.0, "planned", "方案：在小广场东侧树荫下安装3张带靠背的长椅，由共建单位捐赠。",
                 costing=plan("物业（安装）", ("partner", 4_500, "共建单位捐赠3张带靠背的长椅"))),
            # Noticed two days before the demo is seeded, its notice open now
            # (demo_project_data.OPEN_NOTICE).
        )),
)

_WANHANG = (
    IdeaSeed(
        "roof", "wanhang", "r02", 2.0, "长宁路225弄屋面漏水，盼望早日修缮",
        "房子老了，每逢下雨，我们顶楼就是“外面下大雨，里面下小雨”，脸盆水桶都摆满了，天花板一块块发霉。"
        "这是小区里意见最多、呼声最大的事，希望能把屋面整体修一修。",
        "facilities", "", "长宁路225弄5个楼组屋面", 1_200_000, supporters=22, photos=("roof",),
        steps=(
            Step(4.0, "deliberating", "列为书记领跑项目，由街道协调静安区房屋管理中心牵头。"),
            Step(20.0, "planned", "房屋管理中心完成查勘：5个楼组屋面整体翻修，同时修缮雨水管等相关设施。",
                 costing=plan("静安区房屋管理中心（牵头）",
                              ("subsidy", 1_180_000, "屋面修缮专项资金（街道协调）"))),
            Step(23.0, "noticed", "修缮费用由房屋管理中心专项资金承担，不占用预算，进入公示。"),
            Step(45.0, "in_progress", "屋面施工开始。施工期间车辆按“临时停车方案”停放。"),
        )),
    IdeaSeed(
        "leak-5", "wanhang", "r04", 3.5, "5号顶楼卧室天花板渗水发霉",
        "我家在5号顶楼，卧室天花板渗水发霉，墙皮一碰就掉，家里老人咳嗽一直不好。",
        "facilities", "长宁路225弄5号", supporters=4, photos=("ceiling",),
        steps=(Step(5.0, "merged", "并入“长宁路225弄屋面修缮”统一处理。", merged_into="roof"),)),
    IdeaSeed(
        "parking", "wanhang", "r01", 12.0, "屋面施工期间，车停到哪里去？",
        "屋面一开工就要搭脚手架，车子停不进来了。大唐和金融街各有8个车位，大唐近又免费，金融街远要收费。"
        "我的办法是：按大家上下班时间自己选，停大唐的8位车主给停金融街的8位车主补贴一个月的停车费，"
        "这样既按需分配，又公平。", "parking", "", "大唐（上海）能源开发有限公司、金融街停车场",
        supporters=16,
        steps=(
            Step(13.0, "deliberating", "车主弄堂会：家具城错峰停车解决不了周末停车，大家希望全时段停车。"),
            Step(27.0, "planned", "弄堂会一致认可唐女士的方案；拟定临时停车协议和停车公约。",
                 costing=plan("居民区党总支、业委会、楼组长",
                              ("partner", 14_400, "大唐（上海）能源开发有限公司提供8个免费车位"
                               "（施工期约3个月，按每月600元折算）"),
                              ("residents", 14_400, "金融街8个车位停车费，由停大唐的车主补贴"))),
            Step(30.0, "noticed", "共建单位提供车位、车主之间互相补贴，不占用预算，进入公示。"),
            Step(44.0, "in_progress", "停车名单分配完毕，车主签订临时停车协议，停车公约执行到施工结束。"),
        )),
    IdeaSeed(
        "furniture-mall", "wanhang", "r03", 9.0, "请曹家渡家具商城提供错峰停车位",
        "家具商城晚上和工作日的车位空着不少，能不能让我们错峰停？", "parking", supporters=3,
        steps=(
            Step(13.0, "deliberating", "与“施工期间停车”一起在车主弄堂会上讨论。"),
            Step(19.0, "not_adopted", "车主弄堂会认为：家具城的错峰停车解决不了周末停车，大家希望全时段"
                 "停车，改在金融街寻找车位。感谢家具商城的支持。"),
        )),
    IdeaSeed(
        "handrails", "wanhang", "r06", 58.0, "楼道加装扶手，方便老人上下楼",
        "225弄没有电梯，楼梯又陡又窄，老人上下楼全靠扶墙。希望楼道里装上扶手。", "elderly", supporters=12,
        steps=(Step(63.0, "deliberating", "请物业统计各楼组需要加装扶手的楼层。"),)),
)

_YEQING = (
    IdeaSeed(
        "roof-2", "yeqing", "r01", 1.5, "2号楼顶楼屋顶渗水，天花板掉下来了",
        "我和老伴住2号楼顶楼，屋顶渗水好几年了，上个月厨房天花板掉下来一大块，差点砸到人。"
        "我们两个老人实在没办法，只好来找居委会。", "safety", "益民公寓2号楼", "2号楼屋顶",
        260_000, supporters=20, photos=("ceiling",),
        steps=(
            Step(3.0, "deliberating", "青春合伙人和居委会一起上门查看、拍照、记录，并请每户填写问卷。"),
            Step(16.0, "planned", "青春合伙人比选施工方，议定价格和维修年限。动用维修基金需要业主表决。",
                 costing=plan("2号楼青春合伙人（选施工方、议价、签合同）",
                              ("maintenance_fund", 236_000, "2号楼维修基金"))),
            # The owners agreed door to door before the site was in use: these three moves
            # are written in words (proposals.demo._record_history), with no records.
            Step(24.0, "noticed", "青春合伙人挨家挨户做工作，得到大多数居民支持，进入公示。",
                 cause="业主表决：2号楼动用维修基金维修屋面（通过）"),
            Step(31.0, "funded", "公示期满，无异议。", cause=NOTICE_OVER),
            Step(33.0, "in_progress", "施工队进场，先做屋面防水层。"),
            Step(52.0, "done", "汪先生带领居民验收，屋顶不再渗水，徐阿姨家的天花板也修好了。",
                 cause="金钥匙：2号楼屋顶修缮完成"),
        )),
    IdeaSeed(
        "lift-4", "yeqing", "r03", 6.0, "4号楼电梯老是关人，申请更换新电梯",
        "4号楼25层，大家上下楼完全离不开电梯。从去年起电梯几乎每个月都要关一次人，更换电梯迫在眉睫。"
        "可是怎么换、有什么补贴、要走哪些流程，我们都不清楚，希望居委会指导。",
        "safety", "益民公寓4号楼", "", 1_150_000, supporters=28, photos=("lift",),
        steps=(
            Step(8.0, "deliberating", "居委会为4号楼申请电梯更换补贴；青春合伙人负责联系电梯公司。"),
            Step(34.0, "planned", "三家备选电梯公司到楼组实地考察、面对面座谈，居民参与选定；"
                 "申请到30%的费用补贴。",
                 costing=plan("4号楼青春合伙人、物业", ("subsidy", 345_000, "电梯更换费用补贴（30%）"),
                              ("maintenance_fund", 805_000, "4号楼维修基金"))),
            Step(78.0, "noticed", "业主表决通过，更换电梯方案公示7天。",
                 cause="业主表决：4号楼动用维修基金更换电梯（通过）"),
            # 85.1 funded when the notice ends (demo_project_data).
            Step(88.0, "in_progress", "签订更换合同，30%补贴款到位，旧电梯开始拆除；施工期间青春合伙人"
                 "排班，帮老人上下楼。"),
        )),
    IdeaSeed(
        "lift-alarm", "yeqing", "r05", 7.0, "电梯里的应急呼叫按钮要能打通",
        "上次关人，按了半天应急按钮没人应，还是打手机叫的物业。", "safety", "益民公寓4号楼",
        supporters=9,
        steps=(Step(9.0, "merged", "并入“4号楼更换电梯”：新电梯配备五方通话和应急呼叫。",
                    merged_into="lift-4"),)),
    IdeaSeed(
        "owners-committee", "yeqing", "r02", 60.0, "协助益民公寓筹备业委会换届",
        "业委会停摆好几年，很多维修项目都耽搁了。青春合伙人里有律师、审计，愿意帮忙筹备换届。",
        "other", supporters=15,
        steps=(Step(64.0, "deliberating", "居委会提供政策指导，先成立换届筹备组。"),)),
)

_HEPING = (
    IdeaSeed(
        "lifts-d", "hepinghuayuan", "r01", 0.5, "D座三部电梯用了20年，急需更换",
        "D座25层，192户人家共用三部用了20年的电梯，经常“罢工”，现在两部一直趴着，只剩一部在运行。\n"
        "初步估算改造费用89.5万元，D座维修资金85.6万元，按规定还要留存30%的初始维修资金12.4万元作"
        "应急，缺口16.3万元（不含土建费用）。希望大家一起商量补充筹集维修基金。",
        "safety", "D座", "", 895_000, supporters=40, photos=("lift",),
        steps=(
            Step(2.0, "deliberating", "居委会、业主代表、物业、电梯维修单位组成电梯改造小组，逐级推进。"),
            Step(20.0, "planned", "业主大会确定方案：每平方米15元一次性缴纳补充维修基金，委托物业收取，"
                 "业委会全程监督。",
                 costing=plan("电梯改造小组、物业",
                              ("maintenance_fund", 732_000, "D座原有维修资金（留存30%应急资金后）"),
                              ("maintenance_fund", 163_000, "补充维修基金（192户共缴纳300,930元）"))),
            Step(50.0, "noticed", "192户全部签字同意并缴纳补充维修基金，共300,930元，进入公示。",
                 cause="业主表决：D座补充筹集维修基金、更换三部电梯（通过）"),
            Step(60.0, "in_progress", "第一部电梯开始拆除，其余两部轮流运行；施工期间志愿者在一楼大厅"
                 "值守，帮老人上下楼。"),
        )),
    IdeaSeed(
        "by-floor", "hepinghuayuan", "r04", 11.0, "电梯改造费用应按楼层分摊",
        "我们住低层，平时很少坐电梯，按面积分摊不合理，应该按楼层高低分摊。", "other", "D座",
        supporters=3,
        steps=(
            Step(13.0, "deliberating", "在业主大会上讨论。"),
            Step(19.0, "not_adopted", "多次业主大会反复协商后，确定按每平方米15元一次性缴纳；按楼层分摊"
                 "的方案未被采纳。顶层复式住户的意见已记录在案。"),
        )),
    IdeaSeed(
        "mooncakes", "hepinghuayuan", "r03", 3.0, "中秋节一起做月饼，请独居老人来过节",
        "楼里有好几位独居老人，中秋节一个人过。我们想在一楼大厅办一次月饼制作活动，请老人们一起来。",
        "culture", "D座", "一楼大厅", 2_100, supporters=18, photos=("party",),
        steps=(
            Step(5.0, "deliberating", "楼组长和志愿者商量活动安排。"),
            Step(8.0, "planned", "确定活动方案：中秋节（9月25日）下午，志愿者上门接送行动不便的老人。",
                 costing=plan("D座楼组长、志愿者", ("partner", 1_500, "共建单位提供面粉、馅料和模具"),
                              ("residents", 600, "楼组居民自愿凑份子"))),
            Step(9.0, "noticed", "共建单位和居民出资，不占用预算，进入公示。"),
            Step(24.25, "in_progress", "活动开始，40多位居民和老人一起做月饼。"),
        )),
    IdeaSeed(
        "corridor", "hepinghuayuan", "r02", 40.0, "“温馨楼组”：D座12楼走廊布置",
        "我们12楼的邻居想把走廊布置起来：摆上花，挂上大家拍的照片。", "culture", "D座", "12楼走廊",
        2_000, supporters=11,
        steps=(
            Step(44.0, "deliberating", "楼组居民自选主题：花卉与摄影。"),
            Step(54.0, "planned", "达到“整洁、有序、文明、温馨、和谐”的标准并验收后，街道支付粉刷和装修"
                 "费用，并给予2000元文化建设基金。",
                 costing=plan("D座12楼楼组长", ("subsidy", 2_000, "街道走廊文化建设基金"))),
        )),
    IdeaSeed(
        "sorting", "hepinghuayuan", "r01", 46.0, "高层住宅垃圾分类，希望街道支持",
        "高层住宅推行垃圾分类遇到困难：撤桶以后楼层没有投放点，老人要拎着垃圾坐电梯下楼。",
        "environment", "D座", supporters=13,
        steps=(Step(48.0, "deliberating", "已向街道反映，街道同意支持；楼组先统计各层住户的投放习惯。"),)),
    IdeaSeed(
        "lobby-seats", "hepinghuayuan", "r05", 79.0, "D座大堂增设休息座椅",
        "老人等电梯要站很久，大堂里能不能放几把椅子？", "elderly", "D座", "一楼大堂", supporters=8),
)

IDEAS = _GAORONG + _WANHANG + _YEQING + _HEPING

