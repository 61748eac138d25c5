"""seed-demo's threads: the charging-pile debate, the children's square, the lift, the roof,
free topics in every community; deterministic, plausible in time, and rendered."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db
from deliberation.demo_threads import parse
from deliberation.models import Comment, Reaction, Thread, ThreadSummary
from deliberation.services import EDIT_WINDOW, LOCKING_STAGES
from proposals.models import Idea

from .conftest import empty_database
from .test_seed_demo import SLUGS, communities, seeded


def idea_titled(title: str) -> Idea:
    return db.session.scalar(select(Idea).where(Idea.title == title))


def comments_of(idea: Idea) -> list[Comment]:
    return db.session.scalars(select(Comment).join(Thread).where(Thread.idea_id == idea.id)
                              .order_by(Comment.created_at)).all()


def test_the_charging_pile_debate_has_every_voice(app):
    seeded(app)
    charging = idea_titled("万航渡路759弄安装非机动车充电桩")
    comments = comments_of(charging)
    tops = [c for c in comments if c.parent_id is None]
    assert Counter(c.stance for c in tops).keys() == {"support", "oppose", "suggest"}
    assert all(c.stance is None for c in comments if c.parent_id is not None)
    assert sum(c.parent_id is not None for c in comments) >= 5
    text = "\n".join(c.body for c in comments)
    for words in ("飞线充电", "电费谁出", "扫码付费", "废弃车", "往哪里放"):
        assert words in text
    tombstones = [c for c in comments if c.deleted_at is not None]
    assert len(tombstones) == 1 and tombstones[0].body == ""
    assert any(c.edited_at is not None for c in comments)
    thread = comments[0].thread
    summary = db.session.scalar(select(ThreadSummary).where(ThreadSummary.thread_id == thread.id))
    assert summary.version == 1 and "扫码付费" in summary.body
    assert summary.author.username in ("chair", "staff")
    assert db.session.scalar(select(func.count(Reaction.id)).join(Comment)
                             .where(Comment.thread_id == thread.id)) > 10


def test_the_square_the_lift_and_the_roof(app):
    seeded(app)
    square = "\n".join(c.body for c in comments_of(idea_titled("小朋友们的心愿：把睦邻小广场修一修")))
    for words in ("跳绳区域", "羽毛球场地", "噪音"):
        assert words in square
    lift = comments_of(idea_titled("高荣小区3号楼加装电梯"))
    assert any("一楼" in c.body and c.stance == "oppose" for c in lift)
    assert any("六楼" in c.body and c.stance == "support" for c in lift)
    assert comments_of(idea_titled("长宁路225弄屋面漏水，盼望早日修缮"))
    summaries = db.session.scalar(select(func.count(ThreadSummary.id)))
    assert summaries >= 2


def test_most_of_the_debate_is_on_ideas_still_open(app):
    seeded(app)
    by_stage = Counter(db.session.scalars(
        select(Idea.stage).join(Thread, Thread.idea_id == Idea.id).join(Comment)))
    open_now = sum(n for stage, n in by_stage.items()
                   if stage in ("submitted", "deliberating", "planned", "in_round", "noticed",
                                "in_progress"))
    assert open_now > sum(by_stage.values()) / 2


def test_times_make_sense(app):
    seeded(app)
    comments = db.session.scalars(select(Comment)).all()
    by_id = {c.id: c for c in comments}
    for c in comments:
        thread = c.thread
        assert c.created_at >= thread.created_at
        if c.parent_id is not None:
            assert by_id[c.parent_id].created_at < c.created_at
            assert by_id[c.parent_id].thread_id == c.thread_id
        if c.edited_at is not None:
            assert c.created_at < c.edited_at <= c.created_at + EDIT_WINDOW
        if thread.idea is not None:
            idea = thread.idea
            assert c.created_at > idea.created_at
            locked = [s.at for s in idea.timeline if s.to_stage in LOCKING_STAGES]
            assert not locked or c.created_at < locked[0], (idea.title, c.body)
    for reaction in db.session.scalars(select(Reaction)):
        comment = by_id[reaction.comment_id]
        assert reaction.user_id != comment.author_id and not comment.is_tombstone
        assert reaction.created_at > comment.created_at


def test_every_writer_is_a_verified_member(app):
    seeded(app)
    rows = db.session.execute(select(Comment, Thread).join(Thread)).all()
    for comment, thread in rows:
        membership = comment.author.membership_in(thread.community)
        assert membership is not None and membership.verified, comment.author.username


def test_topics_in_every_community_render(app, client):
    seeded(app)
    for slug, community in communities().items():
        threads = db.session.scalars(select(Thread).where(Thread.community_id == community.id,
                                                          Thread.idea_id.is_(None))).all()
        assert 2 <= len(threads) <= 3, slug
        listing = client.get(f"/c/{slug}/topics")
        assert listing.status_code == 200
        for thread in threads:
            assert thread.title in listing.get_data(as_text=True)
            assert thread.author is not None and thread.body
            page = client.get(f"/c/{slug}/topics/{thread.id}")
            assert page.status_code == 200
            first = db.session.scalar(select(Comment).where(Comment.thread_id == thread.id)
                                      .order_by(Comment.id).limit(1))
            assert first.body in page.get_data(as_text=True)
    assert set(communities()) == SLUGS


def test_idea_pages_show_their_threads(app, client):
    seeded(app)
    threads = db.session.scalars(select(Thread).where(Thread.idea_id.is_not(None))).all()
    assert len(threads) >= 10
    for thread in threads:
        page = client.get(f"/c/{thread.community.slug}/ideas/{thread.idea_id}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        shown = [c for c in db.session.scalars(select(Comment).where(Comment.thread_id == thread.id))
                 if not c.is_tombstone]
        assert all(c.body.split("\n")[0] in html for c in shown), thread.idea.title


def story() -> list[tuple]:
    comments = db.session.execute(
        select(User.username, Comment.stance, Comment.body, Comment.created_at, Comment.edited_at,
               Comment.deleted_at).join(User, Comment.author_id == User.id)
        .order_by(Comment.id)).all()
    reactions = db.session.execute(select(Reaction.comment_id, Reaction.user_id,
                                          Reaction.created_at).order_by(Reaction.id)).all()
    topics = db.session.execute(select(Thread.title, Thread.created_at).order_by(Thread.id)).all()
    return [tuple(comments), tuple(reactions), tuple(topics)]


def test_two_seeds_write_the_same_threads_and_a_second_run_nothing(app):
    seeded(app)
    first = story()
    assert "already there" in seeded(app).output
    assert story() == first
    empty_database()
    seeded(app)
    assert story() == first


def test_the_script_format():
    lines = parse("""
+ r02 1.5 支持 // 第二行
  > @759弄/2 1.6 [edited] 回复
? staff 2 建议
""")
    assert [(ln.reply, ln.stance, ln.who, ln.day, ln.flag) for ln in lines] == [
        (False, "support", "r02", 1.5, ""), (True, None, "@759弄/2", 1.6, "edited"),
        (False, "suggest", "staff", 2.0, "")]
    assert lines[0].text == "支持\n第二行"


def test_the_demo_moderation_queue_has_a_report_to_handle(app, client):
    from app.accounts.models import User
    from app.community import Community
    from deliberation.moderation import open_count
    seeded(app)
    assert open_count(Community.by_slug("gaorong")) == 1
    client.login(User.by_username("chair"), password="yishiting-demo")
    assert "说话有点冲" in client.get("/c/gaorong/moderation").get_data(as_text=True)
