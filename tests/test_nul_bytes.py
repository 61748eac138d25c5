"""NUL characters (which PostgreSQL cannot store) are dropped, never a 500."""


def test_nul_characters_in_forms_and_queries(app, make, client):
    c = make.community()
    idea = make.idea(c)
    client.login(make.user(c))
    page = f"/c/{c.slug}/ideas/{idea.id}"
    comment = client.post(f"{page}/comments", {"body": "a\x00b", "stance": "support"},
                          token_from=page)
    assert comment.status_code == 303
    assert "ab" in client.get(page).get_data(as_text=True)
    new = client.post(f"/c/{c.slug}/ideas/new", {"title": "楼道\x00灯", "category": "other",
                                                  "description": "描述描述描述\x00"},
                      token_from=f"/c/{c.slug}/ideas/new")
    assert new.status_code == 303
    assert client.get(f"/c/{c.slug}/ideas?q=a%00b").status_code == 200
    assert client.get("/login?next=/%00").status_code == 200
