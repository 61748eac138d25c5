"""seed-demo's meetings of 高荣's 静邻议事厅, held through the meetings' own services.

`proposals.demo` asks for this part of the story with `demo_story` and runs `events()`
among the ideas' moves in time order. On the evening of day 62 the November meeting sits:
residents sign in by scanning the screen's code (two old neighbours without phones are
marked by the chair), they speak for and against, and two motions are put. The motion to
plan the picture-book corner passes, so that idea's move to planned is the motion's
(demo_data's step of day 63 is `replaced`, its words kept as the move's reason); the one
to try charging piles in one shed only fails, and the shed idea is planned for both sheds
a week later as demo_data tells. The chair publishes the minutes two days on: the draft
`minutes.draft` wrote at the close, with what was agreed after it.

`finish()`, after the demo threads exist, schedules the next meeting three days after the
day of seeding at 19:00, its agenda ready for the `chair` account to run from the console.

The services read the clock, so every row they write is dated like the story afterwards
(`dated` for stage changes and audit entries, the meeting's own times by hand). Three
named residents of 高荣 sit on the council with the `council` and `chair` accounts.
"""
from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow
from deliberation.models import Thread
from proposals.demo import at, demo_story
from proposals.demo_data import IDEAS
from proposals.models import StageChange
from proposals.rounds.demo_rounds import SHANGHAI, dated

from . import services, setup
from .models import Meeting

COUNCIL = ("chair", "council", "r02", "r03", "r04")  # 嵇老师, 老周, 老沈, 周阿姨, 钱师傅
NEW_COUNCIL = ("r02", "r03", "r04")  # named residents given the council role
PLACE = "高荣居民区睦邻活动室"
PAST_DAY = 62  # Monday 2 November 2026…
PAST_HOUR = 10  # …at 19:00 in Shanghai (days start at 09:00)
PREPARED_DAY = 59.5  # staff set the meeting and its agenda up
PUBLISHED_DAY = 64.3  # the chair publishes the minutes
PLANNED_BY_MOTION = ("picture-books", 63.0)  # demo_data's step the motion makes
NEXT_IN_DAYS = 3  # the upcoming meeting: three days after the seeding, 19:00


@dataclass(frozen=True)
class MotionSeed:
    question: str
    votes: tuple[tuple[str, str], ...] = ()  # (who, choice) from the phones
    counted: tuple[int, int, int] | None = None  # or the hands the chair counted
    move_to: str = ""
    cost_yuan: int = 0
    responsible: str = ""


@dataclass(frozen=True)
class ItemSeed:
    idea: str = ""  # a key of demo_data, or…
    title: str = ""  # …a free item's title
    note: str = ""
    # (who, stance, seconds spoken) in the order hands went up; "~name" is someone the
    # chair adds by name; the queue (alternating 支持 and 反对) decides who speaks when.
    hands: tuple[tuple[str, str, int], ...] = ()
    motions: tuple[MotionSeed, ...] = ()


ARRIVALS = ("chair", "council", "r04", "r02", "resident", "r08", "r01", "owner", "r13",
            "r05", "r06", "r07", "r09", "r11", "r12", "r14", "r15")
BY_NAME = ("朱阿婆", "沈老伯", "物业 俞经理")

PAST_TITLE = "静邻议事厅11月议事会"
PAST_AGENDA = (
    ItemSeed(idea="picture-books", note="活动室下午时段空闲；想请退休教师和家长志愿者排班陪读。",
             hands=(("r08", "support", 105), ("~沈老伯", "oppose", 90),
                    ("r01", "support", 80), ("resident", "suggest", 65)),
             motions=(MotionSeed(
                 "将“睦邻活动室增设儿童绘本角”列入方案：添置书架、地垫和300本绘本，工作日下午由"
                 "志愿者排班陪读，老人活动时段不变。费用9,500元，由居委会负责。",
                 votes=(("council", "for"), ("r02", "for"), ("r04", "abstain")),
                 move_to="planned", cost_yuan=9_500, responsible="高荣居民区居委会"),)),
    ItemSeed(idea="shed-charging", note="759弄的志愿者介绍排查车辆、清理废弃车的经验。",
             hands=(("r13", "support", 110), ("r14", "oppose", 95), ("r02", "suggest", 85),
                    ("r15", "support", 60), ("owner", "suggest", 70)),
             motions=(MotionSeed(
                 "先在3号楼车棚试点安装10个充电桩（16,000元，物业负责），5号楼车棚视使用情况再定。",
                 counted=(1, 2, 0), move_to="planned", cost_yuan=16_000,
                 responsible="物业"),)),
    ItemSeed(title="楼道堆物集中清理日", note="物业提议：提前三天贴告示，到期无人认领的东西统一清运。",
             hands=(("r04", "support", 75), ("~物业 俞经理", "suggest", 60),
                    ("~朱阿婆", "oppose", 50))),
)
MINUTES_AFTER = """
会后事项
1. 绘本角：居委会本周内采购书架、地垫和绘本；陪读志愿者排班表在各楼组群里发布，老人下午的活动时段不变。
2. 车棚充电桩：试点方案未通过。大家的意见是3号楼、5号楼车棚一起装，物业会同759弄志愿者排查两个车棚的车辆后重新拿方案。
3. 楼道堆物：物业定于11月14日（周六）办集中清理日，提前三天贴告示；朱阿婆家的旧家具由楼组长帮忙抬下楼。

记录：居委会 社工小李　审核：议事厅主持人 嵇老师
"""

NEXT_AGENDA = (
    ItemSeed(idea="sink", note="物业已评估垃圾厢房旁的上下水接口，请物业介绍方案和费用。"),
    ItemSeed(title="快递柜能不能装在小区门口",  # the demo topic of day 70
             note="听听大家的意见：装在哪里、老人取件是否方便。"),
    ItemSeed(idea="lift-3", note="业主表决正在进行：请加梯自治小组通报签字进度，低层住户的顾虑怎么回应。"),
    ItemSeed(title="冬季预算投票进展", note="投票截止前，请楼组长提醒不会用手机的老人到居委会领纸质选票。"),
)


class MeetingSeeder:
    """The meetings' part of the demo story (see the module's docstring)."""

    replaced = frozenset({PLANNED_BY_MOTION})

    def __init__(self, seeder):
        self.seeder = seeder
        self.community = seeder.communities["gaorong"]
        for key in NEW_COUNCIL:
            self._user(key).membership_in(self.community).grant("council")

    def events(self) -> list[tuple[float, object]]:
        return [(PAST_DAY + PAST_HOUR / 24, self._past_meeting)]

    def finish(self) -> None:
        self._next_meeting()

    def _user(self, key: str):
        users = self.seeder.users
        return users[f"gaorong_{key}"] if key.startswith("r") and key[1:].isdigit() else users[key]

    def _council_fields(self, title: str, starts_at) -> setup.MeetingFields:
        return setup.MeetingFields(title=title, starts_at=starts_at, place=PLACE,
                                   chair_id=self._user("chair").id,
                                   council_ids=[self._user(k).id for k in COUNCIL])

    def _agenda(self, meeting: Meeting, agenda, actor) -> None:
        for seed in agenda:
            if seed.idea:
                setup.add_item(meeting, actor, kind="idea", idea=self.seeder.ideas[seed.idea],
                               note=seed.note)
            elif (topic := self._topic(seed.title)) is not None:
                setup.add_item(meeting, actor, kind="topic", thread=topic, note=seed.note)
            else:
                setup.add_item(meeting, actor, kind="free", title=seed.title, note=seed.note)

    def _topic(self, title: str):
        return db.session.scalar(select(Thread).where(
            Thread.community_id == self.community.id, Thread.idea_id.is_(None),
            Thread.title == title).limit(1))

    # --- November: the meeting that was held ------------------------------------------

    def _past_meeting(self) -> None:
        staff, chair = self.seeder.users["staff"], self._user("chair")
        starts = at(PAST_DAY) + timedelta(hours=PAST_HOUR)
        with dated(at(PREPARED_DAY)):
            meeting = setup.create_meeting(self.community, staff,
                                           self._council_fields(PAST_TITLE, starts))
            self._agenda(meeting, PAST_AGENDA, staff)
        meeting.created_at = at(PREPARED_DAY)
        clock = _Clock(starts - timedelta(minutes=12))
        self._arrive(meeting, chair, clock)
        with dated(clock.at(starts)):
            services.start(meeting, chair)
        meeting.started_at = starts
        for n, (seed, item) in enumerate(zip(PAST_AGENDA, list(meeting.items))):
            if n:
                with dated(clock.now):
                    services.go_to_item(meeting, chair, item)
            item.started_at = clock.now
            self._debate(meeting, chair, seed, clock)
            for motion in seed.motions:
                self._motion(meeting, chair, motion, clock)
            clock.tick(120)
        with dated(clock.now):
            services.close(meeting, chair)
        meeting.ended_at = clock.now
        published = at(PUBLISHED_DAY)
        with dated(published):
            services.save_minutes(meeting, chair, meeting.minutes + MINUTES_AFTER, publish=True)
        meeting.minutes_published_at = published

    def _arrive(self, meeting: Meeting, chair, clock: "_Clock") -> None:
        for key in ARRIVALS:
            with dated(clock.tick(35)):
                services.sign_in(meeting, self._user(key), "qr")
            meeting.attendance[-1].at = clock.now
            seat = services.councillor(meeting, self._user(key))
            if seat is not None:
                seat.marked_at = clock.now
        for name in BY_NAME:
            with dated(clock.tick(20)):
                services.add_attendee(meeting, chair, name)
            meeting.attendance[-1].at = clock.now

    def _debate(self, meeting: Meeting, chair, seed: ItemSeed, clock: "_Clock") -> None:
        """Hands go up, then the chair gives the floor in the queue's order until nobody
        waits; each turn lasts what the script says."""
        spoken: dict[str, deque] = defaultdict(deque)
        for who, stance, seconds in seed.hands:
            with dated(clock.tick(20)):
                if who.startswith("~"):
                    speaker = services.add_speaker(meeting, chair, who[1:], stance)
                else:
                    speaker = services.raise_hand(meeting, self._user(who), stance)
            speaker.requested_at = clock.now
            spoken[speaker.person_key].append(seconds)
        while services.queue(meeting):
            with dated(clock.tick(10)):
                speaker = services.call_next(meeting, chair)
            speaker.started_at = clock.now
            seconds = spoken[speaker.person_key].popleft()
            with dated(clock.tick(seconds)):
                services.stop(meeting, chair)
            speaker.ended_at, speaker.elapsed_ms = clock.now, seconds * 1000

    def _motion(self, meeting: Meeting, chair, seed: MotionSeed, clock: "_Clock") -> None:
        present = {c.user_id for c in meeting.council if c.present}
        with dated(clock.tick(60)):
            motion = services.put_motion(
                meeting, chair, question=seed.question, present_ids=present,
                move_to=seed.move_to, cost_fen=seed.cost_yuan * 100 or None,
                responsible=seed.responsible)
        motion.opened_at = clock.now
        for who, choice in seed.votes:
            voter = self._user(who)
            with dated(clock.tick(15)):
                services.cast_vote(meeting, voter, choice)
            next(v for v in motion.votes if v.user_id == voter.id).at = clock.now
        with dated(clock.tick(45)):
            services.close_motion(meeting, chair, seed.counted)
        motion.closed_at = clock.now
        if motion.passed and motion.move_to:
            self._planned_by(motion, clock.now)

    def _planned_by(self, motion, when) -> None:
        """The motion planned its idea: keep demo_data's words and funding note for it."""
        key, day = PLANNED_BY_MOTION
        idea = motion.item.idea
        step = next(s for s in next(i for i in IDEAS if i.key == key).steps if s.day == day)
        if idea is not self.seeder.ideas[key] or idea.stage != "planned":
            raise RuntimeError(f"the demo motion did not plan {key}: {motion.move_note}")
        change = db.session.scalar(select(StageChange).where(
            StageChange.cause_type == motion.cause_kind, StageChange.cause_id == motion.id))
        change.reason = step.reason
        idea.costing.created_at = when
        for source, (_kind, _amount, note) in zip(idea.costing.sources, step.costing.sources):
            source.note = note

    # --- the next meeting, ready to run ------------------------------------------------

    def _next_meeting(self) -> None:
        staff = self.seeder.users["staff"]
        day = (utcnow().astimezone(SHANGHAI) + timedelta(days=NEXT_IN_DAYS)).replace(
            hour=19, minute=0, second=0, microsecond=0)
        title = f"静邻议事厅{day.month}月{day.day}日议事会"
        meeting = setup.create_meeting(self.community, staff, self._council_fields(title, day))
        self._agenda(meeting, NEXT_AGENDA, staff)


class _Clock:
    """The meeting's own time, moving on as the story is told."""

    def __init__(self, start):
        self.now = start

    def tick(self, seconds: float):
        self.now += timedelta(seconds=seconds)
        return self.now

    def at(self, moment):
        self.now = moment
        return moment


@demo_story.connect
def meetings_part(seeder) -> MeetingSeeder:
    """Answer `proposals.demo.demo_story` with the meetings' part of the story."""
    return MeetingSeeder(seeder)
