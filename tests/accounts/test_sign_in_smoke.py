from tests.factories import sign_in


def test_partner_signs_in_with_an_emailed_code_and_lands_on_their_engagements(client, make):
    partner = make.partner()
    response = sign_in(client, partner)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert partner.name in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
