"""The review queue: open contributions for the staff of their institution only."""

from django.urls import reverse

from repository.actions.contributions import propose_contribution


def test_review_queue_lists_open_contributions_for_staff_only(
    client, catalogue, staff, student, outsider
):
    contribution = propose_contribution(
        base=catalogue[0], by=student, description="Fix a typo.", edits={"a.txt": b"x\n"}
    )
    client.force_login(staff)
    items = client.get(reverse("review_queue")).context["items"]
    assert [i["contribution"] for i in items] == [contribution]
    assert items[0]["added"] == 1
    client.force_login(outsider)
    assert client.get(reverse("review_queue")).context["items"] == []
