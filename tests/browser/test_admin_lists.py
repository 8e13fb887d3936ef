"""Every admin list shows, on a 1366 × 900 screen and without scrolling sideways, the columns staff work by.

The rest of a record is in the list's filters or on its page. Checked in Chromium on the demo data, as an
administrator (who sees every list), in English.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.browser.conftest import log_in, new_page
from tests.browser.test_accessibility import checked_pages

# The columns staff look for in each list, by their English headers.
KEY_COLUMNS = {
    "partners.exchange": ["Person", "Direction", "Host site", "Planned start", "Planned end", "Status"],
    "partners.person": ["Name", "Employer", "Home site", "Function", "Active"],
    "partners.company": ["Name", "Short name", "Kind", "Country"],
    "partners.site": ["Name", "Company", "City", "Status"],
    "partners.partnership": ["Name", "Status", "Signed on"],
    "partners.capability": ["Name", "Code"],
    "milestones.milestone": ["Title", "Site", "Baseline date", "Forecast date", "Slip (days)", "RAG", "Status"],
    "training.requirement": ["Code", "Title", "Valid for (months)"],
    "training.requirementversion": ["Requirement", "Version", "Effective from"],
    "training.curriculum": ["Name", "Function", "Site"],
    "training.trainingrecord": ["Person", "Version trained on", "Completed on", "Result"],
    "training.trainingimport": ["Imported at", "Imported by", "File name", "Reason"],
    "auth.user": ["Username", "Email address", "Active", "Last login"],
    "auth.group": ["Group"],
    "axes.accessattempt": ["Attempt Time", "IP Address", "Username", "Failed Logins"],
    "axes.accesslog": ["Attempt Time", "Logout Time", "IP Address", "Username"],
    "axes.accessfailurelog": ["Attempt Time", "IP Address", "Username", "Access lock out"],
    "governance.meeting": ["Title", "Kind", "Held on"],
    "governance.decision": ["Number", "Title", "Status"],
    "governance.action": ["Title", "Owner", "Due on", "Status"],
    "governance.risk": ["Title", "Category", "Likelihood", "Impact", "Status", "Owner", "Next review"],
    "accounts.apitoken": ["User", "Name", "Starts with", "Expires at", "Revoked at"],
}

# The result table, its scrolling box and the page: widths as the browser laid them out.
MEASURE = """() => {
    const table = document.querySelector('#result_list');
    const box = document.querySelector('#changelist .results');
    const page = document.documentElement;
    return {
        headers: table ? [...table.querySelectorAll('thead th .text')].map(text => text.textContent.trim()) : null,
        tableRight: table ? Math.ceil(table.getBoundingClientRect().right) : null,
        box: box ? [box.scrollWidth, box.clientWidth, Math.ceil(box.getBoundingClientRect().right)] : null,
        page: [page.scrollWidth, page.clientWidth],
        viewport: window.innerWidth,
    };
}"""


def test_every_admin_list_names_the_columns_its_users_work_by():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(KEY_COLUMNS), "a new admin list needs its key columns here"


@pytest.fixture(scope="module")
def admin_page(app_server, browser):
    checked_pages(app_server["database_url"])  # adds a row to the lists the demo leaves empty
    context, page = new_page(browser, "en-GB")
    log_in(page, app_server["url"], "admin")
    yield page
    context.close()


@pytest.mark.parametrize("label", sorted(KEY_COLUMNS))
def test_admin_list_fits_a_1366_pixel_screen_with_its_key_columns(app_server, admin_page, label):
    app_label, model_name = label.split(".")
    response = admin_page.goto(app_server["url"] + reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status == 200
    seen = admin_page.evaluate(MEASURE)

    assert seen["headers"] is not None, f"{label}: the list shows no rows"
    missing = [column for column in KEY_COLUMNS[label] if column not in seen["headers"]]
    assert not missing, f"{label}: no {missing} among {seen['headers']}"
    assert seen["tableRight"] <= seen["viewport"], f"{label}: the table ends at {seen['tableRight']} px"
    assert seen["box"][0] <= seen["box"][1], f"{label}: the results scroll sideways {seen['box']}"
    assert seen["page"][0] <= seen["page"][1], f"{label}: the page scrolls sideways {seen['page']}"
