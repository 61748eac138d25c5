"""Following ideas and the notification centre: who hears of what, the bell, the list."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from deliberation import notifications, services
from deliberation.follows import followers, is_following, set_following
from deliberation.models import Follow, Notification, Thread
from proposals.models import IdeaSupport
from proposals.moves import move_idea
from .querycount import counted_queries


def say(idea, user, body="说两句", stance="support"):
    """A comment through the service, so the signal and its receivers run."""
    comment = services.post_comment(services.thread_for_idea(idea), user, body, stance)
    db.session.commit()
    return comment


def answer(parent, user, body="回复一下"):
    comment = services.reply(parent, user, body)
    db.session.commit()
    return comment


def support(idea, user):
    db.session.add(IdeaSupport(idea_id=idea.id, user_id=user.id))
    db.session.commit()


def received(user) -> list[tuple[str, int | None]]:
    rows = db.session.execute(select(Notification.kind, Notification.comment_id)
                              .where(Notification.user_id == user.id)
                              .order_by(Notification.id))
    return [tuple(r) for r in rows]


def idea_url(c, idea):
    return f"/c/{c.slug}/ideas/{idea.id}"


def test_author_supporters_and_commenters_follow_automatically(app, make):
    c = make.community()
    author, fan, talker, asked, stranger = (make.user(c) for _ in range(5))
    idea = make.idea(c, author=author)
    support(idea, fan)
    make.comment(idea, author=talker)
    set_following(asked, idea, True)
    db.session.commit()
    assert followers(idea) == {author.id, fan.id, talker.id, asked.id}
    assert is_following(author, idea) and is_following(fan, idea) and is_following(asked, idea)
    assert not is_following(stranger, idea)


def test_turning_it_off_sticks_even_after_commenting_again(app, make, client):
    c = make.community()
    talker, other = make.user(c), make.user(c)
    idea = make.idea(c)
    say(idea, talker)
    client.login(talker)
    response = client.post(f"{idea_url(c, idea)}/follow", {"follow": "0"},
                           token_from=idea_url(c, idea))
    assert response.status_code == 303 and response.headers["Location"].endswith("#follow")
    say(idea, talker, "我再说一句")
    assert not is_following(talker, idea) and talker.id not in followers(idea)
    say(idea, other, "别人的留言")
    assert received(talker) == []
    assert db.session.scalar(select(Follow.active).where(Follow.user_id == talker.id)) is False


def test_follow_button_swaps_in_place_with_htmx(app, make, client):
    c = make.community()
    idea = make.idea(c)
    assert f"{idea_url(c, idea)}/follow" not in client.get(idea_url(c, idea)).get_data(as_text=True)
    reader = make.user(c)
    client.login(reader)
    page = client.get(idea_url(c, idea)).get_data(as_text=True)
    assert 'id="follow"' in page and 'name="follow" value="1"' in page
    response = client.post(f"{idea_url(c, idea)}/follow", {"follow": "1"},
                           token_from=idea_url(c, idea), headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="follow"')
    assert 'name="follow" value="0"' in body and "<html" not in body
    assert is_following(reader, idea)


def test_bad_follow_value_is_422(app, make, client):
    c = make.community()
    idea = make.idea(c)
    client.login(make.user(c))
    for value in ("", "2", "yes"):
        response = client.post(f"{idea_url(c, idea)}/follow", {"follow": value},
                               token_from=idea_url(c, idea))
        assert response.status_code == 422
    assert db.session.scalar(select(func.count(Follow.id))) == 0


def test_a_comment_notifies_followers_but_not_its_writer(app, make):
    c = make.community()
    author, fan, asked, quitter, writer, stranger = (make.user(c) for _ in range(6))
    idea = make.idea(c, author=author)
    support(idea, fan)
    support(idea, quitter)
    set_following(asked, idea, True)
    set_following(quitter, idea, False)
    db.session.commit()
    comment = say(idea, writer, "我支持")
    for person in (author, fan, asked):
        assert received(person) == [("comment", comment.id)]
    for person in (quitter, writer, stranger):
        assert received(person) == []


def test_a_reply_notifies_the_top_level_author_once(app, make):
    c = make.community()
    author, top_writer, replier, second = (make.user(c) for _ in range(4))
    idea = make.idea(c, author=author)
    top = say(idea, top_writer, "一楼")
    first = answer(top, replier)
    # A reply to a reply hangs under the top-level comment: its author hears of it.
    deeper = answer(first, second, "回复二楼")
    assert received(top_writer) == [("reply", first.id), ("reply", deeper.id)]
    assert received(author) == [("comment", top.id), ("comment", first.id),
                                ("comment", deeper.id)]
    assert received(replier) == [("reply", deeper.id)]  # the reply answered theirs
    assert received(second) == []


def test_replying_under_my_own_comment_notifies_nobody_about_a_reply(app, make):
    c = make.community()
    author, writer = make.user(c), make.user(c)
    idea = make.idea(c, author=author)
    top = say(idea, writer)
    answer(top, writer, "自己补充")
    assert [k for k, _ in received(writer)] == []
    assert [k for k, _ in received(author)] == ["comment", "comment"]


def test_free_topics_notify_only_whom_a_reply_answers(app, make, client):
    c = make.community()
    starter, top_writer, replier = make.user(c), make.user(c), make.user(c)
    thread = Thread(community_id=c.id, idea_id=None, title="小区停车怎么办", author=starter)
    db.session.add(thread)
    db.session.commit()
    top = services.post_comment(thread, top_writer, "先说说", "suggest")
    db.session.commit()
    reply = answer(top, replier)
    assert received(starter) == [] and received(replier) == []
    note = db.session.scalar(select(Notification).where(Notification.user_id == top_writer.id))
    assert (note.kind, note.comment_id, note.idea_id, note.detail) == \
        ("reply", reply.id, None, "小区停车怎么办")
    client.login(top_writer)
    response = client.post(f"/notifications/{note.id}/open", token_from="/notifications")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/c/{c.slug}/topics/{thread.id}#comment-{reply.id}")


def test_a_stage_move_notifies_followers_but_not_the_mover(app, make):
    c = make.community()
    author, fan, quitter = make.user(c), make.user(c), make.user(c)
    staff = make.user(c, "staff")
    idea = make.idea(c, author=author)
    support(idea, fan)
    support(idea, quitter)
    make.comment(idea, author=staff)  # the mover follows too, yet hears nothing of their move
    set_following(quitter, idea, False)
    move_idea(idea, "deliberating", actor=staff, reason="可以议一议")
    db.session.commit()
    for person in (author, fan):
        note = db.session.scalar(select(Notification).where(Notification.user_id == person.id))
        assert (note.kind, note.detail, note.actor_id, note.idea_id) == \
            ("stage", "deliberating", staff.id, idea.id)
    assert received(staff) == [] and received(quitter) == []


def test_an_author_withdrawing_hears_nothing_but_supporters_do(app, make):
    c = make.community()
    idea = make.idea(c, stage="deliberating")
    fan = make.user(c)
    support(idea, fan)
    move_idea(idea, "withdrawn", actor=idea.author, reason="不需要了")
    db.session.commit()
    assert received(idea.author) == [] and received(fan) == [("stage", None)]


def count_queries(fn):
    with counted_queries() as seen:
        result = fn()
    return result, seen


def test_the_bell_shows_the_unread_count_in_one_query(app, make, client):
    c = make.community()
    me, other = make.user(c), make.user(c)
    notifications.notify({me.id}, "comment", actor_id=other.id)
    notifications.notify({me.id, other.id}, "comment", actor_id=other.id)
    db.session.commit()
    client.login(me)
    page = client.get(f"/c/{c.slug}/").get_data(as_text=True)
    assert 'id="bell"' in page and '<strong class="count" aria-hidden="true">2</strong>' in page
    client.get("/lang/en")
    assert 'aria-label="Notifications, 2 unread"' in client.get("/").get_data(as_text=True)
    assert me.id  # loaded beforehand: only the count itself should reach the database
    count, statements = count_queries(lambda: notifications.unread_count(me))
    statements = [s for s in statements if s.upper() not in ("BEGIN", "BEGIN IMMEDIATE")]
    assert count == 2 and len(statements) == 1 and "count(" in statements[0].lower()
    client.post("/notifications/read-all", token_from="/notifications")
    page = client.get("/").get_data(as_text=True)
    assert 'id="bell"' in page and 'class="count"' not in page and "unread" not in page


def test_the_list_says_what_happened_newest_first_thirty_a_page(app, make, client):
    c = make.community()
    me, writer, staff = make.user(c), make.user(c, display_name="老王"), make.user(c, "staff")
    idea = make.idea(c, author=me, title="楼道充电桩")
    for n in range(30):
        say(idea, writer, f"第{n}条")
    move_idea(idea, "deliberating", actor=staff, reason="议一议")
    db.session.commit()
    client.login(me)
    client.get("/lang/en")
    first = client.get("/notifications").get_data(as_text=True)
    assert first.count('class="card notification unread"') == 30
    assert "“楼道充电桩”, which you follow, is now at the stage: Deliberating." in first
    assert "老王 commented on “楼道充电桩”, which you follow." in first
    assert "Page 1 of 2" in first
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert second.count('class="card notification unread"') == 1
    assert client.get("/notifications?page=nonsense").status_code == 200


def test_view_marks_read_and_leads_to_the_comment(app, make, client):
    c = make.community()
    me = make.user(c)
    idea = make.idea(c, author=me)
    comment = say(idea, make.user(c))
    note = db.session.scalar(select(Notification).where(Notification.user_id == me.id))
    client.login(me)
    assert f"/notifications/{note.id}/open" in client.get("/notifications").get_data(as_text=True)
    response = client.post(f"/notifications/{note.id}/open", token_from="/notifications")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/c/{c.slug}/ideas/{idea.id}#comment-{comment.id}")
    assert db.session.get(Notification, note.id).read_at is not None


def test_mark_one_and_mark_all_as_read(app, make, client):
    c = make.community()
    me = make.user(c)
    notifications.notify({me.id}, "comment")
    notifications.notify({me.id}, "comment")
    notifications.notify({me.id}, "comment")
    db.session.commit()
    first, second, third = db.session.scalars(select(Notification.id).order_by(Notification.id))
    client.login(me)
    response = client.post(f"/notifications/{first}/read", token_from="/notifications")
    assert response.status_code == 303 and response.headers["Location"].endswith("/notifications")
    assert notifications.unread_count(me) == 2
    response = client.post(f"/notifications/{second}/read", token_from="/notifications",
                           headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="notifications"' in body and 'id="bell"' in body
    assert notifications.unread_count(me) == 1
    response = client.post("/notifications/read-all", {"page": "1"}, token_from="/notifications")
    assert response.status_code == 303
    assert notifications.unread_count(me) == 0
    assert db.session.get(Notification, third).read_at is not None


def test_another_persons_notification_is_not_found(app, make, client):
    c = make.community()
    me, other = make.user(c), make.user(c)
    notifications.notify({other.id}, "comment")
    db.session.commit()
    theirs = db.session.scalar(select(Notification.id))
    client.login(me)
    for action in ("read", "open"):
        response = client.post(f"/notifications/{theirs}/{action}", token_from="/notifications")
        assert response.status_code == 404
    assert client.post("/notifications/999999/read", token_from="/notifications").status_code == 404
    client.post("/notifications/read-all", token_from="/notifications")
    assert notifications.unread_count(other) == 1


def test_anonymous_visitors_are_sent_to_log_in(app, make, client):
    c = make.community()
    idea = make.idea(c)
    other = make.user(c)
    notifications.notify({other.id}, "comment")
    db.session.commit()
    note = db.session.scalar(select(Notification.id))
    assert client.get("/notifications").status_code == 302
    for url in (f"/notifications/{note}/read", f"/notifications/{note}/open",
                "/notifications/read-all", f"{idea_url(c, idea)}/follow"):
        response = client.post(url, {"follow": "1"})
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert 'id="bell"' not in client.get("/").get_data(as_text=True)
    assert notifications.unread_count(other) == 1


def test_a_reply_to_a_reply_tells_both_authors(app, make):
    from deliberation import services
    from deliberation.models import Notification
    c = make.community()
    idea = make.idea(c)
    first, second, third = make.user(c), make.user(c), make.user(c)
    top = make.comment(idea, author=first)
    answer = services.reply(top, second, "二楼回复")
    services.reply(answer, third, "回复二楼")
    db.session.commit()
    told = {n.user_id for n in db.session.query(Notification).filter_by(kind="reply")
            .filter(Notification.comment_id != answer.id)}
    assert told == {first.id, second.id}
