"""The demo's budget rounds in 高荣: content only; `demo_rounds` turns it into rows.

The autumn round is over and adopted: the charging piles of 759弄, the children's square
and smoke alarms for old people living alone won; the smart gate had more votes than the
alarms but no longer fitted the budget, so the greedy count skipped it, and it is back
on the winter ballot. The winter round is open now (its times are counted from the day
the demo is seeded), so a visitor logged in as `resident` can vote at once.

Days are days after BASE, as in `proposals.demo_data`; the ideas below exist for the
rounds (the field report's 桂花园 gave the smoke alarms and the smart gate).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..demo_data import IdeaSeed, Step, plan

AUTUMN_ROUND = "2026年秋季“静邻议事厅”微更新预算"
WINTER_ROUND = "2026年冬季“静邻议事厅”微更新预算"


@dataclass(frozen=True)
class Paper:
    """A paper ballot an elderly resident filled in, typed in by the staff user."""

    ref: str
    resident: int  # the community's resident number (高荣's 41–45 are named in demo_data)
    after: float  # days after the round opened
    confirmed: bool = True  # checked by a second member of staff (the admin user)


@dataclass(frozen=True)
class RoundSeed:
    key: str
    community: str
    title: str
    description: str
    budget_yuan: int
    rule: str
    created: float  # the day staff set the round up
    added: float  # the day its ideas went on the ballot
    ideas: tuple[tuple[str, float], ...]  # idea key, chance that a voter wants it
    online: int  # residents who voted online (so far, in the open round)
    paper: tuple[Paper, ...]
    opens: float | None = None  # None: the open round, timed from the day of seeding
    closes: float | None = None
    adopted: float | None = None
    winners: tuple[str, ...] = ()  # what the count must give: the story goes on from it
    demo_voters: tuple[str, ...] = ()  # demo accounts among the online voters
    not_voting: tuple[str, ...] = ()  # demo accounts who have not voted


ROUNDS = (
    RoundSeed(
        "autumn", "gaorong", AUTUMN_ROUND,
        "静邻议事厅今年夏天收集的“金点子”里，有四件已经议定了方案、算好了费用，加起来超过了预算，"
        "请全体居民投票决定先做哪几件。\n每人可以勾选几项，所选项目合计不超过22万元。按得票多少依次"
        "安排，预算放不下的项目跳过，留到下一轮。\n不会用手机的老人可以到居委会领纸质选票，由社工代为"
        "录入，另一位工作人员核对。",
        220_000, "greedy", 20.3, 21.0,
        (("charging", 0.72), ("square", 0.62), ("gate", 0.55), ("smoke-alarms", 0.42)),
        68, (Paper("纸-001", 41, 1.25), Paper("纸-002", 42, 1.3), Paper("纸-003", 43, 3.2),
             Paper("纸-004", 44, 4.25), Paper("纸-005", 45, 4.3)),
        opens=22.0, closes=27.5, adopted=28.1,
        winners=("charging", "square", "smoke-alarms"), demo_voters=("resident", "owner")),
    RoundSeed(
        "winter", "gaorong", WINTER_ROUND,
        "秋季没排上的智能道闸，和入秋以后议定的三件小事，一起请大家投票。预算8万元，所选项目合计"
        "不超过8万元。\n这一轮试用“等份额法”：每位投票的居民分到同样的一份预算，项目由支持它的居民"
        "用各自的份额共同出资，人数少一些的需要也有机会排上。\n投票截止前可以随时修改，以最后一次为准。",
        80_000, "equal-shares", 71.3, 72.0,
        (("gate", 0.5), ("shed-charging", 0.55), ("stair-lights", 0.68), ("picture-books", 0.45)),
        31, (Paper("纸-001", 41, 1.25), Paper("纸-002", 43, 2.2),
             Paper("纸-003", 45, 3.25, confirmed=False)),
        demo_voters=("owner",), not_voting=("resident",)),
)

ROUND_IDEAS = (
    IdeaSeed(
        "smoke-alarms", "gaorong", "r11", 6.0, "为独居老人家里装上烟雾报警器",
        "小区里独居老人不少，有的记性不好，烧着水、开着燃气灶就出门了。听说桂花园给独居老人家里装了"
        "消防感知器，一冒烟就给物业、居委会和志愿者发报警，前些天还真避免了一场火灾。\n"
        "建议我们也给独居老人家里装上。", "elderly", "", "独居老人家中", 22_000, supporters=17,
        steps=(
            Step(9.0, "deliberating", "议事会请居委会先摸排：小区共有独居老人36户。"),
            Step(18.5, "planned", "方案：为36户独居老人安装联网烟雾报警器，报警信息同时发给物业、"
                 "居委会和结对志愿者。",
                 costing=plan("高荣居民区居委会、物业",
                              ("round_budget", 22_000, "36套联网烟雾报警器及一年服务费"))),
            # 21.0 in a vote, 28.1 public notice: the autumn round; 35.2 funded when the
            # notice ends, 47.2 done with its 金钥匙 page (demo_project_data).
            Step(37.0, "in_progress", "志愿者陪安装人员逐户上门，教老人听报警声、认指示灯。"),
        )),
    IdeaSeed(
        "gate", "gaorong", "r12", 11.0, "小区出入口装智能道闸，挡住外来车辆",
        "晚上下班回来，小区里停满了外面开进来的车，自己楼下反而没地方停，为抢车位邻居之间还吵过架。"
        "听说桂花园装了智能道闸，外来车辆进不来，停车一下子有序了。我们能不能也装？",
        "parking", "", "高荣小区南门、北门", 46_000, supporters=22,
        steps=(
            Step(13.0, "deliberating", "列入议事会议题，请物业先统计夜间外来车辆。"),
            Step(19.0, "planned", "物业统计：夜间外来车辆平均每晚20多辆。方案：南北两个出入口安装"
                 "智能道闸，业主车辆登记后自动抬杆，访客扫码登记。",
                 costing=plan("物业", ("round_budget", 46_000, "两套智能道闸、车牌识别及安装"))),
            # 21.0 in a vote, 28.1 back to planned (it no longer fitted the autumn budget),
            # 72.0 in a vote again: the winter round.
        )),
    IdeaSeed(
        "shed-charging", "gaorong", "r13", 57.0, "高荣小区车棚也装上充电桩",
        "759弄的充电桩装好以后，弄堂里再也没人拉飞线了。我们小区3号楼、5号楼的车棚还是老样子，"
        "每天晚上都有人把电瓶车推进楼道充电。希望小区的车棚也装上充电桩。",
        "safety", "", "3号楼、5号楼车棚", 32_000, supporters=18,
        steps=(
            Step(59.0, "deliberating", "759弄的志愿者愿意把排查车辆、清理废弃车的经验带过来。"),
            Step(68.0, "planned", "方案：3号楼、5号楼车棚各装10个扫码充电桩，充满自动断电。",
                 costing=plan("物业", ("round_budget", 32_000, "20个充电桩及线路改造"))),
            # 72.0 in a vote: the winter round.
        )),
)
