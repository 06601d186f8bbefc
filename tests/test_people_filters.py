from django.urls import reverse


def test_unit_filter_offers_the_units_the_user_sees(net, login):
    html = login(net.users.methodist).get(reverse("people:list")).content.decode()
    assert f'<option value="{net.terek.pk}">' in html
    assert f'<option value="{net.baksan.pk}">' not in html


def test_unit_filter_keeps_members_of_the_subtree(net, login):
    response = login(net.users.reviewer).get(reverse("people:list"), {"unit": net.terek.pk})
    names = response.content.decode()
    assert net.users.teacher_person.last_name in names  # member of the Terek РМО, below the МунУМО


def test_long_unit_list_shows_only_the_top_of_the_tree_but_any_unit_still_filters(net, login, monkeypatch):
    monkeypatch.setattr("people.filters.OPTIONS_LIMIT", 3)
    client = login(net.users.reviewer)
    html = client.get(reverse("people:list")).content.decode()
    assert f'<option value="{net.rumo.pk}">' in html
    assert f'<option value="{net.terek.pk}">' not in html  # level 2: beyond the short list
    response = client.get(reverse("people:list"), {"unit": net.terek.pk})
    assert net.users.teacher_person.last_name in response.content.decode()


def test_many_schools_are_searched_by_name_instead_of_listed(net, login, monkeypatch):
    monkeypatch.setattr("people.filters.OPTIONS_LIMIT", 1)
    client = login(net.users.reviewer)
    html = client.get(reverse("people:list")).content.decode()
    assert 'name="school_q"' in html and '<select name="school"' not in html
    teacher = net.users.teacher_person
    found = client.get(reverse("people:list"), {"school_q": net.school.inn}).content.decode()
    assert teacher.last_name in found
    assert teacher.last_name not in client.get(reverse("people:list"), {"school_q": "нет такой"}).content.decode()


def test_people_list_counts_at_most_the_cap_and_says_so(net, login, monkeypatch):
    monkeypatch.setattr("network.pagination.CappedPaginator.cap", 2)
    html = login(net.users.reviewer).get(reverse("people:list")).content.decode()
    assert "Найдено больше 2" in html
