"""How the licences a derived work may carry are laid out for a person: recommended first, rules said once."""

from repository.credit.choices import licence_choices


def test_share_alike_offers_its_licence_first_and_groups_the_refusals_under_one_rule():
    choices = licence_choices(["CC-BY-SA-4.0"])
    assert choices.recommended is not None
    assert choices.recommended.license.id == "CC-BY-SA-4.0"
    assert [reason for reason, _ in choices.refused] == [choices.refused[0][0]]
    refused = {lic.id for lic in choices.refused[0][1]}
    assert {"CC-BY-4.0", "CC-BY-NC-4.0", "CC-BY-ND-4.0"} <= refused
    assert choices.refused[0][0].startswith("It may not carry an adaptation of CC BY-SA 4.0.")


def test_older_and_ported_licences_are_folded_into_a_few_groups():
    choices = licence_choices(["CC-BY-4.0"])
    assert choices.permitted_count > 50
    assert len(choices.permitted) <= 5
    reasons = [reason for reason, _ in choices.permitted]
    assert "It is an older version; CC recommends 4.0 over all prior versions (CC FAQ)." in reasons
    # Every permitted licence is still choosable, in one labelled group after the recommended ones.
    form = choices.form_choices()
    assert form[0] == ("CC-BY-4.0", "CC BY 4.0 (recommended)")
    label, rest = form[-1]
    assert label == "Also permitted, not recommended"
    assert isinstance(rest, list)
    assert len(rest) == choices.permitted_count


def test_no_licence_at_all_leaves_nothing_to_recommend():
    choices = licence_choices(["CC-BY-SA-4.0", "CC-BY-NC-4.0"])
    assert choices.recommended is None
    assert choices.form_choices() == []
    assert choices.refused


def test_part_choices_decide_code_with_code_and_keep_components() -> None:
    import licensing.parts as parts
    from repository.credit.choices import part_choices

    gpl_tool = parts.PackageParts(
        "GPL-3.0-only",
        (parts.Part("js/sim.js", "GPL-3.0-only"), parts.Part("text/intro.html", "CC-BY-SA-4.0")),
        (parts.Component("p5.js", "LGPL-2.1-only", ("vendor/p5/**",)),),
    )
    by_part = part_choices([gpl_tool])
    code, content = by_part.parts
    assert (code.part, code.sources, content.part, content.sources) == (
        "code",
        ["GPL-3.0-only"],
        "content",
        ["CC-BY-SA-4.0"],
    )
    # Copyleft code cannot become permissive: MIT is missing, and says why.
    refused = {lic.id: reason for reason, group in code.choices.refused for lic in group}
    assert "MIT" in refused and "copyleft" in refused["MIT"]
    assert content.choices.recommended is not None
    assert content.choices.recommended.license.id == "CC-BY-SA-4.0"
    assert by_part.components == [("p5.js", "LGPL-2.1-only")] and by_part.is_mixed


def test_code_and_content_under_one_licence_are_not_a_mix() -> None:
    import licensing.parts as parts
    from repository.credit.choices import part_choices

    uniform = parts.PackageParts(
        "CC-BY-4.0",
        (parts.Part("js/app.js", "CC-BY-4.0"), parts.Part("index.html", "CC-BY-4.0")),
        (),
    )
    assert len(part_choices([uniform]).parts) == 2
    assert not part_choices([uniform]).is_mixed
