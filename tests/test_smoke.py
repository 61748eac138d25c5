def test_index_lists_communities(client, make):
    make.community(slug="gaorong", name="高荣居民区")
    response = client.get("/")
    assert response.status_code == 200
    assert "高荣居民区" in response.get_data(as_text=True)


def test_login_and_logout(client, make):
    c = make.community()
    user = make.user(c)
    client.login(user)
    assert user.display_name in client.get("/account").get_data(as_text=True)
