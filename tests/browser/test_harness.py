"""The browser harness checks itself: Chromium starts, and each guard catches what it is for."""

import pytest
from playwright.sync_api import expect


@pytest.mark.django_db(transaction=True)
def test_admin_login_page_renders_in_chromium(page, page_problems):
    response = page.goto("/admin/login/")

    assert response.status == 200
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page_problems.assert_clean()


@pytest.mark.django_db(transaction=True)
def test_a_missing_asset_is_a_problem(page, page_problems):
    page.goto("/admin/login/")
    page.evaluate(
        """() => new Promise(resolve => {
            const link = document.createElement("link");
            link.rel = "stylesheet";
            link.href = "/static/no-such-file.css";
            link.onload = link.onerror = resolve;
            document.head.append(link);
        })"""
    )

    with pytest.raises(pytest.fail.Exception, match=r"HTTP 404 for stylesheet .*no-such-file"):
        page_problems.assert_clean()


@pytest.mark.django_db(transaction=True)
def test_an_expected_error_status_is_not_a_problem(page, page_problems):
    page_problems.expect_status("/no-such-page/", 404)

    response = page.goto("/no-such-page/")

    assert response.status == 404
    page_problems.assert_clean()


def test_a_console_error_is_a_problem(page, page_problems):
    page.evaluate("() => console.error('the tracklist failed to render')")

    with pytest.raises(pytest.fail.Exception, match="the tracklist failed to render"):
        page_problems.assert_clean()


def test_axe_names_the_rule_the_impact_and_the_element(page, assert_accessible):
    page.set_content(
        '<html lang="en"><head><title>Form</title></head>'
        '<body><main><h1>Search</h1><input id="query" type="text"></main></body></html>'
    )

    with pytest.raises(pytest.fail.Exception, match=r"(?s)- label \(critical\).*#query"):
        assert_accessible(page)
