"""The demo's owners' decisions (业主表决): content only; `demo_owners` turns it into rows.

Three stories from the field reports. 和平花园 D座 (seed 001): after more than a year of
talks all 192 households signed for a supplementary maintenance fund of 15 yuan a m²,
300,930 yuan in all, to replace the three lifts — a passed `raise_fund` decision, every
vote a signature sheet. 益民公寓4号楼 (seed 003): the lift that trapped someone almost
every month is replaced from the building's fund — a passed `use_fund` decision, the
young "青春合伙人" online, the older owners on sheets. 高荣小区3号楼 (seed 003's
加装电梯): the lift to be added is being voted on now (`rebuild`), timed from the day of
seeding; the low floors hesitate, and one owner voted against online and then signed
for it when the 楼组长 came round, so staff have a conflict to settle.

Days are days after BASE, as in `proposals.demo_data`; `applied` is the day of the
idea's planned → noticed move the decision makes (demo_data's step of that day is left
to it).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DecisionSeed:
    key: str
    community: str
    building: str  # the decision's scope, and the building whose register is imported
    idea: str  # key of the idea it belongs to (demo_data)
    matter: str
    title: str
    text: str
    id_prefix: str  # register ids are the prefix and the unit's number: "Y4-1203"
    turnout: float  # share of the owners who vote (so far, when open)
    agree: float  # chance that an owner who votes agrees…
    low_agree: float | None = None  # …or on the two lowest floors, when it differs
    online: int = 0  # owners with a linked account who vote online
    opens: float | None = None  # None: open now, timed from the day of seeding
    closes: float | None = None
    applied: float | None = None
    pairs: int = 0  # owners holding two flats of one floor (x01 and x02)
    developer: str = ""  # the developer holding unsold flats on the ground floor…
    developer_units: int = 0  # …this many
    demo_owner: str = ""  # register name of the line linked to the demo `owner` account
    demo_owner_floor: int = 0  # …the floor of that flat
    conflict: str = ""  # "open": one online-vs-sheet conflict left; "resolved": settled
    resolution_note: str = ""


DECISIONS = (
    DecisionSeed(
        "d-fund", "hepinghuayuan", "D座", "lifts-d", "raise_fund",
        "D座补充筹集维修基金（每平方米15元）",
        "D座三部电梯已使用20年，更换费用约89.5万元。D座维修资金85.6万元，按规定须留存30%的"
        "初始维修资金12.4万元作应急，缺口16.3万元（不含土建费用）。\n"
        "业主大会议定：按房屋专有面积每平方米15元，一次性缴纳补充维修基金，委托物业收取，"
        "业委会全程监督，账目按月公布。\n"
        "筹集维修资金须由参与表决的业主所持专有面积和人数均达到三分之二以上，且其中四分之三"
        "以上同意。电梯改造小组和楼组长逐户上门，请业主在表决票上签字。",
        "D-", turnout=1.0, agree=1.0, opens=21.0, closes=45.5, applied=50.0),
    DecisionSeed(
        "yeqing-lift", "yeqing", "益民公寓4号楼", "lift-4", "use_fund",
        "益民公寓4号楼动用维修基金更换电梯",
        "4号楼电梯已使用25年，去年起几乎每月关人一次。三家备选电梯公司到楼组实地考察、"
        "面对面座谈后，居民选定了更换方案，总费用115万元：居委会申请到电梯更换补贴34.5万元"
        "（30%），其余80.5万元从4号楼维修基金列支。\n"
        "使用维修资金须由参与表决的业主所持专有面积和人数均达到三分之二以上，且其中过半数同意。"
        "可以在网上表决，也可以在青春合伙人上门时在表决票上签字。",
        "Y4-", turnout=0.86, agree=0.9, online=6, opens=62.0, closes=74.5, applied=78.0,
        pairs=3, conflict="resolved",
        resolution_note="电话联系业主本人：网上点错了，以签字的表决票为准（同意）。"),
    DecisionSeed(
        "gaorong-lift", "gaorong", "高荣小区3号楼", "lift-3", "rebuild", "高荣小区3号楼加装电梯",
        "3号楼拟在北侧楼梯间贴建一部电梯，电梯井不占用各户面积。总费用约85万元：加装电梯财政"
        "补贴28万元，其余57万元由本楼业主按楼层分摊，一楼、二楼不分摊。\n"
        "加装电梯属于改建共有部分，须由参与表决的业主所持专有面积和人数均达到三分之二以上，且"
        "其中四分之三以上同意。低层住户关于采光和噪音的意见已记入楼组会纪要，代建单位将出具"
        "采光分析。\n可以在网上表决，也可以在楼组长上门时在表决票上签字；截止前网上表决可以修改。",
        "G3-", turnout=0.55, agree=0.9, low_agree=0.4, online=6, pairs=1,
        developer="高荣置业有限公司（开发商，未售房屋）", developer_units=2,
        demo_owner="陈德明、陈先生（共有）", demo_owner_floor=5, conflict="open"),
)
