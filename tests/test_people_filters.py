from django.urls import reverse


def test_unit_filter_offers_the_units_the_user_sees(net, login):
    html = login(net.users.methodist).get(reverse("people:list")).content.decode()
    assert f'<option value="{net.terek.pk}">' in html
    assert f'<option value="{net.baksan.pk}">' not in html


def test_unit_filter_keeps_members_of_the_subtree(net, login):
    response = login(net.users.reviewer).get(reverse("people:list"), {"unit": net.terek.pk})
    names = response.content.decode()
    assert net.users.teacher_person.last_name in names  # member of the Terek РМО, below the МунУМО
