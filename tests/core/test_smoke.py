def test_sign_in_page__answers_in_finnish(client, db):
    response = client.get("/kirjaudu/")
    assert response.status_code == 200
    assert b'lang="fi"' in response.content
