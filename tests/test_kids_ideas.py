"""Children's ideas (小朋友的金点子): a drawing's photo (re-encoded, EXIF stripped), a
category chosen from pictures, a few words; submitted like any idea, marked for good."""
from __future__ import annotations

from io import BytesIO

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from proposals.forms import CATEGORY_LABELS
from proposals.kids import profiles
from proposals.kids.ideas import ChildIdeaRefused, hand_in_for_child
from proposals.models import Idea, IdeaPhoto
from proposals.photos import process_photo
from proposals.services import photo_folder

from .images import gps_exif, jpeg_bytes, png_bytes
from .kids_factories import child

BADGE = "A child's golden idea"
LIMITS = dict(max_bytes=10 * 2**20, max_pixels=40_000_000)


def idea_count() -> int:
    return db.session.scalar(select(func.count(Idea.id)))


def stored_files() -> list:
    folder = photo_folder()
    return sorted(folder.iterdir()) if folder.exists() else []


def hand_in(client, c, kid, **fields):
    url = f"/c/{c.slug}/kids/children/{kid.id}/ideas/new"
    data = {"category": "children", "words": "秋千坏了\n请修一修",
            "drawing": (BytesIO(jpeg_bytes(exif=gps_exif())), "画.jpg")}
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(url, data, token_from=url, content_type="multipart/form-data")


def test_a_drawing_becomes_a_submitted_childs_idea_without_exif(en, make):
    c = make.community()
    guardian = make.user(c)
    kid = child(make, c, guardian, nickname="小画家")
    en.login(guardian)
    form = en.get(f"/c/{c.slug}/kids/children/{kid.id}/ideas/new").get_data(as_text=True)
    assert "kids/pictures/swing.svg" in form and "Children" in form  # the category grid
    response = hand_in(en, c, kid)
    assert response.status_code == 303
    idea = db.session.scalars(select(Idea)).one()
    assert response.location.endswith(f"/c/{c.slug}/ideas/{idea.id}")
    assert (idea.stage, idea.by_child, idea.child_id, idea.author_id) == \
        ("submitted", True, kid.id, guardian.id)
    assert idea.title == "秋千坏了" and idea.description == "秋千坏了\n请修一修"
    assert idea.category == "children" and [t.to_stage for t in idea.timeline] == ["submitted"]
    photo = idea.photos[0]
    served = en.get(f"/media/ideas/{photo.filename}")
    assert served.status_code == 200 and b"PhoneMaker" not in served.data
    image = Image.open(BytesIO(served.data))
    assert not image.getexif() and "exif" not in image.info

    page = en.get(response.location).get_data(as_text=True)
    assert BADGE in page and "kids/pictures/star.svg" in page
    assert "小画家" not in page  # the child's nickname is not public
    listing = en.get(f"/c/{c.slug}/ideas").get_data(as_text=True)
    assert BADGE in listing
    # The child's page lists it with its stage.
    mine = en.get(f"/c/{c.slug}/kids/children/{kid.id}").get_data(as_text=True)
    assert "秋千坏了" in mine and "stage-submitted" in mine


def test_an_adults_idea_has_no_badge(en, make):
    c = make.community()
    idea = make.idea(c, title="大人的金点子")
    assert BADGE not in en.get(f"/c/{c.slug}/ideas").get_data(as_text=True)
    page = en.get(f"/c/{c.slug}/ideas/{idea.id}").get_data(as_text=True)
    assert BADGE not in page


def test_without_words_the_title_names_the_category_in_the_communitys_language(app, make):
    c = make.community()
    guardian = make.user(c)
    kid = child(make, c, guardian)
    drawing = process_photo(png_bytes(), **LIMITS)
    with app.test_request_context(headers={"Cookie": "lang=en"}), force_locale("en"):
        idea = hand_in_for_child(c, guardian, kid, drawing, "elderly", "")
    db.session.commit()
    with force_locale("zh_Hans"):
        label = str(CATEGORY_LABELS["elderly"])
    assert label != "Elderly care" and label in idea.title and label in idea.description
    assert idea.by_child and idea.photos[0].filename.endswith(".png")


@pytest.mark.parametrize("fields, error_id", [
    ({"drawing": None}, "drawing-error"),
    ({"drawing": lambda: (BytesIO(b""), "")}, "drawing-error"),
    ({"drawing": lambda: (BytesIO(b"MZ\x90\x00 not a picture"), "画.jpg")}, "drawing-error"),
    ({"category": "spaceship"}, "category-error"),
    ({"category": None}, "category-error"),
    ({"words": "好" * 101}, "words-error"),
])
def test_bad_input_is_refused_at_its_field_and_saves_nothing(en, make, fields, error_id):
    c = make.community()
    guardian = make.user(c)
    kid = child(make, c, guardian)
    en.login(guardian)
    files_before = stored_files()
    # Files are made afresh for each backend: the test client closes what it sends.
    fields = {k: v() if callable(v) else v for k, v in fields.items()}
    response = hand_in(en, c, kid, **fields)
    assert response.status_code == 422
    assert f'id="{error_id}"' in response.get_data(as_text=True)
    assert idea_count() == 0
    assert db.session.scalar(select(func.count(IdeaPhoto.id))) == 0
    assert stored_files() == files_before


def test_the_service_refuses_another_communitys_child(app, make):
    c, other = make.community(), make.community()
    guardian = make.user(c)
    kid = child(make, c, guardian)
    drawing = process_photo(jpeg_bytes(), **LIMITS)
    with pytest.raises(ChildIdeaRefused):
        hand_in_for_child(other, guardian, kid, drawing, "children", "")
    with pytest.raises(ChildIdeaRefused):
        hand_in_for_child(c, guardian, kid, None, "children", "")
    db.session.rollback()
    assert idea_count() == 0


def test_staff_hand_in_an_idea_for_a_child_of_a_paper_form(en, make):
    c = make.community()
    staff = make.user(c, "staff")
    kid = profiles.create_by_staff(c, staff, nickname="豆豆", age_band="9-11",
                                   avatar="panda", paper_ref="2026-031")
    db.session.commit()
    en.login(staff)
    assert hand_in(en, c, kid, words="").status_code == 303
    idea = db.session.scalars(select(Idea)).one()
    assert idea.author_id == staff.id and idea.by_child and idea.child_id == kid.id
